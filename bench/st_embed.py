#!/usr/bin/env python3
"""The peer of `paperboy embed` in bench/embedding_benchmark.sh: sentence-transformers on PyTorch
(CPU, a fixed number of threads) embedding the very texts paperboy embeds, read from the same
catalog: "<title>. <abstract>" of every paper, in rowid order (the order of paperboy's queue).

Prints one line, `texts seconds load_seconds tokens`: the texts encoded, the time of the
`encode()` call alone (not the imports and model loading, which are `load_seconds`), and the
tokens the model saw (after truncation to max_seq_length, [CLS] and [SEP] included).

With --compare CATALOG (a catalog `paperboy embed` has filled), it also compares the vectors:
the cosine of paperboy's and sentence-transformers' vector for every paper, and prints
`cosine min <min> mean <mean> over <n> papers` on a second line.
"""
import argparse
import sqlite3
import time

parser = argparse.ArgumentParser()
parser.add_argument("--db", required=True, help="catalog to read the texts from")
parser.add_argument("--model", required=True, help="sentence-transformers model folder")
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--batch-size", type=int, default=32)
parser.add_argument("--compare", help="catalog with paperboy's vectors (table paper_vectors)")
args = parser.parse_args()

started = time.perf_counter()
import numpy as np  # noqa: E402
import torch  # noqa: E402

torch.set_num_threads(args.threads)
torch.set_num_interop_threads(1)
from sentence_transformers import SentenceTransformer  # noqa: E402

model = SentenceTransformer(args.model, device="cpu")
load_seconds = time.perf_counter() - started

with sqlite3.connect(f"file:{args.db}?mode=ro", uri=True) as db:
    rows = db.execute("SELECT id, title, abstract FROM papers WHERE deleted = 0 ORDER BY rowid").fetchall()
ids = [row[0] for row in rows]
texts = [f"{title}. {abstract}" for _, title, abstract in rows]

with torch.inference_mode():
    start = time.perf_counter()
    vectors = model.encode(texts, batch_size=args.batch_size, normalize_embeddings=True, convert_to_numpy=True,
                           show_progress_bar=False)
    seconds = time.perf_counter() - start

tokenizer = model.tokenizer
limit = model.max_seq_length
tokens = sum(len(ids_) for ids_ in tokenizer(texts, truncation=True, max_length=limit)["input_ids"])
print(len(texts), f"{seconds:.3f}", f"{load_seconds:.3f}", tokens)

if args.compare:
    with sqlite3.connect(f"file:{args.compare}?mode=ro", uri=True) as db:
        stored = dict(db.execute(
            "SELECT p.id, v.vector FROM paper_vectors v JOIN papers p ON p.rowid = v.paper_rowid").fetchall())
    missing = [paper for paper in ids if paper not in stored]
    if missing:
        raise SystemExit(f"{len(missing)} papers have no vector from paperboy, e.g. {missing[:3]}")
    theirs = np.stack([np.frombuffer(stored[paper], dtype="<f4") for paper in ids]).astype(np.float64)
    ours = vectors.astype(np.float64)
    cosines = (theirs * ours).sum(1) / np.linalg.norm(theirs, axis=1) / np.linalg.norm(ours, axis=1)
    worst = int(cosines.argmin())
    print(f"cosine min {cosines.min():.8f} mean {cosines.mean():.8f} over {len(ids)} papers "
          f"(1 - min = {1 - cosines.min():.1e}, worst: {ids[worst]})")
