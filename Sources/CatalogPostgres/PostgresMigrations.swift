/// The PostgreSQL schema's history, as its own versioned migrations (the SQLite backend has its
/// own list; the two schemas hold the same things in each engine's idiom). Each migration runs
/// once, in order, in the transaction `PostgresCatalog.migrate` holds; a released migration is
/// never edited, only followed by a new one. Statements are listed one by one because PostgreSQL's
/// extended query protocol takes a single statement per query.
enum PostgresMigrations {
    struct Migration {
        var name: String
        var statements: [String]
    }

    static let all: [Migration] = [catalog, community, digests, embeddingClaims]

    /// ASCII punctuation, each character replaced by a space before text is indexed: `GPT-4`,
    /// `cs.CL` and `Qwen2.5` become separate words, as `SearchQuery.words` splits a query and as
    /// the SQLite backend's FTS5 tokenizer splits text. PostgreSQL's own parser would keep
    /// `-4`, `cs.cl` and `2.5` as single tokens that no typed word could match. A bracket of the
    /// four ASCII punctuation ranges (0x21-0x2F, 0x3A-0x40, 0x5B-0x60, 0x7B-0x7E) for
    /// `regexp_replace`: `translate` with the same 32 characters took 8 times as long on UTF-8
    /// abstracts, most of an import's time on the server.
    private static let punctuation = "[!-/:-@[-`{-~]"

