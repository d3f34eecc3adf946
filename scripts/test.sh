#!/usr/bin/env bash
# Sets up and runs every test: unit tests, real SQLite files and a throw-away PostgreSQL (the site's
# tests and the real clients run once on each), the CLI as a user runs it, the
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
# The site's tests again with every catalog on PostgreSQL, as `serve --database postgres://…`
# runs (the store tests above already run on both): the same behaviour on both backends.
PAPERBOY_TEST_BACKEND=postgres swift test --skip-build --filter ServerTests
python3 -m pytest -q Tests
# The real clients (Hub client and CLI, feed parser, OpenAPI validator), the digests against a
# real SMTP server (the sender killed mid-run included) and the browser's community flows, on
# PostgreSQL.
PAPERBOY_TEST_BACKEND=postgres python3 -m pytest -q Tests/clients/test_hub_client.py Tests/clients/test_hf_cli.py \
  Tests/clients/test_feeds.py Tests/clients/test_openapi.py Tests/clients/test_semantic_search.py Tests/clients/test_digests.py \
  Tests/browser/test_community.py Tests/browser/test_submit.py Tests/browser/test_collections.py
