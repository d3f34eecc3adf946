#!/usr/bin/env python3
"""The peer of the import benchmark: a plain Python `sqlite3` loader for Kaggle/Cornell
`arxiv-metadata-oai-snapshot.json` lines (plain or gzip, detected by magic bytes).

It does the same work as the Swift importer, into the same schema, so the two can be compared in
records per second: parse each line, validate the arXiv id, collapse white space in title and
abstract, build the author list from `authors_parsed`, turn version dates into timestamps, then
look the paper up by id and INSERT it, UPDATE it when the version is newer, or leave it unchanged.
One transaction per batch of 2,000 records, as `paperboy import` commits by default. Prints one summary line at the end.

    python3 bench/python_loader.py --db /tmp/peer.sqlite /tmp/kaggle-1m.jsonl
"""
import argparse, gzip, json, re, sqlite3, sys, time

SCHEMA = [
    "CREATE TABLE IF NOT EXISTS papers (id TEXT NOT NULL PRIMARY KEY, version INTEGER NOT NULL DEFAULT 0, "
    "title TEXT NOT NULL, abstract TEXT NOT NULL, authors TEXT NOT NULL, categories TEXT NOT NULL, "
    "published TEXT, updated TEXT, comment TEXT, journal_ref TEXT, doi TEXT, license TEXT, github_repo TEXT, "
    "project_page TEXT, featured_date TEXT, submitted_by TEXT, upvotes INTEGER NOT NULL DEFAULT 0, "
    "num_comments INTEGER NOT NULL DEFAULT 0, github_stars INTEGER, organization TEXT, "
    "deleted INTEGER NOT NULL DEFAULT 0)",
    "CREATE INDEX IF NOT EXISTS papers_by_featured_date ON papers (featured_date, upvotes DESC) WHERE featured_date IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS papers_by_upvotes ON papers (upvotes DESC) WHERE upvotes > 0",
    "CREATE INDEX IF NOT EXISTS papers_by_published ON papers (published)",
    # Paperboy's search queue (migration 003): every new paper is noted for the search index,
    # which is built after the load.
    "CREATE TABLE IF NOT EXISTS search_pending (paper_rowid INTEGER PRIMARY KEY)",
    "CREATE TRIGGER IF NOT EXISTS papers_search_on_insert AFTER INSERT ON papers BEGIN "
    "INSERT OR IGNORE INTO search_pending VALUES (new.rowid); END",
    # And its embedding queue (migration 004).
    "CREATE TABLE IF NOT EXISTS embedding_pending (paper_rowid INTEGER PRIMARY KEY)",
    "CREATE TRIGGER IF NOT EXISTS papers_embedding_on_insert AFTER INSERT ON papers BEGIN "
    "INSERT OR IGNORE INTO embedding_pending VALUES (new.rowid); END",
]
INSERT = ("INSERT INTO papers (id, version, title, abstract, authors, categories, published, updated, "
          "comment, journal_ref, doi, license) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
UPDATE = ("UPDATE papers SET version = ?, title = ?, abstract = ?, authors = ?, categories = ?, "
          "published = ?, updated = ?, comment = ?, journal_ref = ?, doi = ?, license = ? WHERE id = ?")
SELECT = "SELECT version FROM papers WHERE id = ?"

NEW_ID = re.compile(r"(\d\d)(\d\d)\.(\d{4,5})")           # 0704.0001, 2501.01234
OLD_ID = re.compile(r"[a-z-]+(\.[A-Z]{2})?/\d{7}")          # hep-th/9901001, math.AG/0601001
CATEGORY = re.compile(r"[a-z-]{2,16}(\.[A-Za-z-]{1,16})?")  # cs.CL, hep-th, cond-mat.mes-hall
MONTHS = {m: i for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), 1)}


def valid_id(text):
    """New style YYMM.NNNN (0704..1412) or YYMM.NNNNN (from 1501), or old style archive/YYMMNNN."""
    if not isinstance(text, str):
        return False
    m = NEW_ID.fullmatch(text)
    if m:
        yymm = int(m[1] + m[2])
        return 1 <= int(m[2]) <= 12 and yymm >= 704 and len(m[3]) == (5 if yymm >= 1501 else 4)
    return OLD_ID.fullmatch(text) is not None


