#!/usr/bin/env bash
# Sets up and runs every test: unit tests, real SQLite files, the CLI as a user runs it, the
# live harvesters against a local server playing recorded arXiv responses, and the real Hugging
# Face Hub client against a running `paperboy serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --tests
swift build --build-tests
swift test --skip-build
python3 -m pytest -q Tests/clients
