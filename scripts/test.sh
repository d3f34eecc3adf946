#!/usr/bin/env bash
# Sets up and runs every test: unit tests, real SQLite files, the CLI as a user runs it, and
# the live harvesters against a local server playing recorded arXiv responses.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build --build-tests
swift test --skip-build
