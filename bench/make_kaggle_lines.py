#!/usr/bin/env python3
"""Generates a large Kaggle/Cornell `arxiv-metadata-oai-snapshot.json` file for the import benchmark.

Every line has the exact shape of a Kaggle snapshot line (same keys in the same order, same types,
compact JSON with \\u escapes) and is built by repeating and perturbing REAL data:

- titles, abstracts, authors, categories and comments come from the 46,670 papers of
  ../shared/data/arxiv_listings.jsonl.gz (categories keep only arXiv-looking tokens, so MSC/ACM
  classes such as "68T45, 62H30" are dropped);
- journal-ref, doi, report-no and license values come from the 200 real lines of
  ../shared/formats/kaggle_arxiv-metadata-oai-snapshot_head.jsonl.

Titles and abstracts are wrapped the way the snapshot wraps them. Each line gets a unique, valid
new-style id (YYMM.NNNNN, months 1501..2612); some lines get shuffled authors, extra versions
(v2..v4, later dates) or null comments/journal-ref/doi. Output is streamed and deterministic for a
seed; `--out` ending in .gz writes gzip.

    python3 bench/make_kaggle_lines.py --lines 1000000 --out /tmp/kaggle-1m.jsonl [--seed 7]
"""
import argparse, datetime, gzip, json, random, re, sys, time
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared"
LISTINGS = SHARED / "data" / "arxiv_listings.jsonl.gz"
KAGGLE_HEAD = SHARED / "formats" / "kaggle_arxiv-metadata-oai-snapshot_head.jsonl"

CATEGORY = re.compile(r"[a-z-]{2,16}(\.[A-Za-z-]{1,16})?")  # cs.CL, hep-th, cond-mat.mes-hall
SUFFIXES = {"Jr", "Jr.", "Sr", "Sr.", "II", "III", "IV"}
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MODERN_LICENSES = [  # licenses arXiv offers today, as URLs the snapshot uses
    "http://arxiv.org/licenses/nonexclusive-distrib/1.0/",
    "http://creativecommons.org/licenses/by/4.0/",
    "http://creativecommons.org/licenses/by-nc-sa/4.0/",
    "http://creativecommons.org/licenses/by-sa/4.0/",
    "http://creativecommons.org/publicdomain/zero/1.0/",
]
ID_MONTHS = [(yy, mm) for yy in range(15, 27) for mm in range(1, 13)]  # 1501..2612: 144 months


def wrap(text, width, indent=""):
    """Greedy line wrap as in the snapshot: lines joined by "\\n" + indent."""
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return ("\n" + indent).join(lines)


def parse_name(name):
    """"Hamid Reza Vaezi Joze" -> ["Joze", "Hamid Reza Vaezi", ""]; a trailing Jr./II is the suffix."""
    parts = name.split()
    suffix = parts.pop() if len(parts) > 2 and parts[-1] in SUFFIXES else ""
    if not parts:
        return ["", "", suffix]
    return [parts[-1], " ".join(parts[:-1]), suffix]


