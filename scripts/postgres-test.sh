#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for the tests of the PostgreSQL backend (CatalogPostgresTests).
#
#   eval "$(scripts/postgres-test.sh start)"   # exports PAPERBOY_TEST_POSTGRES_URL and _DIR
#   scripts/postgres-test.sh stop "$PAPERBOY_TEST_POSTGRES_DIR"
#   scripts/postgres-test.sh pause DIR; scripts/postgres-test.sh resume DIR   # an outage, for fault tests
#
# `start` makes a cluster in a new temporary folder (initdb), starts it on a free loopback port
# with its Unix socket in that folder, creates the database `paperboy` and prints the two
# `export` lines. The cluster is tuned for tests, not for keeping data: no fsync ($PG_TUNING
# replaces those settings; the benchmarks ask for a durable server). Password
# authentication (SCRAM) with a random password, so the tests use the same login path as a real
# server. `stop` shuts it down and deletes the folder.
#
# PostgreSQL's binaries are looked for in $PG_BINDIR, in /usr/lib/postgresql/<newest>/bin (where
# Debian's `postgresql` package puts them), then on PATH. initdb refuses to run as root: as root,
# the cluster belongs to the `postgres` user (Debian's package creates it), else to `nobody`.
set -euo pipefail

die() { echo "postgres-test: $*" >&2; exit 1; }

bindir() {
  if [ -n "${PG_BINDIR:-}" ]; then echo "$PG_BINDIR"; return; fi
  local newest
  newest="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [ -n "$newest" ] && [ -x "$newest/initdb" ]; then echo "$newest"; return; fi
  local initdb
  initdb="$(command -v initdb || true)"
  [ -n "$initdb" ] || die "PostgreSQL is not installed (no initdb in /usr/lib/postgresql/*/bin or on PATH): install Debian's postgresql package, or set PG_BINDIR"
  dirname "$(readlink -f "$initdb")"
}

# Runs a command as the cluster's owner: ourselves, or an unprivileged user when we are root.
owner=""
as_owner() {
  if [ -z "$owner" ]; then "$@"; else runuser -u "$owner" -- "$@"; fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
  local bin dir port password
  bin="$(bindir)"
  if [ "$(id -u)" -eq 0 ]; then
    if id postgres >/dev/null 2>&1; then owner=postgres; else owner=nobody; fi
  fi
  dir="$(mktemp -d "${TMPDIR:-/tmp}/paperboy-postgres.XXXXXX")"
  [ -z "$owner" ] || chown "$owner" "$dir"
  password="$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
  printf '%s\n' "$password" > "$dir/password"
  [ -z "$owner" ] || chown "$owner" "$dir/password"
  as_owner "$bin/initdb" -D "$dir/data" -U paperboy --pwfile="$dir/password" --auth=scram-sha-256 \
    --encoding=UTF8 --locale=C --no-sync --no-instructions >"$dir/initdb.log" 2>&1 \
    || die "initdb failed: $(tail -n 5 "$dir/initdb.log")"
  # A port can be taken between choosing it and the server binding it: try a few.
  local tries=0
  while :; do
    port="$(free_port)"
    if launch "$bin" "$dir" "$port"; then
      break
    fi
    tries=$((tries + 1))
    [ "$tries" -lt 3 ] || die "the server did not start: $(tail -n 5 "$dir/server.log" 2>/dev/null)"
  done
  PGPASSWORD="$password" "$bin/createdb" -h 127.0.0.1 -p "$port" -U paperboy paperboy \
    || die "createdb failed: $(tail -n 5 "$dir/server.log")"
  echo "$port" > "$dir/port"
  echo "export PAPERBOY_TEST_POSTGRES_URL=postgres://paperboy:$password@127.0.0.1:$port/paperboy?sslmode=disable"
  echo "export PAPERBOY_TEST_POSTGRES_DIR=$dir"
}

# Starts the cluster in $2 on port $3 (and waits until it takes connections).
launch() {
  as_owner "$1/pg_ctl" -D "$2/data" -l "$2/server.log" -w -t 60 \
    -o "-p $3 -k $2 -c listen_addresses=127.0.0.1 -c max_connections=500 ${PG_TUNING:--c fsync=off -c synchronous_commit=off -c full_page_writes=off}" \
    start >/dev/null 2>&1
}

# The owner of a cluster folder made by `start`.
adopt() {
  local dir="$1"
  [ -f "$dir/password" ] || die "$dir is not a cluster made by this script"
  if [ "$(id -u)" -eq 0 ]; then owner="$(stat -c %U "$dir")"; [ "$owner" != root ] || owner=""; fi
}

# Stops the server, keeping its data: clients see the connection go, as in a real outage.
pause() {
  local dir="${1:-}"
  adopt "$dir"
  as_owner "$(bindir)/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || die "pause: the server did not stop"
}

# Starts a paused server again, on its port.
resume() {
  local dir="${1:-}"
  adopt "$dir"
  launch "$(bindir)" "$dir" "$(cat "$dir/port")" || die "resume: the server did not start: $(tail -n 5 "$dir/server.log")"
}

stop() {
  local dir="${1:-${PAPERBOY_TEST_POSTGRES_DIR:-}}"
  [ -n "$dir" ] || die "stop: which cluster? Give its folder (PAPERBOY_TEST_POSTGRES_DIR)"
  [ -f "$dir/password" ] || die "stop: $dir is not a cluster made by this script"
  if [ "$(id -u)" -eq 0 ]; then owner="$(stat -c %U "$dir")"; [ "$owner" != root ] || owner=""; fi
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_owner "$(bindir)/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  pause) pause "${2:-}" ;;
  resume) resume "${2:-}" ;;
  *) die "usage: $0 start | stop DIR | pause DIR | resume DIR" ;;
esac
