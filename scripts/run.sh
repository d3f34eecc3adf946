#!/usr/bin/env bash
# Sets up and runs Paperboy on its embedded default: a SQLite file (var/paperboy.sqlite),
# loaded with the demo set in demo/ on first start. Extra arguments go to `paperboy serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release --product paperboy
bin=.build/release/paperboy
export PAPERBOY_DATABASE="${PAPERBOY_DATABASE:-var/paperboy.sqlite}"
if [ ! -f "$PAPERBOY_DATABASE" ]; then
  "$bin" import demo/daily_papers_demo.jsonl.gz
fi
exec "$bin" serve "$@"
