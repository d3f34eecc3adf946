"""Builds the known-item search evaluation of bench/search_benchmark.sh from the real Hugging
Face Daily Papers file: a corpus in which every paper's title is replaced by "Untitled" (the
index must find a paper from its abstract and authors only), and queries that are the real
titles of a deterministic sample of those papers.

    python3 bench/make_search_eval.py HF_FILE OUT_DIR [QUERIES]
"""
import gzip, json, sys
from pathlib import Path

source, out = sys.argv[1], Path(sys.argv[2])
wanted = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
out.mkdir(parents=True, exist_ok=True)
papers = [json.loads(line) for line in gzip.open(source, "rt", encoding="utf-8") if line.strip()]
papers = [p for p in papers if p.get("title") and p.get("abstract")]
with open(out / "corpus.jsonl", "w", encoding="utf-8") as corpus:
    for p in papers:
        corpus.write(json.dumps({**p, "title": "Untitled"}, ensure_ascii=False) + "\n")
step = max(1, len(papers) // wanted)
with open(out / "queries.jsonl", "w", encoding="utf-8") as queries:
    for p in papers[::step][:wanted]:
        queries.write(json.dumps({"id": p["arxiv_id"], "query": " ".join(p["title"].split())}, ensure_ascii=False) + "\n")
print(f"corpus: {len(papers)} papers without titles; queries: {min(wanted, len(papers[::step]))} titles", file=sys.stderr)
