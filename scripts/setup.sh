#!/usr/bin/env bash
# Installs what Paperboy needs on a fresh Debian machine with Swift: system libraries (SQLite,
# zlib) and, with --tests, what the tests drive Paperboy with: headless Chromium and chromedriver
# (Debian's chromium, chromium-driver) and pinned Python packages (the real Hugging Face Hub
# client, pytest, Selenium, a feed parser, an OpenAPI validator). Safe to run again: it installs
# only what is missing, and does nothing slow when everything is there.
set -euo pipefail

packages=(libsqlite3-dev zlib1g-dev)
if [ "${1:-}" = "--tests" ]; then
  packages+=(chromium chromium-driver)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}"
fi

if [ "${1:-}" = "--tests" ]; then
  # The check below reads these same pins: changing one here makes the next run install it.
  pins=("huggingface_hub==2.4.0" "pytest==9.0.3" "selenium==4.51.0" "feedparser==6.0.14" "openapi-spec-validator==0.9.0")
  python3 - "${pins[@]}" <<'PY' 2>/dev/null || { echo "setup: installing Python test packages"; python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore "${pins[@]}"; }
import sys
from importlib.metadata import version
for pin in sys.argv[1:]:
    name, wanted = pin.split("==")
    assert version(name) == wanted, pin
import huggingface_hub, pytest, selenium, feedparser, openapi_spec_validator
PY
fi