def load_sources():
    """The listings, prepared once: (title, abstract, names, parsed names, categories, comment)."""
    sources = []
    with gzip.open(LISTINGS, "rt", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            names = [" ".join(a.split()) for a in r.get("authors") or [] if a.strip()]
            cats = []
            for token in [r.get("primary_category") or ""] + (r.get("categories") or []):
                token = token.strip()
                if CATEGORY.fullmatch(token) and token not in cats:
                    cats.append(token)
            if not r.get("title") or not names or not cats:
                continue
            title = wrap(r["title"], 72, "  ")
            abstract = "  " + wrap(r.get("abstract") or "", 80) + "\n"
            sources.append((title, abstract, names, [parse_name(n) for n in names], cats, r.get("comment")))
    return sources


def load_kaggle_pools():
    """Real journal-ref, doi, report-no and license values from the Kaggle head file."""
    pools = {"journal-ref": [], "doi": [], "report-no": [], "license": list(MODERN_LICENSES)}
    with open(KAGGLE_HEAD, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            for key, pool in pools.items():
                if r.get(key) and r[key] not in pool:
                    pool.append(r[key])
    return pools


def rfc2822(t):
    return f"{DAYS[t.weekday()]}, {t.day} {MONTHS[t.month - 1]} {t.year} {t:%H:%M:%S} GMT"


def make_line(n, per_month, src, other, rng, pools):
    """The Kaggle object for line n: id from n, text from `src` (abstract sometimes from `other`)."""
    yy, mm = ID_MONTHS[n // per_month]
    paper_id = f"{yy:02d}{mm:02d}.{n % per_month + 1:05d}"
    title, abstract, names, parsed, cats, comment = src
    if rng.random() < 0.05:
        abstract = other[1]
    if len(names) > 1 and rng.random() < 0.2:  # reorder authors, keeping names and parts aligned
        order = list(range(len(names)))
        rng.shuffle(order)
        names, parsed = [names[i] for i in order], [parsed[i] for i in order]
    if comment is None and rng.random() < 0.3:
        comment = f"{rng.randint(4, 40)} pages, {rng.randint(1, 12)} figures"
    elif comment is not None and rng.random() < 0.15:
        comment = None
    published = rng.random() < 0.4
    first = datetime.datetime(2000 + yy, mm, rng.randint(1, 28), rng.randrange(24), rng.randrange(60),
                              rng.randrange(60))
    created = [first]
    for _ in range(rng.choices((0, 1, 2, 3), (55, 30, 10, 5))[0]):  # v1 only, or up to v4
        created.append(created[-1] + datetime.timedelta(days=rng.randint(1, 300), seconds=rng.randrange(86400)))
    updated = created[-1] + datetime.timedelta(days=rng.choice((0, 0, 1, 2, 30, 400)))
    return {
        "id": paper_id,
        "submitter": names[0] if rng.random() < 0.8 else rng.choice(names),
        "authors": ", ".join(names),
        "title": title,
        "comments": comment,
        "journal-ref": rng.choice(pools["journal-ref"]) if published else None,
        "doi": rng.choice(pools["doi"]) if published and rng.random() < 0.85 else None,
        "report-no": rng.choice(pools["report-no"]) if rng.random() < 0.05 else None,
        "categories": " ".join(cats),
        "license": rng.choice(pools["license"]) if rng.random() < 0.7 else None,
        "abstract": abstract,
        "versions": [{"version": f"v{i + 1}", "created": rfc2822(t)} for i, t in enumerate(created)],
        "update_date": f"{updated:%Y-%m-%d}",
        "authors_parsed": parsed,
    }


def main():
    ap = argparse.ArgumentParser(description="Generate Kaggle arXiv snapshot lines from real data.")
    ap.add_argument("--lines", type=int, default=1_000_000, help="number of lines (default 1,000,000)")
    ap.add_argument("--out", default="-", help="output file, '-' for stdout, .gz for gzip")
    ap.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    args = ap.parse_args()
    per_month = max(1, -(-args.lines // len(ID_MONTHS)))
    if per_month > 99999:
        sys.exit(f"at most {99999 * len(ID_MONTHS):,} lines fit in months 1501..2612")

    start = time.monotonic()
    rng = random.Random(args.seed)
    sources, pools = load_sources(), load_kaggle_pools()
    print(f"{len(sources):,} source papers loaded in {time.monotonic() - start:.1f}s", file=sys.stderr)
    if args.out == "-":
        out = sys.stdout
    elif args.out.endswith(".gz"):
        out = gzip.open(args.out, "wt", encoding="utf-8", compresslevel=6)
    else:
        out = open(args.out, "w", encoding="utf-8", buffering=1 << 20)
    encode = json.JSONEncoder(separators=(",", ":")).encode  # ensure_ascii, like the snapshot
    order = list(range(len(sources)))
    chunk = []
    for n in range(args.lines):
        if n % len(sources) == 0:  # each pass over the sources in a new order
            rng.shuffle(order)
        src = sources[order[n % len(sources)]]
        chunk.append(encode(make_line(n, per_month, src, sources[rng.randrange(len(sources))], rng, pools)))
        if len(chunk) == 1000:
            out.write("\n".join(chunk) + "\n")
            chunk.clear()
        if (n + 1) % 100_000 == 0:
            print(f"{n + 1:,} lines, {time.monotonic() - start:.1f}s", file=sys.stderr)
    if chunk:
        out.write("\n".join(chunk) + "\n")
    if out is not sys.stdout:
        out.close()
    else:
        out.flush()
    print(f"done: {args.lines:,} lines in {time.monotonic() - start:.1f}s", file=sys.stderr)


if __name__ == "__main__":
    main()