    static let catalog = Migration(name: "001-catalog", statements: [
        // Full-text search in the SQLite backend's terms: English stemming (Snowball, the
        // successor of FTS5's Porter), accents folded (unaccent, shipped with PostgreSQL and a
        // trusted extension a database owner may create), and no stop words: SearchQuery
        // already leaves them out of the words a paper must have, and phrases keep them.
        "CREATE EXTENSION IF NOT EXISTS unaccent",
        "CREATE TEXT SEARCH DICTIONARY paperboy_stem (TEMPLATE = snowball, Language = english)",
        "CREATE TEXT SEARCH CONFIGURATION paperboy (COPY = english)",
        "ALTER TEXT SEARCH CONFIGURATION paperboy ALTER MAPPING REPLACE english_stem WITH paperboy_stem",
        "ALTER TEXT SEARCH CONFIGURATION paperboy ALTER MAPPING FOR hword, hword_part, word WITH unaccent, paperboy_stem",
        // The weighted document: title A, authors B, abstract C (ts_rank's weights then count a
        // title word ten times an abstract word, as the SQLite backend's BM25 weights do). A
        // SQL-standard body (`RETURN`, PostgreSQL 14 on) is bound at creation, so the
        // configuration it names is fixed whatever a session's search_path.
        """
        CREATE FUNCTION paper_search_vector(title text, authors text[], abstract text) RETURNS tsvector
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        RETURN setweight(to_tsvector('paperboy', regexp_replace(title, '\(punctuation)', ' ', 'g')), 'A')
            || setweight(to_tsvector('paperboy', regexp_replace(array_to_string(authors, ' '), '\(punctuation)', ' ', 'g')), 'B')
            || setweight(to_tsvector('paperboy', regexp_replace(abstract, '\(punctuation)', ' ', 'g')), 'C')
        """,
        // `seq` numbers papers in the order they arrived: the order of the embedding queue and
        // a vector's place within its batch (SQLite's rowid plays that part there). Text that is
        // compared or sorted (ids, dates) uses the C collation, byte by byte, as SQLite does,
        // whatever the database's locale. `search` is generated: always current, so this
        // backend has no search backlog. `local_*`: what this site itself added to the counts
        // (votes, comments), which the merge keeps apart from the Hub's; zero until the
        // community tables arrive on this backend.
        """
        CREATE TABLE papers (
            seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
            id text COLLATE "C" PRIMARY KEY,
            version integer NOT NULL DEFAULT 0,
            title text NOT NULL,
            abstract text NOT NULL,
            authors text[] NOT NULL DEFAULT '{}',
            categories text[] NOT NULL DEFAULT '{}',
            published text COLLATE "C",
            updated text COLLATE "C",
            comment text,
            journal_ref text,
            doi text,
            license text,
            github_repo text,
            project_page text,
            featured_date text COLLATE "C",
            submitted_by text,
            upvotes integer NOT NULL DEFAULT 0,
            num_comments integer NOT NULL DEFAULT 0,
            github_stars integer,
            organization text,
            deleted boolean NOT NULL DEFAULT false,
            local_upvotes integer NOT NULL DEFAULT 0,
            local_comments integer NOT NULL DEFAULT 0,
            search tsvector GENERATED ALWAYS AS (paper_search_vector(title, authors, abstract)) STORED
        )
        """,
        // The feeds read featured or upvoted papers only, a small minority of arXiv: partial
        // indexes in each listing's exact order stay small and cost bulk imports nothing.
        // NULLS LAST as the listings say it (PostgreSQL's DESC default is NULLS FIRST): an index
        // in any other order cannot serve them, and finding the latest day sorted every
        // featured paper (60 ms at 10,000 of them, against 0.05 ms).
        "CREATE INDEX papers_by_featured_date ON papers (featured_date DESC NULLS LAST, upvotes DESC, id DESC) WHERE featured_date IS NOT NULL",
        "CREATE INDEX papers_by_upvotes ON papers (upvotes DESC, featured_date DESC NULLS LAST, id DESC) WHERE upvotes > 0",
        "CREATE INDEX papers_by_published ON papers (published DESC NULLS LAST, id DESC)",
        "CREATE INDEX papers_search ON papers USING gin (search)",
        """
        CREATE TABLE import_checkpoints (
            source text PRIMARY KEY,
            byte_offset bigint NOT NULL,
            record_number bigint NOT NULL,
            updated_at timestamptz NOT NULL DEFAULT now()
        )
        """,
        "CREATE TABLE catalog_state (key text PRIMARY KEY, value text NOT NULL)",
        // Sentence embeddings, one per paper, little-endian Float32 values; `batch` numbers the
        // write that stored each, so a reader picks up exactly what was stored since it looked.
        """
        CREATE TABLE paper_vectors (
            paper_seq bigint PRIMARY KEY REFERENCES papers (seq) ON DELETE CASCADE,
            model text NOT NULL,
            vector bytea NOT NULL,
            batch bigint NOT NULL
        )
        """,
        "CREATE INDEX paper_vectors_by_batch ON paper_vectors (batch, paper_seq)",
        "CREATE TABLE embedding_pending (paper_seq bigint PRIMARY KEY REFERENCES papers (seq) ON DELETE CASCADE)",
        // New papers, and papers whose title or abstract changed (their stale vector dropped),
        // join the embedding queue, whoever writes them. Statement-level triggers with
        // transition tables: one set-based insert per batch, not one call per row.
        """
        CREATE FUNCTION papers_queue_new_for_embedding() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO embedding_pending (paper_seq) SELECT seq FROM inserted_papers ON CONFLICT DO NOTHING;
            RETURN NULL;
        END
        $$
        """,
        """
        CREATE TRIGGER papers_embedding_on_insert AFTER INSERT ON papers
        REFERENCING NEW TABLE AS inserted_papers FOR EACH STATEMENT EXECUTE FUNCTION papers_queue_new_for_embedding()
        """,
        """
        CREATE FUNCTION papers_requeue_changed_text() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            WITH changed AS (
                SELECT n.seq FROM new_papers n JOIN old_papers o ON o.seq = n.seq
                WHERE o.title IS DISTINCT FROM n.title OR o.abstract IS DISTINCT FROM n.abstract
            ), dropped AS (
                DELETE FROM paper_vectors WHERE paper_seq IN (SELECT seq FROM changed)
            )
            INSERT INTO embedding_pending (paper_seq) SELECT seq FROM changed ON CONFLICT DO NOTHING;
            RETURN NULL;
        END
        $$
        """,
        """
        CREATE TRIGGER papers_embedding_on_update AFTER UPDATE ON papers
        REFERENCING OLD TABLE AS old_papers NEW TABLE AS new_papers FOR EACH STATEMENT EXECUTE FUNCTION papers_requeue_changed_text()
        """,
    ])
}