def timestamp(rfc):
    """Hand-written RFC 2822 reader: 'Mon, 2 Apr 2007 19:18:42 GMT' -> '2007-04-02T19:18:42Z'.
    The weekday is optional; only GMT/UT/+0000 dates occur in the snapshot. None if unreadable."""
    if not rfc:
        return None
    parts = rfc.split()
    if parts and parts[0].endswith(","):
        parts = parts[1:]
    if len(parts) < 4 or parts[1] not in MONTHS or not parts[0].isdigit() or not parts[2].isdigit():
        return None
    clock = parts[3].split(":")
    if len(clock) == 2:
        clock.append("00")
    if len(clock) != 3 or not all(c.isdigit() for c in clock):
        return None
    h, mi, s = (int(c) for c in clock)
    return f"{int(parts[2]):04d}-{MONTHS[parts[1]]:02d}-{int(parts[0]):02d}T{h:02d}:{mi:02d}:{s:02d}Z"


def text(value):
    """White space collapsed; None when absent or blank."""
    if not isinstance(value, str):
        return None
    return " ".join(value.split()) or None


def record(line):
    """One Kaggle line -> the row's values (id first), or None when rejected."""
    try:
        o = json.loads(line)
    except ValueError:
        return None
    if not isinstance(o, dict) or not valid_id(o.get("id")):
        return None
    title = text(o.get("title"))
    if title is None:  # a new paper needs a title (as in the importer)
        return None
    authors = []
    for entry in o.get("authors_parsed") or []:
        if isinstance(entry, list) and entry:  # [keyname, forenames, suffix] -> "Forenames Keyname Suffix"
            keyname, forenames, suffix = (text(p) for p in (entry + [None, None])[:3])
            name = " ".join(p for p in (forenames, keyname, suffix) if p)
            if name:
                authors.append(name)
    version, published, updated = 0, None, None
    versions = o.get("versions") or []
    if versions:
        try:
            numbered = sorted((int(v["version"].removeprefix("v")), v.get("created")) for v in versions)
        except (KeyError, TypeError, ValueError, AttributeError):
            return None
        version = numbered[-1][0]
        published, updated = timestamp(numbered[0][1]), timestamp(numbered[-1][1])
    categories = []  # arXiv categories only (MSC/ACM classes dropped), no duplicates, as the importer
    for token in (o.get("categories") or "").split():
        if CATEGORY.fullmatch(token) and token not in categories:
            categories.append(token)
    authors_json = json.dumps(authors, ensure_ascii=False, separators=(",", ":"))  # compact, as the importer
    return (o["id"], version, title, text(o.get("abstract")) or "", authors_json, " ".join(categories),
            published, updated, text(o.get("comments")), text(o.get("journal-ref")), text(o.get("doi")),
            text(o.get("license")))


def open_input(path):
    with open(path, "rb") as f:
        magic = f.read(2)
    return gzip.open(path, "rb") if magic == b"\x1f\x8b" else open(path, "rb", buffering=1 << 20)


def main():
    ap = argparse.ArgumentParser(description="Load a Kaggle arXiv snapshot into SQLite (benchmark peer).")
    ap.add_argument("--db", required=True, help="SQLite database (created with the schema if absent)")
    ap.add_argument("--batch", type=int, default=2000, help="records per transaction (default 2000, as paperboy import)")
    ap.add_argument("file", help="Kaggle JSON-lines file, plain or gzip")
    args = ap.parse_args()

    start = time.monotonic()
    db = sqlite3.connect(args.db, isolation_level=None)  # transactions managed by hand
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    for statement in SCHEMA:
        db.execute(statement)
    counts = {"inserted": 0, "updated": 0, "unchanged": 0, "rejected": 0}
    in_batch = 0
    db.execute("BEGIN")
    with open_input(args.file) as lines:
        for line in lines:
            if not line.strip():
                continue
            row = record(line)
            if row is None:
                counts["rejected"] += 1
                continue
            existing = db.execute(SELECT, (row[0],)).fetchone()
            if existing is None:
                db.execute(INSERT, row)
                counts["inserted"] += 1
            elif row[1] > existing[0]:
                db.execute(UPDATE, row[1:] + row[:1])
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
            in_batch += 1
            if in_batch == args.batch:
                db.execute("COMMIT")
                db.execute("BEGIN")
                in_batch = 0
    db.execute("COMMIT")
    db.close()
    seconds = time.monotonic() - start
    total = sum(counts.values())
    print(" ".join(f"{k}={v}" for k, v in counts.items())
          + f" seconds={seconds:.2f} records_per_s={total / seconds if seconds else 0:.0f}")


if __name__ == "__main__":
    main()
