#!/usr/bin/env bash
# PostgreSQL next to SQLite (issue 7), in one run on one machine, the same release binary:
#   1. import: LINES Kaggle-format lines into a new SQLite file and into a new PostgreSQL
#      database, alternately, ROUNDS times each (records/s until searchable, peak RSS of paperboy);
#   2. keyword search: 300 queries (the first words of real titles) one after another through
#      /api/papers/search?mode=keyword on a server over each catalog (p50/p99 ms);
#   3. feed pages: wrk at 64 connections on the day page, the JSON API's day and a paper page,
#      on a server over each catalog, as shipped and with --cache-seconds 0 (every request read
#      from the database);
#   4. many instances: the uncached day page and API through nginx as the load balancer, to one
#      PostgreSQL-backed instance and then to two.
# The catalogs hold all of ../shared/data (53,739 papers) for 2 to 4; keyword search only
# (--no-semantic), as in bench/http_benchmark.sh.
#
# PostgreSQL runs as a throw-away cluster (scripts/postgres-test.sh) but durable like SQLite in
# WAL mode with synchronous=NORMAL: fsync on, commits not waited for (synchronous_commit=off).
#
# Usage: bench/postgres_benchmark.sh [seconds per wrk run (5)] [rounds (2)] [import lines (200000)]
# Needs: PostgreSQL, wrk and nginx (Debian: postgresql wrk nginx-light), a release build.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-5}
ROUNDS=${2:-2}
LINES=${3:-200000}
OUT=bench-out/postgres
mkdir -p "$OUT"
rm -f "$OUT"/*.log
BIN=.build/release/paperboy
[ -x "$BIN" ] || swift build -c release --product paperboy

export PG_TUNING="-c synchronous_commit=off -c shared_buffers=256MB"
eval "$(scripts/postgres-test.sh start)"
ADMIN=$PAPERBOY_TEST_POSTGRES_URL
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -f "$OUT/nginx.pid" ] && nginx -c "$PWD/$OUT/nginx.conf" -s stop 2>/dev/null || true
  scripts/postgres-test.sh stop "$PAPERBOY_TEST_POSTGRES_DIR"
}
trap cleanup EXIT
database() {  # a new, empty database; prints its URL
  psql "${ADMIN%\?sslmode=disable}" -q -c "CREATE DATABASE $1"
  python3 -c 'import sys; from urllib.parse import urlsplit, urlunsplit; p = urlsplit(sys.argv[1]); print(urlunsplit((p.scheme, p.netloc, "/" + sys.argv[2], p.query, "")))' "$ADMIN" "$1"
}
RESULTS="$OUT/results.txt"
echo "$(nproc) cores; $(date -u +%FT%TZ); commit $(git rev-parse --short HEAD); PostgreSQL $(psql --version | awk '{print $3}')" | tee "$RESULTS"

# 1. Import.
INPUT=${BENCH_DIR:-/tmp/paperboy-bench}/kaggle-$LINES.jsonl
mkdir -p "$(dirname "$INPUT")"
[ -f "$INPUT" ] || python3 bench/make_kaggle_lines.py --lines "$LINES" --out "$INPUT"
echo "== import: $LINES Kaggle-format lines, until searchable (SQLite: catalog and FTS5 index; PostgreSQL: generated tsvector and GIN index)" | tee -a "$RESULTS"
for round in $(seq "$ROUNDS"); do
  rm -f "$OUT"/import.sqlite*
  /usr/bin/time -f "%e %M" -o "$OUT/time" "$BIN" import --no-embed --database "$OUT/import.sqlite" "$INPUT" >/dev/null 2>&1
  read -r wall peak <"$OUT/time"
  printf "sqlite     round %s: %8.0f records/s  wall %6.1f s  peak RSS %5.0f MiB\n" "$round" "$(python3 -c "print($LINES / $wall)")" "$wall" "$((peak / 1024))" | tee -a "$RESULTS"
  url=$(database "import_$round")
  /usr/bin/time -f "%e %M" -o "$OUT/time" "$BIN" import --no-embed --database "$url" "$INPUT" >/dev/null 2>&1
  read -r wall peak <"$OUT/time"
  printf "postgresql round %s: %8.0f records/s  wall %6.1f s  peak RSS %5.0f MiB (paperboy's; the server's own memory not counted)\n" "$round" "$(python3 -c "print($LINES / $wall)")" "$wall" "$((peak / 1024))" | tee -a "$RESULTS"
  psql "${ADMIN%\?sslmode=disable}" -q -c "DROP DATABASE import_$round"
done
rm -f "$OUT"/import.sqlite*

# 2-4 share two catalogs of the full shared data.
DATA=(../shared/data/arxiv_listings.jsonl.gz ../shared/data/hf_daily_papers.jsonl.gz)
SQLITE_DB="$OUT/catalog.sqlite"
rm -f "$OUT"/catalog.sqlite*
"$BIN" import --no-embed --database "$SQLITE_DB" "${DATA[@]}" >/dev/null 2>&1
PG_DB=$(database catalog)
"$BIN" import --no-embed --database "$PG_DB" "${DATA[@]}" >/dev/null 2>&1

serve() {  # port, database, extra args...
  local port=$1 db=$2; shift 2
  "$BIN" serve --no-semantic --database "$db" --port "$port" "$@" 2>"$OUT/serve-$port.log" &
  PIDS+=($!)
  for _ in $(seq 300); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && return; sleep 0.1; done
  echo "serve on $port did not start" >&2; exit 1
}
serve 18180 "$SQLITE_DB"
serve 18181 "$SQLITE_DB" --cache-seconds 0
serve 18182 "$PG_DB"
serve 18183 "$PG_DB" --cache-seconds 0
serve 18184 "$PG_DB" --cache-seconds 0

# 2. Keyword search latency, one query at a time.
echo "== keyword search: 300 queries one at a time, /api/papers/search?mode=keyword&limit=10 (ms)" | tee -a "$RESULTS"
python3 - "$RESULTS" <<'PY'
import gzip, json, statistics, sys, time, urllib.parse, urllib.request
titles = []
with gzip.open("../shared/data/hf_daily_papers.jsonl.gz", "rt") as f:
    for line in f:
        titles.append(json.loads(line)["title"])
        if len(titles) == 300: break
queries = [" ".join(t.split()[:3]) for t in titles]
out = open(sys.argv[1], "a")
for name, port in (("sqlite", 18181), ("postgresql", 18183)):
    for q in queries[:20]:  # warm-up
        urllib.request.urlopen(f"http://127.0.0.1:{port}/api/papers/search?mode=keyword&limit=10&q={urllib.parse.quote(q)}").read()
    times = []
    for q in queries:
        start = time.perf_counter()
        urllib.request.urlopen(f"http://127.0.0.1:{port}/api/papers/search?mode=keyword&limit=10&q={urllib.parse.quote(q)}").read()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    line = f"{name:10s} p50 {statistics.median(times):7.2f}  p99 {times[int(len(times) * 0.99) - 1]:7.2f}  mean {statistics.mean(times):7.2f}"
    print(line); out.write(line + "\n")
PY

# shellcheck source=bench/wrk_measure.sh
source bench/wrk_measure.sh

DAY=$(curl -sf "http://127.0.0.1:18180/api/daily_papers?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["paper"]["submittedOnDailyAt"][:10])')
PAPER=$(curl -sf "http://127.0.0.1:18180/api/daily_papers?date=$DAY&limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["paper"]["id"])')
declare -A PATHS=([day-page]="/papers/date/$DAY" [api-day]="/api/daily_papers?date=$DAY" [paper-page]="/papers/$PAPER")

# 3. Feed pages on each backend.
echo "== feed pages: wrk -t2 -c64 -d${DURATION}s; req/s (p50 ms, p99 ms); day $DAY, paper $PAPER" | tee -a "$RESULTS"
printf "%-10s %3s %22s %22s %22s %22s %8s %8s\n" endpoint run sqlite pg sqlite-uncached pg-uncached pg/sq unc-pg/sq | tee -a "$RESULTS"
for name in day-page api-day paper-page; do
  for round in $(seq "$ROUNDS"); do
    read -r a a50 a99 < <(measure "http://127.0.0.1:18180${PATHS[$name]}")
    read -r b b50 b99 < <(measure "http://127.0.0.1:18182${PATHS[$name]}")
    read -r c c50 c99 < <(measure "http://127.0.0.1:18181${PATHS[$name]}")
    read -r d d50 d99 < <(measure "http://127.0.0.1:18183${PATHS[$name]}")
    printf "%-10s %3s %8.0f (%5.1f %5.1f) %8.0f (%5.1f %5.1f) %8.0f (%5.1f %5.1f) %8.0f (%5.1f %5.1f) %8.3f %8.3f\n" "$name" "$round" \
      "$a" "$a50" "$a99" "$b" "$b50" "$b99" "$c" "$c50" "$c99" "$d" "$d50" "$d99" \
      "$(python3 -c "print($b / $a)")" "$(python3 -c "print($d / $c)")" | tee -a "$RESULTS"
  done
done

# 4. One instance against two behind nginx, uncached, on PostgreSQL.
proxy() {  # port, upstream ports...
  local port=$1; shift
  local servers=""
  for upstream in "$@"; do servers+="server 127.0.0.1:$upstream; "; done
  echo "upstream u$port { $servers keepalive 64; } server { listen 127.0.0.1:$port; location / { proxy_pass http://u$port; proxy_http_version 1.1; proxy_set_header Connection \"\"; } }"
}
cat >"$OUT/nginx.conf" <<NGINX
worker_processes 1;
pid $PWD/$OUT/nginx.pid;
error_log $PWD/$OUT/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  $(proxy 18190 18183)
  $(proxy 18191 18183 18184)
}
NGINX
nginx -c "$PWD/$OUT/nginx.conf"
echo "== instances: nginx (1 worker) in front of PostgreSQL-backed paperboy --cache-seconds 0; req/s (p50 ms, p99 ms)" | tee -a "$RESULTS"
printf "%-10s %3s %22s %22s %8s\n" endpoint run one-instance two-instances two/one | tee -a "$RESULTS"
for name in day-page api-day; do
  for round in $(seq "$ROUNDS"); do
    read -r a a50 a99 < <(measure "http://127.0.0.1:18190${PATHS[$name]}")
    read -r b b50 b99 < <(measure "http://127.0.0.1:18191${PATHS[$name]}")
    printf "%-10s %3s %8.0f (%5.1f %5.1f) %8.0f (%5.1f %5.1f) %8.3f\n" "$name" "$round" "$a" "$a50" "$a99" "$b" "$b50" "$b99" \
      "$(python3 -c "print($b / $a)")" | tee -a "$RESULTS"
  done
done
