#!/usr/bin/env bash
# Sets up and runs every test: unit tests, real SQLite files and a throw-away PostgreSQL, the CLI as a user runs it, the
# live harvesters against a local server playing recorded arXiv responses, and, against a running
# `paperboy serve`, every Python suite under Tests/ (the real Hugging Face Hub client, headless
# Chromium over every page, ...).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --tests
# A throw-away PostgreSQL cluster for the PostgreSQL backend's tests (CatalogPostgresTests run
# every behaviour test on SQLite and on PostgreSQL); removed however the run ends. Required here:
# a missing server fails those tests instead of leaving them out.
eval "$(scripts/postgres-test.sh start)"
trap 'scripts/postgres-test.sh stop "$PAPERBOY_TEST_POSTGRES_DIR"' EXIT
export PAPERBOY_REQUIRE_POSTGRES=1
swift build --build-tests
swift test --skip-build
python3 -m pytest -q Tests
