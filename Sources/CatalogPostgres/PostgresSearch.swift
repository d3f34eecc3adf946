import Catalog
import PostgresNIO

/// Keyword search on PostgreSQL full text (schema in migration `001-catalog`): the generated,
/// weighted `search` column (title A, authors B, abstract C) behind a GIN index, ranked by
/// `ts_rank` with the title counting ten times the abstract and the authors four times, as the
/// SQLite backend's BM25 weights do. Query language and results follow `SQLiteSearch`.
///
/// Every word and phrase reaches PostgreSQL as a bound parameter of `plainto_tsquery` or
/// `phraseto_tsquery`, which read plain text: nothing typed is parsed as tsquery syntax, so no
/// input can make a search fail.
extension PostgresCatalog {
    /// ts_rank's weights, in its order {D, C, B, A}: abstract 1, authors 4, title 10 (scaled).
    static let rankWeights = "'{0, 0.1, 0.4, 1.0}'::float4[]"

    /// In a match-any-word search, words found in this many papers or more are left out, as in
    /// the SQLite backend: ranking every paper that has a word most papers have would cost far
    /// more than it tells (papers with all the words come from the match-all search first).
    public static let commonWordPapers = 5_000

    public func searchRanking(_ query: SearchQuery, limit: Int, offset: Int) async throws -> [RankedPaper] {
        guard !query.isEmpty, limit > 0 else { return [] }
        return try await perform("search") {
            var query = query
            if query.matchAnyWord {
                query.words = query.rarest(try await self.uncommonWords(query.topicalWords, below: query.commonWordLimit ?? Self.commonWordPapers))
                if !query.hasTextTerms { return [] }
            }
            var sql = SQLStatement()
            var conditions = ["NOT p.deleted"]
            if !query.categories.isEmpty { conditions.append("lower(p.categories::text)::text[] && \(sql.bind(query.categories.map { $0.lowercased() }))::text[]") }
            if let from = query.publishedFrom { conditions.append("p.published >= \(sql.bind(from))") }
            if let through = query.publishedThrough, let next = DateText.day(through, plus: 1) {
                conditions.append("p.published < \(sql.bind(next))")
            }
            for excluded in query.excluded {
                conditions.append("NOT (p.search @@ phraseto_tsquery('paperboy', \(sql.bind(excluded.joined(separator: " ")))))")
            }
            // An author's name must appear, words together, among the authors (weight B). The
            // match on the whole document lets the GIN index find candidates; ts_filter checks
            // the field.
            var authorQueries: [String] = []
            for author in query.authors {
                let text = sql.bind(author.joined(separator: " "))
                authorQueries.append("phraseto_tsquery('paperboy', \(text))")
                conditions.append("ts_filter(p.search, '{b}') @@ phraseto_tsquery('paperboy', \(text))")
            }
            let terms = query.topicalWords.map { "plainto_tsquery('paperboy', \(sql.bind($0)))" }
                + query.phrases.map { "phraseto_tsquery('paperboy', \(sql.bind($0.joined(separator: " "))))" }
            let words = query.matchAnyWord && terms.count > 1 ? ["(" + terms.joined(separator: " || ") + ")"] : terms
            let match = (words + authorQueries).joined(separator: " && ")
            if match.isEmpty {
                // Filters without words: the matching papers, newest first.
                sql.text = """
                    SELECT p.id, 0::float8 FROM papers p WHERE \(conditions.joined(separator: " AND "))
                    ORDER BY p.published DESC NULLS LAST, p.id DESC
                    """
            } else {
                // The tsquery is computed once, in its own FROM item, for both the match and the rank.
                sql.text = """
                    SELECT p.id, ts_rank(\(Self.rankWeights), p.search, q.query)::float8 AS score
                    FROM papers p, (SELECT \(match) AS query) q
                    WHERE p.search @@ q.query AND \(conditions.joined(separator: " AND "))
                    ORDER BY score DESC, p.published DESC NULLS LAST, p.id DESC
                    """
            }
            sql.text += " LIMIT \(sql.bind(limit)) OFFSET \(sql.bind(max(0, offset)))"
            var ranked: [RankedPaper] = []
            for try await (id, score) in try await self.client.query(sql.query, logger: self.logger).decode((String, Double).self) {
                if let id = ArxivID(id) { ranked.append(RankedPaper(id: id, score: score)) }
            }
            return ranked
        }
    }

    /// The words of `words` found in fewer than `limit` papers, in their order, with how many
    /// papers have each, in one round trip. Counting stops at that number, so this stays cheap
    /// at any size.
    func uncommonWords(_ words: [String], below limit: Int) async throws -> [(word: String, papers: Int)] {
        guard !words.isEmpty else { return [] }
        let rows = try await client.query("""
            SELECT word, papers FROM (
                SELECT w.word, w.n, (SELECT count(*) FROM (
                    SELECT 1 FROM papers WHERE search @@ plainto_tsquery('paperboy', w.word) LIMIT \(limit)
                ) found) AS papers
                FROM unnest(\(words)::text[]) WITH ORDINALITY AS w (word, n)
            ) counted
            WHERE papers < \(limit)
            ORDER BY n
            """, logger: logger)
        var uncommon: [(word: String, papers: Int)] = []
        for try await (word, papers) in rows.decode((String, Int).self) { uncommon.append((word, papers)) }
        return uncommon
    }

    /// The `search` column is generated: every write brings it up to date in the same
    /// statement, so there is never anything to index afterwards.
    public func updateSearchIndex(limit: Int) async throws -> Int { 0 }

    /// Always 0: see `updateSearchIndex`.
    public func searchIndexBacklog() async throws -> Int { 0 }

    /// The vectors themselves are always current; a rebuild rewrites the GIN index over them
    /// (after heavy churn it can be smaller and faster for it).
    public func rebuildSearchIndex() async throws {
        try await perform("rebuild the search index") {
            _ = try await self.client.query("REINDEX INDEX papers_search", logger: self.logger)
        }
    }
}
