#!/usr/bin/env bash
# Digest delivery benchmark (not a test): `paperboy digest send` renders and delivers DIGESTS
# personalised digests (three kinds of topic filter over the demo set's papers) to a local
# aiosmtpd server (bench/smtp_sink.py), and, in the same run, a reference client
# (bench/smtp_blast.py: pre-built messages of the same average size, two smtplib processes)
# measures that server's own intake rate alone. Prints both rates and their ratio: the share of
# the time Paperboy keeps the server busy. Alternates the two RUNS times, each run on a
# different featured day so the ledger starts empty.
#
#   bench/digest_benchmark.sh [DIGESTS] [RUNS]        (defaults: 10000 3; CONNECTIONS=8, as digest send)
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-10000}
runs=${2:-3}
connections=${CONNECTIONS:-8}
work=${BENCH_DIR:-/tmp/paperboy-bench}/digest
mkdir -p "$work"
swift build -c release --product paperboy >/dev/null
bin=.build/release/paperboy
export PAPERBOY_DATABASE="$work/digest.sqlite"
export PAPERBOY_LOG_LEVEL=warning
rm -f "$work"/digest.sqlite*
$bin import demo/daily_papers_demo.jsonl.gz --no-embed >/dev/null 2>&1
third=$((count / 3))
python3 -c "
for i in range($count): print(f'reader{i}@bench.example.org')" >"$work/all.txt"
head -n "$third" "$work/all.txt" >"$work/a.txt"
sed -n "$((third + 1)),$((2 * third))p" "$work/all.txt" >"$work/b.txt"
tail -n "+$((2 * third + 1))" "$work/all.txt" >"$work/c.txt"
$bin digest subscribe --confirmed --file "$work/a.txt" >/dev/null
$bin digest subscribe --confirmed --file "$work/b.txt" --topics "agent, benchmark, video, reasoning" >/dev/null
$bin digest subscribe --confirmed --file "$work/c.txt" --topics "language, model, learning, data" >/dev/null
echo "$count subscribers: a third unfiltered, two thirds with keyword topics; $connections SMTP connections"

port=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])")
start_sink() {
  python3 bench/smtp_sink.py --port "$port" --stats "$work/sink.json" &
  sink=$!
  for _ in $(seq 100); do python3 -c "import socket; socket.create_connection(('127.0.0.1',$port),1)" 2>/dev/null && return; sleep 0.1; done
}
stop_sink() { kill -TERM "$sink"; wait "$sink" || true; }

days=(2026-08-21 2026-08-20 2026-08-19 2026-08-18 2026-08-17 2026-08-14 2026-08-13)
rows=()
for i in $(seq "$runs"); do
  day=${days[$((i - 1))]}
  start_sink
  /usr/bin/time -f "%e %M" -o "$work/time" $bin digest send --period "daily:$day" --smtp-host 127.0.0.1 --smtp-port "$port" \
    --smtp-tls never --mail-from "Paperboy <digest@bench.example.org>" --public-url https://papers.example.org \
    --connections "$connections" >"$work/send.out" 2>&1
  stop_sink
  read -r wall peak <"$work/time"
  read -r sent size < <(python3 -c "import json; s=json.load(open('$work/sink.json')); print(s['messages'], s['bytes'] // max(1, s['messages']))")
  start_sink
  blast=$(python3 bench/smtp_blast.py --port "$port" --count "$sent" --size "$size" --processes 2 | sed -E 's/.*: ([0-9.]+) messages\/s/\1/')
  stop_sink
  echo "run $i ($day): paperboy $sent digests in $wall s ($(python3 -c "print(round($sent / $wall, 1))")/s, peak RSS $((peak / 1024)) MiB, $size bytes each); server alone $blast messages/s"
  rows+=("$sent $wall $blast")
done
printf '%s\n' "${rows[@]}" | python3 -c "
import sys, statistics
rows = [tuple(map(float, l.split())) for l in sys.stdin if l.strip()]
paperboy = [n / w for n, w, _ in rows]
alone = [b for _, _, b in rows]
ratios = [p / a for p, a in zip(paperboy, alone)]
print(f'paperboy digests/s median {statistics.median(paperboy):.1f}; server intake alone median {statistics.median(alone):.1f} messages/s')
print(f'busy share (paperboy / server alone), run by run: {\", \".join(f\"{r:.2f}\" for r in ratios)}; median {statistics.median(ratios):.2f}')
"
