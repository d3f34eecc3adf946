import GRDB

/// The schema's history. Each migration runs once, in order, inside a transaction; a released
/// migration is never edited, only followed by a new one.
enum SQLiteMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("001-papers") { db in
            try db.execute(sql: """
                CREATE TABLE papers (
                    id TEXT NOT NULL PRIMARY KEY,        -- versionless arXiv id
                    version INTEGER NOT NULL DEFAULT 0,  -- latest known version, 0 if unknown
                    title TEXT NOT NULL,
                    abstract TEXT NOT NULL,
                    authors TEXT NOT NULL,               -- JSON array of names, in order
                    categories TEXT NOT NULL,            -- space-separated, primary first
                    published TEXT,                      -- first version, ISO 8601 UTC
                    updated TEXT,                        -- last update, ISO 8601 UTC
                    comment TEXT,
                    journal_ref TEXT,
                    doi TEXT,
                    license TEXT,
                    github_repo TEXT,
                    project_page TEXT,
                    featured_date TEXT,                  -- YYYY-MM-DD, first day on Daily Papers
                    submitted_by TEXT,
                    upvotes INTEGER NOT NULL DEFAULT 0,
                    num_comments INTEGER NOT NULL DEFAULT 0,
                    github_stars INTEGER,
                    organization TEXT,
                    deleted INTEGER NOT NULL DEFAULT 0   -- withdrawn by an OAI-PMH deleted record
                );
                -- The day, week and month feeds: papers of a day range, best first.
                CREATE INDEX papers_by_featured_date ON papers (featured_date, upvotes DESC);
                -- All-time and trending listings.
                CREATE INDEX papers_by_upvotes ON papers (upvotes DESC);
                CREATE INDEX papers_by_published ON papers (published);

                -- Where an interrupted file import stopped (removed when it finishes).
                CREATE TABLE import_checkpoints (
                    source TEXT NOT NULL PRIMARY KEY,
                    byte_offset INTEGER NOT NULL,
                    record_number INTEGER NOT NULL,
                    updated_at TEXT NOT NULL
                );

                -- Small named values kept between runs, e.g. the last OAI-PMH harvest date.
                CREATE TABLE catalog_state (
                    key TEXT NOT NULL PRIMARY KEY,
                    value TEXT NOT NULL
                );
                """)
        }
        migrator.registerMigration("002-partial-feed-indexes") { db in
            // Only featured or upvoted papers appear in the feeds these indexes serve, and they
            // are a small minority of arXiv: partial indexes stay small, and bulk imports of
            // plain arXiv metadata no longer pay for index entries nobody reads.
            try db.execute(sql: """
                DROP INDEX papers_by_featured_date;
                DROP INDEX papers_by_upvotes;
                CREATE INDEX papers_by_featured_date ON papers (featured_date, upvotes DESC) WHERE featured_date IS NOT NULL;
                CREATE INDEX papers_by_upvotes ON papers (upvotes DESC) WHERE upvotes > 0;
                """)
        }
        migrator.registerMigration("003-keyword-search") { db in
            // Full-text search over title, authors and abstract (Porter stemming, accents
            // folded). The index reads its text from `papers` (external content), so the text
            // is stored once.
            //
            // Writers don't index as they go: a trigger notes each new or changed paper in
            // `search_pending`, and `updateSearchIndex` indexes the backlog in batches after an
            // import (and in the background while serving). A bulk load stays as fast as
            // without search. A changed paper's old text leaves the index at once, so search
            // never shows stale words. `papers` keeps its implicit rowid as the link, which a
            // VACUUM may renumber: run `paperboy db reindex` after one.
            try db.execute(sql: """
                CREATE VIRTUAL TABLE paper_search USING fts5(
                    title, authors, abstract,
                    content = 'papers', content_rowid = 'rowid',
                    tokenize = 'porter unicode61 remove_diacritics 2'
                );
                CREATE TABLE search_pending (paper_rowid INTEGER PRIMARY KEY);
                INSERT INTO search_pending SELECT rowid FROM papers;

                CREATE TRIGGER papers_search_on_insert AFTER INSERT ON papers BEGIN
                    INSERT OR IGNORE INTO search_pending VALUES (new.rowid);
                END;
                -- A paper already indexed whose words change: out with the old text, and
                -- queued for the new. One still queued has nothing in the index to remove.
                CREATE TRIGGER papers_search_on_update AFTER UPDATE OF title, authors, abstract ON papers
                WHEN (old.title IS NOT new.title OR old.authors IS NOT new.authors OR old.abstract IS NOT new.abstract)
                    AND NOT EXISTS (SELECT 1 FROM search_pending WHERE paper_rowid = old.rowid)
                BEGIN
                    INSERT INTO paper_search (paper_search, rowid, title, authors, abstract)
                        VALUES ('delete', old.rowid, old.title, old.authors, old.abstract);
                    INSERT INTO search_pending VALUES (old.rowid);
                END;
                CREATE TRIGGER papers_search_on_delete AFTER DELETE ON papers BEGIN
                    INSERT INTO paper_search (paper_search, rowid, title, authors, abstract)
                        SELECT 'delete', old.rowid, old.title, old.authors, old.abstract
                        WHERE NOT EXISTS (SELECT 1 FROM search_pending WHERE paper_rowid = old.rowid);
                    DELETE FROM search_pending WHERE paper_rowid = old.rowid;
                END;
                """)
        }
        migrator.registerMigration("004-paper-vectors") { db in
            // Sentence embeddings of title and abstract, one per paper, from the model named in
            // `model`. Like the search index, they are made after the papers are written: a
            // trigger queues new papers and papers whose title or abstract changed, and
            // `paperboy embed` (or the server, later) drains the queue in batches. A paper's
            // stale vector is dropped as soon as its text changes.
            try db.execute(sql: """
                CREATE TABLE paper_vectors (
                    paper_rowid INTEGER NOT NULL PRIMARY KEY,
                    model TEXT NOT NULL,
                    vector BLOB NOT NULL              -- little-endian Float32 values
                );
                CREATE TABLE embedding_pending (paper_rowid INTEGER PRIMARY KEY);
                INSERT INTO embedding_pending SELECT rowid FROM papers WHERE deleted = 0;

                CREATE TRIGGER papers_embedding_on_insert AFTER INSERT ON papers BEGIN
                    INSERT OR IGNORE INTO embedding_pending VALUES (new.rowid);
                END;
                CREATE TRIGGER papers_embedding_on_update AFTER UPDATE OF title, abstract ON papers
                WHEN old.title IS NOT new.title OR old.abstract IS NOT new.abstract
                BEGIN
                    DELETE FROM paper_vectors WHERE paper_rowid = old.rowid;
                    INSERT OR IGNORE INTO embedding_pending VALUES (old.rowid);
                END;
                CREATE TRIGGER papers_embedding_on_delete AFTER DELETE ON papers BEGIN
                    DELETE FROM paper_vectors WHERE paper_rowid = old.rowid;
                    DELETE FROM embedding_pending WHERE paper_rowid = old.rowid;
                END;
                """)
        }
        migrator.registerMigration("005-vector-batches") { db in
            // Each stored vector notes the write batch that stored it, so a server holding the
            // vectors in memory can pick up exactly the ones stored since it last looked, by any
            // process, without reloading them all.
            try db.execute(sql: """
                ALTER TABLE paper_vectors ADD COLUMN batch INTEGER NOT NULL DEFAULT 0;
                CREATE INDEX paper_vectors_by_batch ON paper_vectors (batch, paper_rowid);
                """)
        }
        migrator.registerMigration("006-community") { db in
            // Accounts, browser sessions, personal API tokens and upvotes (issue 5). Sessions and
            // tokens are kept as SHA-256 digests of what the browser or client holds; passwords
            // as bcrypt hashes. Times are seconds since 1970.
            //
            // A paper's `upvotes` stays the number every listing sorts and shows, now the sum of
            // `hub_upvotes` (imported from Hugging Face) and `local_upvotes` (votes cast here,
            // one row each in `paper_votes`). A vote adds to both `local_upvotes` and `upvotes`.
            // An import writes `upvotes` only, with the merge rule's max(stored, imported): when
            // that breaks the sum, the import brought a higher Hub count, which the triggers take
            // as the new `hub_upvotes` and add the local votes back to. A re-import never loses
            // local votes.
            try db.execute(sql: """
                CREATE TABLE users (
                    id INTEGER PRIMARY KEY,
                    username TEXT NOT NULL UNIQUE COLLATE NOCASE,
                    email TEXT NOT NULL UNIQUE COLLATE NOCASE,
                    password_hash TEXT NOT NULL,           -- bcrypt
                    role TEXT NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'curator', 'admin')),
                    created_at INTEGER NOT NULL
                );
                CREATE TABLE sessions (
                    token_digest TEXT NOT NULL PRIMARY KEY,  -- SHA-256 of the cookie's token, hex
                    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                    csrf_token TEXT NOT NULL,              -- the token every form of the session carries
                    created_at INTEGER NOT NULL,
                    expires_at INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX sessions_by_expiry ON sessions (expires_at);
                CREATE TABLE api_tokens (
                    id INTEGER PRIMARY KEY,
                    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                    name TEXT NOT NULL,
                    token_digest TEXT NOT NULL UNIQUE,     -- SHA-256 of the token, hex
                    prefix TEXT NOT NULL,                  -- its first characters, to tell tokens apart
                    created_at INTEGER NOT NULL,
                    revoked_at INTEGER
                );
                CREATE INDEX api_tokens_by_user ON api_tokens (user_id);
                CREATE TABLE paper_votes (
                    paper_id TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
                    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                    created_at INTEGER NOT NULL,
                    PRIMARY KEY (paper_id, user_id)
                ) WITHOUT ROWID;
                CREATE INDEX paper_votes_by_user ON paper_votes (user_id, paper_id);

                ALTER TABLE papers ADD COLUMN hub_upvotes INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE papers ADD COLUMN local_upvotes INTEGER NOT NULL DEFAULT 0;
                UPDATE papers SET hub_upvotes = upvotes WHERE upvotes > 0;

                -- Plain arXiv metadata arrives with no upvotes: the condition keeps bulk imports
                -- free of the extra write.
                CREATE TRIGGER papers_hub_upvotes_on_insert AFTER INSERT ON papers
                WHEN new.upvotes <> new.hub_upvotes + new.local_upvotes
                BEGIN
                    UPDATE papers SET hub_upvotes = new.upvotes - new.local_upvotes WHERE rowid = new.rowid;
                END;
                CREATE TRIGGER papers_hub_upvotes_on_update AFTER UPDATE OF upvotes ON papers
                WHEN new.upvotes <> new.hub_upvotes + new.local_upvotes
                BEGIN
                    UPDATE papers SET hub_upvotes = new.upvotes, upvotes = new.upvotes + new.local_upvotes
                        WHERE rowid = new.rowid;
                END;
                """)
        }
        migrator.registerMigration("007-comments") { db in
            // Comments on papers, threaded by `parent_id`, and bans (issue 5). A deleted comment
            // keeps its row (its replies hang from it) with the text cleared; a hidden one keeps
            // its text for curators. Times are seconds since 1970.
            //
            // `num_comments` stays the number the API and pages show, now the sum of
            // `hub_comments` (imported from Hugging Face) and `local_comments` (the visible
            // comments here: neither deleted nor hidden). Each comment change sets both in its
            // own transaction. An import writes `num_comments` only, with the merge rule's
            // max(stored, imported): when that breaks the sum, the import brought a higher Hub
            // count, which the triggers take as the new `hub_comments`, adding local ones back
            // (as `006-community` does for upvotes).
            try db.execute(sql: """
                CREATE TABLE comments (
                    id INTEGER PRIMARY KEY,
                    paper_id TEXT NOT NULL REFERENCES papers (id),
                    user_id INTEGER NOT NULL REFERENCES users (id),
                    parent_id INTEGER REFERENCES comments (id),  -- NULL: on the paper itself
                    body TEXT NOT NULL,                          -- plain text; '' once deleted
                    created_at INTEGER NOT NULL,
                    edited_at INTEGER,
                    deleted INTEGER NOT NULL DEFAULT 0,
                    hidden_reason TEXT CHECK (hidden_reason IN ('spam', 'abuse', 'off-topic', 'resolved')),
                    hidden_by INTEGER REFERENCES users (id),
                    hidden_at INTEGER
                );
                CREATE INDEX comments_by_paper ON comments (paper_id, id);
                CREATE INDEX comments_by_user ON comments (user_id);

                ALTER TABLE users ADD COLUMN banned_at INTEGER;
                ALTER TABLE users ADD COLUMN banned_by INTEGER REFERENCES users (id);
                ALTER TABLE users ADD COLUMN ban_reason TEXT;

                ALTER TABLE papers ADD COLUMN hub_comments INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE papers ADD COLUMN local_comments INTEGER NOT NULL DEFAULT 0;
                UPDATE papers SET hub_comments = num_comments WHERE num_comments > 0;

                CREATE TRIGGER papers_hub_comments_on_insert AFTER INSERT ON papers
                WHEN new.num_comments <> new.hub_comments + new.local_comments
                BEGIN
                    UPDATE papers SET hub_comments = new.num_comments - new.local_comments WHERE rowid = new.rowid;
                END;
                CREATE TRIGGER papers_hub_comments_on_update AFTER UPDATE OF num_comments ON papers
                WHEN new.num_comments <> new.hub_comments + new.local_comments
                BEGIN
                    UPDATE papers SET hub_comments = new.num_comments, num_comments = new.num_comments + new.local_comments
                        WHERE rowid = new.rowid;
                END;
                """)
        }
        migrator.registerMigration("008-submissions") { db in
            // Papers submitted to the daily feed by users (issue 5): who, when (seconds since
            // 1970), what they said, and whether a curator set the rules aside. Submitting sets
            // the paper's own `featured_date` and `submitted_by`, which every listing reads; this
            // table is the record behind them and what the daily cap counts.
            try db.execute(sql: """
                CREATE TABLE submissions (
                    id INTEGER PRIMARY KEY,
                    paper_id TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
                    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                    comment TEXT,
                    overridden INTEGER NOT NULL DEFAULT 0,
                    created_at INTEGER NOT NULL
                );
                CREATE INDEX submissions_by_user ON submissions (user_id, created_at);
                CREATE INDEX submissions_by_paper ON submissions (paper_id, created_at);
                """)
        }
        // Each later area keeps its schema beside its storage code.
        migrator.registerMigration("009-collections", migrate: SQLiteCollectionsSchema.create)
        migrator.registerMigration("010-digests", migrate: SQLiteDigestsSchema.create)
        return migrator
    }
}
