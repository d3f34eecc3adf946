#!/usr/bin/env bash
# Load test of `paperboy serve` with wrk, 64 connections, on the full shared data (9,877 Daily
# Papers and 46,670 arXiv listings), side by side in the same run with nginx serving the very
# same responses as static files: the ceiling for those bytes on this machine. Paperboy runs
# twice: as shipped (answers reused until the catalog changes) and with --cache-seconds 0
# (every request rendered from the database). Reports requests per second, p50/p99 latency and
# the ratio to nginx, for the day page, the JSON API and a paper page. Keyword search only
# (--no-semantic): the server would otherwise embed the catalog's 53.7k papers on one core
# during the load test; paper pages then list similar papers by shared title words.
#
# Usage: bench/http_benchmark.sh [seconds per run (10)] [rounds (3)]
# Needs: wrk and nginx (Debian: apt-get install wrk nginx-light), a release build.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-10}
ROUNDS=${2:-3}
OUT=bench-out/http
mkdir -p "$OUT/static"
rm -f "$OUT"/*.log  # access logs of earlier runs (nginx's grows by ~50 MB a run)
BIN=.build/release/paperboy
[ -x "$BIN" ] || swift build -c release --product paperboy
DB="$OUT/catalog.sqlite"
if [ ! -f "$DB" ]; then
  "$BIN" import --no-embed --database "$DB" ../shared/data/arxiv_listings.jsonl.gz ../shared/data/hf_daily_papers.jsonl.gz
fi
PORT=18080
UNCACHED_PORT=18082
NGINX_PORT=18081

# Paperboy as shipped: default log level, one access-log line per request (to a file).
"$BIN" serve --no-semantic --database "$DB" --port "$PORT" 2>"$OUT/serve.log" &
PAPERBOY=$!
"$BIN" serve --no-semantic --database "$DB" --port "$UNCACHED_PORT" --cache-seconds 0 2>"$OUT/serve-uncached.log" &
UNCACHED=$!
cat >"$OUT/nginx.conf" <<NGINX
worker_processes auto;
pid $PWD/$OUT/nginx.pid;
error_log $PWD/$OUT/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log $PWD/$OUT/nginx-access.log;
  types { text/html html; application/json json; }
  server { listen 127.0.0.1:$NGINX_PORT; root $PWD/$OUT/static; }
}
NGINX
nginx -c "$PWD/$OUT/nginx.conf"
trap 'kill $PAPERBOY $UNCACHED 2>/dev/null; nginx -c "$PWD/$OUT/nginx.conf" -s stop 2>/dev/null' EXIT
for port in $PORT $UNCACHED_PORT; do
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
done

DAY=$(curl -sf "http://127.0.0.1:$PORT/api/daily_papers?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["paper"]["submittedOnDailyAt"][:10])')
PAPER=$(curl -sf "http://127.0.0.1:$PORT/api/daily_papers?date=$DAY&limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["paper"]["id"])')
declare -A PATHS=([day-page]="/papers/date/$DAY" [api-day]="/api/daily_papers?date=$DAY" [paper-page]="/papers/$PAPER")
declare -A FILES=([day-page]="day.html" [api-day]="day.json" [paper-page]="paper.html")
for name in "${!PATHS[@]}"; do curl -sf "http://127.0.0.1:$PORT${PATHS[$name]}" -o "$OUT/static/${FILES[$name]}"; done

# shellcheck source=bench/wrk_measure.sh
source bench/wrk_measure.sh

echo "$(nproc) cores; $(date -u +%FT%TZ); day $DAY, paper $PAPER; wrk -t2 -c64 -d${DURATION}s, $ROUNDS rounds" | tee "$OUT/results.txt"
echo "pb: paperboy as shipped; raw: paperboy --cache-seconds 0; ng: nginx, static copies; ratio: pb/ng and raw/ng" | tee -a "$OUT/results.txt"
printf "%-10s %3s %8s %6s %6s %8s %6s %6s %8s %6s %6s %6s %6s\n" endpoint run pb_req/s p50 p99 raw_req/s p50 p99 ng_req/s p50 p99 pb/ng raw/ng | tee -a "$OUT/results.txt"
for name in day-page api-day paper-page; do
  for round in $(seq "$ROUNDS"); do
    read -r pb pb50 pb99 < <(measure "http://127.0.0.1:$PORT${PATHS[$name]}")
    read -r raw raw50 raw99 < <(measure "http://127.0.0.1:$UNCACHED_PORT${PATHS[$name]}")
    read -r ng ng50 ng99 < <(measure "http://127.0.0.1:$NGINX_PORT/${FILES[$name]}")
    printf "%-10s %3s %8.0f %6.2f %6.2f %8.0f %6.2f %6.2f %8.0f %6.2f %6.2f %6.3f %6.3f\n" "$name" "$round" \
      "$pb" "$pb50" "$pb99" "$raw" "$raw50" "$raw99" "$ng" "$ng50" "$ng99" \
      "$(python3 -c "print($pb / $ng)")" "$(python3 -c "print($raw / $ng)")" | tee -a "$OUT/results.txt"
  done
done
