#!/usr/bin/env bash
# Embedding benchmark (not a test): `paperboy embed` (all-MiniLM-L6-v2 in-process, Swift on
# OpenBLAS) against sentence-transformers on PyTorch (CPU), both on THREADS threads, side by side
# in one run, on the same texts: "<title>. <abstract>" of the first PAPERS real papers of
# ../shared/data/hf_daily_papers.jsonl.gz, exactly what `paperboy embed` embeds (the Python side
# reads them from the catalog paperboy imported). The two alternate ROUNDS times; each round
# imports the papers into a fresh catalog first (not timed).
#
# - paperboy: the whole `paperboy embed --threads THREADS --batch-size 64` command, wall clock:
#   process start, model loading, reading the queue from SQLite, embedding, storing the vectors.
# - sentence-transformers: the `encode()` call alone (batch 32, its default;
#   torch.set_num_threads(THREADS)), without the seconds that importing torch and loading the
#   model take (printed apart).
# Prints texts/s for each, the ratio per round and its median, and the lowest cosine between
# paperboy's stored vectors and sentence-transformers' over all the papers (it should be >= 0.9999).
# Results go to bench-out/embed/results.txt. THREADS (default 2, the issue's setting) is given to
# both: 1 compares a core against a core when something else keeps the other core busy.
#
#   bench/embedding_benchmark.sh [PAPERS] [ROUNDS] [THREADS]        (defaults: 1000 3 2)
#
# Needs: a Swift toolchain, OpenBLAS and the model (scripts/setup.sh); python3-venv. Installs
# torch (CPU-only wheel) and sentence-transformers into bench-out/st-venv on first use.
# SWIFT_SCRATCH picks the build folder (default .build); PAPERBOY_MODEL_DIR the model folder;
# PAPERBOY_BIN a paperboy binary to measure instead of building one (to compare two builds).
# Paperboy's linear layers run in bfloat16 where the CPU has AVX512-BF16; PAPERBOY_EMBED_FP32=1
# (passed through) measures its Float32 path instead. The header line says which one ran.
set -euo pipefail
cd "$(dirname "$0")/.."
papers=${1:-1000}
rounds=${2:-3}
threads=${3:-2}
out=bench-out/embed
mkdir -p "$out"
model=${PAPERBOY_MODEL_DIR:-models/all-MiniLM-L6-v2}
[ -f "$model/model.safetensors" ] || { echo "no model in $model: run scripts/setup.sh" >&2; exit 1; }

venv=bench-out/st-venv
if ! "$venv/bin/python" -c 'import sentence_transformers, torch' 2>/dev/null; then
  echo "installing torch (CPU) and sentence-transformers into $venv ..."
  python3 -m venv "$venv" 2>/dev/null || { apt-get install -y python3-venv >/dev/null && python3 -m venv "$venv"; }
  "$venv/bin/pip" install -q "torch==2.13.0+cpu" "sentence-transformers==6.2.0" "transformers==5.24.0"
fi

scratch=${SWIFT_SCRATCH:-.build}
bin=${PAPERBOY_BIN:-$scratch/release/paperboy}
if [ -z "${PAPERBOY_BIN:-}" ]; then
  echo "building paperboy (release, $scratch) ..."
  swift build -c release --scratch-path "$scratch" --product paperboy >/dev/null
fi

input="$out/papers-$papers.jsonl"
[ -f "$input" ] || { zcat ../shared/data/hf_daily_papers.jsonl.gz || true; } | head -n "$papers" >"$input"
db="$out/catalog.sqlite"

{
  echo "$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)); $(date -u +%FT%TZ)"
  echo "input: $input ($papers papers), model: $model, $threads threads, $rounds rounds"
  echo "paperboy: commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- Sources/Embeddings Sources/CMatrixKernels || echo ', the embedder changed since')"
  if [ -n "${PAPERBOY_EMBED_FP32:-}" ] && [ "${PAPERBOY_EMBED_FP32}" != 0 ]; then
    echo "paperboy precision: float32 (PAPERBOY_EMBED_FP32=$PAPERBOY_EMBED_FP32)"
  elif grep -qw avx512_bf16 /proc/cpuinfo 2>/dev/null; then
    echo "paperboy precision: bfloat16 linear layers (the CPU has avx512_bf16)"
  else
    echo "paperboy precision: float32 (the CPU has no avx512_bf16)"
  fi
  echo "peer: $("$venv/bin/python" -c 'import torch, transformers, sentence_transformers as s; print(f"sentence-transformers {s.__version__}, transformers {transformers.__version__}, torch {torch.__version__}")')"
} | tee "$out/results.txt"

# The import must leave the papers queued, not embed them itself (builds that can have --no-embed).
no_embed=$("$bin" import --help 2>&1 | grep -q -- --no-embed && echo --no-embed || true)
rows=()
for round in $(seq "$rounds"); do
  rm -f "$db" "$db-wal" "$db-shm"
  "$bin" import --database "$db" --no-search-index $no_embed "$input" >"$out/import.log" 2>&1
  echo "round $round: paperboy embed ..."
  /usr/bin/time -f "%e %M" -o "$out/time" "$bin" embed --database "$db" --model "$model" \
    --threads "$threads" --batch-size 64 >"$out/embed.log" 2>&1
  read -r wall peak <"$out/time"
  tail -n 1 "$out/embed.log"
  echo "round $round: sentence-transformers ..."
  "$venv/bin/python" bench/st_embed.py --db "$db" --model "$model" --threads "$threads" --batch-size 32 \
    --compare "$db" >"$out/st.log" 2>"$out/st.err" || { cat "$out/st.err" >&2; exit 1; }
  read -r texts seconds load tokens < <(head -n 1 "$out/st.log")
  tail -n 1 "$out/st.log"
  rows+=("$texts $wall $peak $seconds $load $tokens $(tail -n 1 "$out/st.log" | awk '{print $3}')")
done

printf '%s\n' "${rows[@]}" | python3 -c "
import sys, statistics
rows = [l.split() for l in sys.stdin if l.strip()]
print(f'{\"round\":>5} {\"paperboy texts/s\":>16} {\"wall s\":>7} {\"RSS MiB\":>7} {\"s-t texts/s\":>11} {\"encode s\":>8} {\"load s\":>6} {\"ratio\":>6} {\"min cosine\":>10}')
ratios, ours, theirs = [], [], []
for i, (texts, wall, peak, seconds, load, tokens, cosine) in enumerate(rows, 1):
    a, b = int(texts) / float(wall), int(texts) / float(seconds)
    ours.append(a); theirs.append(b); ratios.append(a / b)
    print(f'{i:>5} {a:16.1f} {float(wall):7.2f} {int(peak) / 1024:7.0f} {b:11.1f} {float(seconds):8.2f} {float(load):6.2f} {a / b:6.2f} {float(cosine):10.8f}')
texts, tokens = int(rows[0][0]), int(rows[0][5])
print(f'{texts} texts, {tokens / texts:.0f} tokens each on average (after truncation to 256)')
print(f'median: paperboy {statistics.median(ours):.1f} texts/s, sentence-transformers {statistics.median(theirs):.1f} texts/s, '
      f'ratio {statistics.median(ratios):.2f}x (per round: {\", \".join(f\"{r:.2f}\" for r in ratios)}); '
      f'lowest cosine {min(float(r[6]) for r in rows):.8f}')
" | tee -a "$out/results.txt"
