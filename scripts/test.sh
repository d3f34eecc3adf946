#!/usr/bin/env bash
# Sets up and runs every test: unit tests, real SQLite files, the CLI as a user runs it, the
# live harvesters against a local server playing recorded arXiv responses, and, against a running
# `paperboy serve`, every Python suite under Tests/ (the real Hugging Face Hub client, headless
# Chromium over every page, ...).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --tests
swift build --build-tests
swift test --skip-build
python3 -m pytest -q Tests
