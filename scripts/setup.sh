#!/usr/bin/env bash
# Installs what Paperboy needs on a fresh Debian machine with Swift: system libraries (SQLite,
# zlib) and, with --tests, the Python packages the tests drive Paperboy with (the real Hugging
# Face Hub client, pytest). Safe to run again: it installs only what is missing.
set -euo pipefail

packages=(libsqlite3-dev zlib1g-dev)
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
  python3 - <<'PY' 2>/dev/null || { echo "setup: installing Python test clients"; python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore "huggingface_hub==2.4.0" pytest; }
import huggingface_hub, pytest
assert huggingface_hub.__version__ == "2.4.0"
PY
fi
