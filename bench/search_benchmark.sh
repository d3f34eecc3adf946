#!/usr/bin/env bash
# Search benchmark (not a test), issue 4. Three measurements, with search-bench
# (bench/SearchBench) running Paperboy's own search code in process:
#
#  1. Retrieval quality: a known-item evaluation on the 9,877 real Hugging Face Daily Papers,
#     indexed without their titles; each query is a paper's real title, and the paper must come
#     back in the top 10. Recall@10 and MRR@10 for keyword, semantic and hybrid search, and for
#     semantic search over exact Float32 vectors (what quantising the index costs).
#  2. Query latency per mode (p50/p99), in process, on the real catalog: both shared files,
#     ~53.7k papers, their real keyword index, and one vector per paper made from 2,000 real
#     ones plus noise (embedding all 53.7k would take half an hour).
#  3. The same at 1M papers: the Kaggle-format lines of bench/import_benchmark.sh, with 1M
#     synthetic vectors (stored vectors plus noise), and the memory the index takes.
#
#   bench/search_benchmark.sh [QUERIES] [PAPERS]     (defaults: 2000 1000000)
# Embedding the evaluation corpus takes about 5 minutes on 2 cores; everything is kept in
# $BENCH_DIR (default /tmp/paperboy-bench) and reused by the next run.
set -euo pipefail
cd "$(dirname "$0")/.."
queries=${1:-2000}
papers=${2:-1000000}
work=${BENCH_DIR:-/tmp/paperboy-bench}
out=bench-out/search
mkdir -p "$work" "$out"
scripts/setup.sh >/dev/null   # the model
swift build -c release --product paperboy >/dev/null
swift build -c release --product search-bench >/dev/null
bin=.build/release/paperboy
bench=.build/release/search-bench

echo "== 1. known-item retrieval quality"
python3 bench/make_search_eval.py ../shared/data/hf_daily_papers.jsonl.gz "$work/eval" "$queries"
"$bin" import --database "$work/eval.sqlite" "$work/eval/corpus.jsonl" | tail -3   # embeds the new papers
"$bench" eval --database "$work/eval.sqlite" --queries "$work/eval/queries.jsonl" | tee "$out/quality.md"

echo "== 2. latency on the real catalog"
head -200 "$work/eval/queries.jsonl" >"$work/eval/latency-queries.jsonl"   # 200 titles a mode
"$bin" import --database "$work/real.sqlite" --no-embed ../shared/data/hf_daily_papers.jsonl.gz ../shared/data/arxiv_listings.jsonl.gz | tail -2
"$bin" embed --database "$work/real.sqlite" --limit 2000 | tail -1   # seeds of the synthetic vectors
real_count=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from papers').fetchone()[0])" "$work/real.sqlite")
"$bench" latency --database "$work/real.sqlite" --queries "$work/eval/latency-queries.jsonl" --synthetic "$real_count" | tee "$out/latency-real.md"

echo "== 3. latency and memory at $papers papers"
big="$work/kaggle-$papers.sqlite"
if [ ! -f "$big" ]; then
  lines="$work/kaggle-$papers.jsonl"
  [ -f "$lines" ] || python3 bench/make_kaggle_lines.py --lines "$papers" --out "$lines"
  "$bin" import --database "$big" --no-embed "$lines" | tail -2
  # Seeds for the synthetic vectors: 2,000 real ones.
  "$bin" embed --database "$big" --limit 2000 | tail -1
fi
"$bench" latency --database "$big" --queries "$work/eval/latency-queries.jsonl" --synthetic "$papers" | tee "$out/latency-$papers.md"
