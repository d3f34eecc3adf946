#!/usr/bin/env python3
"""Makes N lines in the Kaggle/Cornell `arxiv-metadata-oai-snapshot.json` format for the import
benchmark, by repeating and perturbing REAL records from ../shared/data/arxiv_listings.jsonl.gz.

Each line gets a unique, valid new-style arXiv id; titles, abstracts and authors are real, some
with authors reordered, extra versions or dropped optional fields. Deterministic for a seed.

    python3 bench/kaggle_lines.py --lines 1000000 --out /tmp/kaggle-1m.jsonl
"""
import argparse, gzip, json, random, re, sys
from pathlib import Path

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
CATEGORY = re.compile(r"^[a-z-]+(\.[A-Za-z-]+)?$")
DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def rfc2822(year, month, day, hour, minute):
    # Weekday by Zeller-free arithmetic: days since 1970-01-01 (a Thursday).
    import datetime
    d = datetime.date(year, month, day)
    return f"{DAYS[d.weekday()]}, {day} {MONTHS[month - 1]} {year} {hour:02d}:{minute:02d}:{(day * 7) % 60:02d} GMT"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--out", default="-")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    sources = [json.loads(l) for l in gzip.open(SHARED / "data" / "arxiv_listings.jsonl.gz", "rt")]
    out = sys.stdout if args.out == "-" else open(args.out, "w")
    months = [(y, m) for y in range(15, 27) for m in range(1, 13)]  # 1501 … 2612: 144 months
    per_month = -(-args.lines // len(months))
    assert per_month <= 99999, "too many lines for five-digit numbers"
    for n in range(args.lines):
        yy, mm = months[n // per_month]
        number = n % per_month + 1
        src = sources[n % len(sources)]
        authors = list(src["authors"]) or ["Anonymous"]
        if rng.random() < 0.3:
            rng.shuffle(authors)
        cats = [c for c in [src.get("primary_category")] + src.get("categories", []) if c and CATEGORY.match(c)]
        cats = list(dict.fromkeys(cats)) or ["cs.LG"]
        day = number % 28 + 1
        versions = [{"version": "v1", "created": rfc2822(2000 + yy, mm, day, number % 24, number % 60)}]
        for v in range(2, 1 + rng.choice([1, 1, 1, 2, 3, 4])):
            versions.append({"version": f"v{v}", "created": rfc2822(2000 + yy, mm, min(28, day + v), 12, v)})
        record = {
            "id": f"{yy:02d}{mm:02d}.{number:05d}",
            "submitter": authors[0],
            "authors": ", ".join(authors),
            "title": src["title"],
            "comments": src.get("comment") if rng.random() < 0.8 else None,
            "journal-ref": None if rng.random() < 0.9 else "Phys. Rev. D 76, 013009 (2007)",
            "doi": None if rng.random() < 0.85 else f"10.48550/arXiv.{yy:02d}{mm:02d}.{number:05d}",
            "report-no": None,
            "categories": " ".join(cats),
            "license": "http://arxiv.org/licenses/nonexclusive-distrib/1.0/",
            "abstract": "  " + src["abstract"] + "\n",
            "versions": versions,
            "update_date": f"20{yy:02d}-{mm:02d}-{day:02d}",
            "authors_parsed": [[a.split(" ")[-1], " ".join(a.split(" ")[:-1]), ""] for a in authors],
        }
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        if (n + 1) % 100_000 == 0:
            print(f"kaggle_lines: {n + 1} lines", file=sys.stderr)
    out.close()


if __name__ == "__main__":
    main()
