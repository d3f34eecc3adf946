import Catalog
import Foundation
import GRDB
import GRDBSQLite

/// Keyword search on SQLite FTS5 (schema in migration `003-keyword-search`): BM25 ranking with
/// the title weighted highest, Porter stemming, phrases, exclusions and filters.
extension SQLiteCatalog {
    /// BM25 weights of the indexed columns: a word in the title counts ten times one in the
    /// abstract, one in the author list four times.
    static let bm25 = "bm25(paper_search, 10.0, 4.0, 1.0)"

    /// In a match-any-word search, words found in this many papers or more are left out. FTS5
    /// scores every matching paper before it can rank them (about a microsecond each), so one
    /// word in most of a million papers would cost a second; a word that common says little
    /// about which paper is meant anyway. Papers with all the words are found by the
    /// match-all search that comes first (`PaperSearch.keywordHits`).
    public static let commonWordPapers = 5_000

    public func searchRanking(_ query: SearchQuery, limit: Int, offset: Int) async throws -> [RankedPaper] {
        guard !query.isEmpty, limit > 0 else { return [] }
        var conditions = ["p.deleted = 0"]
        var arguments: [any DatabaseValueConvertible] = []  // in placeholder order
        if !query.categories.isEmpty {
            conditions.append("(" + query.categories.map { _ in "(' ' || p.categories || ' ') LIKE ? ESCAPE '\\'" }.joined(separator: " OR ") + ")")
            arguments += query.categories.map { "% \(Self.escapeLike($0)) %" }
        }
        if let from = query.publishedFrom { conditions.append("p.published >= ?"); arguments.append(from) }
        if let through = query.publishedThrough, let next = DateText.day(through, plus: 1) {
            conditions.append("p.published < ?")
            arguments.append(next)
        }
        var query = query
        if query.matchAnyWord {
            query.words = try readNow { db in
                query.rarest(try Self.uncommonWords(query.topicalWords, below: query.commonWordLimit ?? Self.commonWordPapers, in: db))
            }
            if !query.hasTextTerms { return [] }
        }
        // Ids and scores only: SQLite computes every selected column for every match before it
        // sorts, so anything costly here (highlights, snippets) would be paid for all of them.
        let sql: String
        if let match = Self.ftsExpression(query) {
            sql = """
                SELECT p.id, \(Self.bm25) FROM paper_search JOIN papers p ON p.rowid = paper_search.rowid
                WHERE paper_search MATCH ? AND \(conditions.joined(separator: " AND "))
                ORDER BY \(Self.bm25) LIMIT ? OFFSET ?
                """
            arguments.insert(match, at: 0)
        } else {
            // Filters without words: the matching papers, newest first, minus any exclusions.
            if let excluded = Self.ftsExpression(excluding: query) {
                conditions.append("p.rowid NOT IN (SELECT rowid FROM paper_search WHERE paper_search MATCH ?)")
                arguments.append(excluded)
            }
            sql = """
                SELECT p.id, 0.0 FROM papers p WHERE \(conditions.joined(separator: " AND "))
                ORDER BY p.published IS NULL, p.published DESC, p.id DESC LIMIT ? OFFSET ?
                """
        }
        func ranked(_ rows: [Row]) -> [RankedPaper] {
            rows.compactMap { row in
                // FTS5's bm25() is lower for better matches.
                ArxivID(row[0] as String).map { RankedPaper(id: $0, score: -(row[1] as Double)) }
            }
        }
        if conditions.count == 1, let match = arguments.first {
            // Words and no filter but `deleted`: rank inside FTS5 first and look up only the
            // best papers, instead of every match (a B-tree lookup each, a third of the time
            // at a million papers). Deleted papers are rare; the ranking fetched is twice as
            // deep as needed, and when deletions leave it short the full query below runs.
            let wanted = max(0, offset) + limit
            let depth = wanted * 2 + 10
            // `matched`: how many the inner ranking held, deleted papers included; under
            // `depth`, it held every match, and what is left after deletions is exact.
            let rows = try readNow { db in
                try Row.fetchAll(db, sql: """
                    SELECT p.id, s.score, s.matched FROM (
                        SELECT rowid, score, count(*) OVER () AS matched FROM (
                            SELECT rowid, \(Self.bm25) AS score FROM paper_search WHERE paper_search MATCH ? ORDER BY score LIMIT ?
                        )
                    ) s JOIN papers p ON p.rowid = s.rowid WHERE p.deleted = 0 ORDER BY s.score
                    """, arguments: [match.databaseValue, depth])
            }
            let found = ranked(rows)
            let sawEveryMatch = rows.first.map { ($0[2] as Int) < depth } ?? false
            if found.count >= wanted || sawEveryMatch {
                return Array(found.dropFirst(max(0, offset)).prefix(limit))
            }
        }
        arguments += [limit, max(0, offset)]
        let bound = StatementArguments(arguments.map { $0.databaseValue })
        return try readNow { db in ranked(try Row.fetchAll(db, sql: sql, arguments: bound)) }
    }

