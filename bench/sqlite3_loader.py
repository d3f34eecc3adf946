#!/usr/bin/env python3
"""The peer of the import benchmark: a plain Python `sqlite3` loader that does the same work as
`paperboy import` on a Kaggle-format file, into the same schema: parse each line, validate the id,
clean the text, look the paper up, insert it (or update it when the version is newer), commit every
2,000 records.

    python3 bench/sqlite3_loader.py --db /tmp/peer.sqlite /tmp/kaggle-1m.jsonl
"""
import argparse, gzip, json, re, sqlite3, sys, time

SCHEMA = """
CREATE TABLE IF NOT EXISTS papers (id TEXT NOT NULL PRIMARY KEY, version INTEGER NOT NULL DEFAULT 0,
  title TEXT NOT NULL, abstract TEXT NOT NULL, authors TEXT NOT NULL, categories TEXT NOT NULL,
  published TEXT, updated TEXT, comment TEXT, journal_ref TEXT, doi TEXT, license TEXT, github_repo TEXT,
  project_page TEXT, featured_date TEXT, submitted_by TEXT, upvotes INTEGER NOT NULL DEFAULT 0,
  num_comments INTEGER NOT NULL DEFAULT 0, github_stars INTEGER, organization TEXT, deleted INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS papers_by_featured_date ON papers (featured_date, upvotes DESC);
CREATE INDEX IF NOT EXISTS papers_by_upvotes ON papers (upvotes DESC);
CREATE INDEX IF NOT EXISTS papers_by_published ON papers (published);
"""
NEW_ID = re.compile(r"^\d{4}\.\d{4,5}$")
OLD_ID = re.compile(r"^[a-z-]+(\.[A-Z]{2})?/\d{7}$")
MONTHS = {m: i + 1 for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split())}
COLUMNS = ("id version title abstract authors categories published updated comment journal_ref doi license "
           "github_repo project_page").split()


def timestamp(rfc):
    """'Mon, 2 Apr 2007 19:18:42 GMT' -> '2007-04-02T19:18:42Z'."""
    if not rfc:
        return None
    _, day, month, year, clock, _ = rfc.split(" ")
    return f"{year}-{MONTHS[month]:02d}-{int(day):02d}T{clock}Z"


def github(text):
    m = re.search(r"github\.com/([\w.-]+)/([\w.-]+)", text or "")
    return f"https://github.com/{m.group(1)}/{m.group(2).removesuffix('.git').rstrip('.')}" if m else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("file")
    args = ap.parse_args()
    db = sqlite3.connect(args.db)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.executescript(SCHEMA)
    raw = open(args.file, "rb")
    stream = gzip.open(args.file, "rt", encoding="utf-8") if raw.read(2) == b"\x1f\x8b" else open(args.file, encoding="utf-8")
    raw.close()
    counts = dict(inserted=0, updated=0, unchanged=0, rejected=0)
    insert = f"INSERT INTO papers ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
    update = f"UPDATE papers SET {', '.join(c + ' = ?' for c in COLUMNS[1:])} WHERE id = ?"
    start = time.perf_counter()
    pending = 0
    db.execute("BEGIN")
    for line in stream:
        try:
            o = json.loads(line)
            pid = o["id"]
            if not (NEW_ID.match(pid) or OLD_ID.match(pid)):
                raise ValueError(pid)
        except (ValueError, KeyError):
            counts["rejected"] += 1
            continue
        versions = o.get("versions") or []
        abstract = " ".join((o.get("abstract") or "").split())
        comment = " ".join(o["comments"].split()) if o.get("comments") else None
        row = (pid, int(versions[-1]["version"][1:]) if versions else 0, " ".join(o["title"].split()), abstract,
               json.dumps([" ".join(p for p in (a[1], a[0], a[2]) if p) for a in o.get("authors_parsed") or []], ensure_ascii=False),
               o.get("categories") or "", timestamp(versions[0]["created"]) if versions else None,
               timestamp(versions[-1]["created"]) if versions else None, comment, o.get("journal-ref"), o.get("doi"),
               o.get("license"), github(comment) or github(abstract), None)
        stored = db.execute("SELECT version FROM papers WHERE id = ?", (pid,)).fetchone()
        if stored is None:
            db.execute(insert, row)
            counts["inserted"] += 1
        elif row[1] > stored[0]:
            db.execute(update, row[1:] + (pid,))
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
        pending += 1
        if pending >= 2000:
            db.execute("COMMIT")
            db.execute("BEGIN")
            pending = 0
    db.execute("COMMIT")
    seconds = time.perf_counter() - start
    total = sum(counts.values())
    print(" ".join(f"{k}={v}" for k, v in counts.items()) + f" seconds={seconds:.2f} records_per_s={total / seconds:.0f}")


if __name__ == "__main__":
    main()
