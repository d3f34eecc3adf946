#!/usr/bin/env bash
# Import benchmark (not a test): `paperboy import` against a plain Python sqlite3 loader doing
# the same inserts into the same schema, on LINES Kaggle-format lines, alternating the two
# RUNS times. Prints records/s, wall time and peak RSS per run, and the median ratio. Both
# loaders queue new papers for the search index (same trigger); building the index afterwards
# (FTS5, SQLite's own C code whatever the loader) is timed once at the end, on its own.
#
#   bench/import_benchmark.sh [LINES] [RUNS]        (defaults: 1000000 3)
set -euo pipefail
cd "$(dirname "$0")/.."
lines=${1:-1000000}
runs=${2:-3}
work=${BENCH_DIR:-/tmp/paperboy-bench}
mkdir -p "$work"
input="$work/kaggle-$lines.jsonl"
[ -f "$input" ] || python3 bench/make_kaggle_lines.py --lines "$lines" --out "$input"
swift build -c release --product paperboy >/dev/null
echo "input: $input ($(du -h "$input" | cut -f1), $lines lines)"

measure() {  # name, command...; prints "name wall_s peak_kb"
  local name=$1; shift
  rm -f "$work"/db.sqlite*
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >"$work/out" 2>&1
  read -r wall peak <"$work/time"
  echo "$name $wall $peak"
}

results=()
for i in $(seq "$runs"); do
  # The catalog load is compared; the search index, built after it, is timed separately below.
  results+=("$(measure paperboy env PAPERBOY_DATABASE="$work/db.sqlite" .build/release/paperboy import --no-search-index --no-embed "$input")")
  results+=("$(measure python python3 bench/python_loader.py --db "$work/db.sqlite" "$input")")
done
printf '%s\n' "${results[@]}" | python3 -c "
import sys, statistics
rows = [l.split() for l in sys.stdin if l.strip()]
lines = $lines
by = {}
for name, wall, peak in rows:
    by.setdefault(name, []).append((float(wall), int(peak)))
for name, vals in by.items():
    rates = [lines / w for w, _ in vals]
    print(f'{name:9s} records/s median {statistics.median(rates):9.0f}  (runs: {\", \".join(f\"{r:.0f}\" for r in rates)})'
          f'  wall median {statistics.median(w for w, _ in vals):6.1f} s  peak RSS max {max(p for _, p in vals) / 1024:6.1f} MiB')
pairs = [b[0] / a[0] for a, b in zip(by['paperboy'], by['python'])]
print(f'ratio paperboy/python records/s, pair by pair: {\", \".join(f\"{r:.2f}\" for r in pairs)}; median {statistics.median(pairs):.2f}x')
"
rm -f "$work"/db.sqlite*
PAPERBOY_DATABASE="$work/db.sqlite" .build/release/paperboy import --no-search-index --no-embed "$input" >/dev/null 2>&1
/usr/bin/time -f "%e" -o "$work/time" env PAPERBOY_DATABASE="$work/db.sqlite" .build/release/paperboy import --no-embed "$input" >/dev/null 2>&1
echo "search index after the load (paperboy import of the same file again: unchanged records, then the backlog): $(cat "$work/time") s"