    /// The FTS5 expression for the words, phrases and authors of `query`, with its exclusions;
    /// nil when it has none. Every word is double-quoted, and words hold only letters and digits,
    /// so nothing a user types is read as FTS5 syntax.
    static func ftsExpression(_ query: SearchQuery) -> String? {
        let terms = query.topicalWords.map { quoted([$0]) } + query.phrases.map(quoted)
        let authors = query.authors.map { "authors : " + quoted($0) }
        guard !terms.isEmpty || !authors.isEmpty else { return nil }
        let words = query.matchAnyWord && terms.count > 1 ? ["(" + terms.joined(separator: " OR ") + ")"] : terms
        let all = (words + authors).joined(separator: " AND ")
        guard let excluded = ftsExpression(excluding: query) else { return all }
        return "(\(all)) NOT (\(excluded))"
    }

    static func ftsExpression(excluding query: SearchQuery) -> String? {
        query.excluded.isEmpty ? nil : query.excluded.map(quoted).joined(separator: " OR ")
    }

    /// The words of `words` found in fewer than `limit` papers, with how many papers have each.
    /// Counting stops at that number, so this costs a few milliseconds whatever the catalog's
    /// size.
    static func uncommonWords(_ words: [String], below limit: Int, in db: Database) throws -> [(word: String, papers: Int)] {
        let count = try db.cachedStatement(sql: "SELECT count(*) FROM (SELECT 1 FROM paper_search WHERE paper_search MATCH ? LIMIT ?)")
        return try words.compactMap { word in
            let papers = try Int.fetchOne(count, arguments: [quoted([word]), limit]) ?? 0
            return papers < limit ? (word, papers) : nil
        }
    }

    private static func quoted(_ words: [String]) -> String { "\"" + words.joined(separator: " ") + "\"" }

    public func updateSearchIndex(limit: Int) async throws -> Int {
        try await pool.write { db in
            let queued = try Int64.fetchAll(
                db, sql: "SELECT paper_rowid FROM search_pending ORDER BY paper_rowid LIMIT ?", arguments: [max(1, limit)])
            guard let last = queued.last else { return 0 }
            try db.execute(
                sql: """
                    INSERT INTO paper_search (rowid, title, authors, abstract)
                    SELECT rowid, title, authors, abstract FROM papers
                    WHERE rowid IN (SELECT paper_rowid FROM search_pending WHERE paper_rowid <= ?)
                    """,
                arguments: [last])
            try db.execute(sql: "DELETE FROM search_pending WHERE paper_rowid <= ?", arguments: [last])
            return queued.count
        }
    }

    public func searchIndexBacklog() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM search_pending") ?? 0 }
    }

    /// Rebuilds the whole search index from `papers` (after a VACUUM, which may renumber rowids).
    public func rebuildSearchIndex() async throws {
        try await pool.write { db in
            try db.execute(sql: "INSERT INTO paper_search (paper_search) VALUES ('rebuild'); DELETE FROM search_pending")
        }
    }

    static func escapeLike(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_")
    }
}
