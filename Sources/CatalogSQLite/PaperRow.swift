import Catalog
import Foundation
import GRDB
import GRDBSQLite

/// Maps `Paper` to and from a row of the `papers` table, column by column, by hand: imports
/// write hundreds of thousands of rows a minute and cannot afford a generic encoder.
enum PaperRow {
    static let columns = [
        "id", "version", "title", "abstract", "authors", "categories", "published", "updated", "comment",
        "journal_ref", "doi", "license", "github_repo", "project_page", "featured_date", "submitted_by",
        "upvotes", "num_comments", "github_stars", "organization", "deleted",
    ]
    static let columnList = columns.joined(separator: ", ")
    static let insertSQL =
        "INSERT INTO papers (\(columnList)) VALUES (\(Array(repeating: "?", count: columns.count).joined(separator: ", ")))"
    /// Writes the Hub's part of the counts with the totals (the total less the local part, as
    /// the row holds it), so the sums stay exact and the triggers of `006-community` and
    /// `007-comments`, which read a total that breaks the sum as a new Hub count, stay quiet.
    static let updateSQL = """
        UPDATE papers SET \(columns.dropFirst().map { "\($0) = ?" }.joined(separator: ", ")),
            hub_upvotes = ? - local_upvotes, hub_comments = ? - local_comments
        WHERE id = ?
        """
    /// `SELECT` of a paper by id with its local counts after the columns, for `fetchForMerge`.
    static let selectForMergeSQL = "SELECT \(columnList), local_upvotes, local_comments FROM papers WHERE id = ?"

    // Imports bind and read columns through the SQLite C API on GRDB's prepared statements:
    // GRDB's generic argument and row types cost more than the rest of the work per record.

    /// Binds every column but the id, in `columns` order, from parameter `first` on.
    private static func bindValues(_ p: Paper, to statement: SQLiteStatement, from first: Int32) {
        var i = first
        func next() -> Int32 { defer { i += 1 }; return i }
        bind(statement, next(), p.version)
        bind(statement, next(), p.title)
        bind(statement, next(), p.abstract)
        bind(statement, next(), JSONStringArray.encode(p.authors))
        bind(statement, next(), p.categories.joined(separator: " "))
        bind(statement, next(), p.published)
        bind(statement, next(), p.updated)
        bind(statement, next(), p.comment)
        bind(statement, next(), p.journalRef)
        bind(statement, next(), p.doi)
        bind(statement, next(), p.license)
        bind(statement, next(), p.githubRepo)
        bind(statement, next(), p.projectPage)
        bind(statement, next(), p.featuredDate)
        bind(statement, next(), p.submittedBy)
        bind(statement, next(), p.upvotes)
        bind(statement, next(), p.numComments)
        bind(statement, next(), p.githubStars)
        bind(statement, next(), p.organization)
        bind(statement, next(), p.deleted ? 1 : 0)
    }

    /// Runs `insertSQL` (prepared as `statement`) for `paper`.
    static func insert(_ p: Paper, with statement: Statement, in db: Database) throws {
        let raw = statement.sqliteStatement
        sqlite3_reset(raw)
        bind(raw, 1, p.id.value)
        bindValues(p, to: raw, from: 2)
        try step(raw, in: db)
    }

    /// Runs `updateSQL` (prepared as `statement`) for `paper`.
    static func update(_ p: Paper, with statement: Statement, in db: Database) throws {
        let raw = statement.sqliteStatement
        sqlite3_reset(raw)
        bindValues(p, to: raw, from: 1)
        let after = Int32(columns.count)
        bind(raw, after, p.upvotes)
        bind(raw, after + 1, p.numComments)
        bind(raw, after + 2, p.id.value)
        try step(raw, in: db)
    }

    /// Runs `SELECT columnList FROM papers WHERE id = ?` (prepared as `statement`).
    static func fetch(_ id: ArxivID, with statement: Statement, in db: Database) throws -> Paper? {
        let raw = statement.sqliteStatement
        sqlite3_reset(raw)
        bind(raw, 1, id.value)
        defer { sqlite3_reset(raw) }
        return try nextRow(raw, in: db)
    }

    /// Runs `selectForMergeSQL` (prepared as `statement`): the paper and what this site added to
    /// its counts, which the merge keeps apart from the Hub's.
    static func fetchForMerge(_ id: ArxivID, with statement: Statement, in db: Database) throws -> (paper: Paper, local: LocalCounts)? {
        let raw = statement.sqliteStatement
        sqlite3_reset(raw)
        bind(raw, 1, id.value)
        defer { sqlite3_reset(raw) }
        guard let paper = try nextRow(raw, in: db) else { return nil }
        let after = Int32(columns.count)
        return (paper, LocalCounts(upvotes: Int(sqlite3_column_int64(raw, after)), comments: Int(sqlite3_column_int64(raw, after + 1))))
    }

    /// Every row of `statement`, which selects `columnList` with its arguments already set.
    static func fetchAll(_ statement: Statement, in db: Database) throws -> [Paper] {
        let raw = statement.sqliteStatement
        defer { sqlite3_reset(raw) }
        var papers: [Paper] = []
        while let paper = try nextRow(raw, in: db) { papers.append(paper) }
        return papers
    }

    /// Every row of `statement`, which selects `columnList` and then more columns: `extra`
    /// reads those from the raw statement, starting at column `columns.count`.
    static func fetchAll<Extra>(
        _ statement: Statement, in db: Database, extra: (SQLiteStatement, Int32) -> Extra
    ) throws -> [(Paper, Extra)] {
        let raw = statement.sqliteStatement
        defer { sqlite3_reset(raw) }
        var rows: [(Paper, Extra)] = []
        while let paper = try nextRow(raw, in: db) { rows.append((paper, extra(raw, Int32(columns.count)))) }
        return rows
    }

    /// The text in column `c` of the current row, nil for NULL.
    static func text(_ raw: SQLiteStatement, _ c: Int32) -> String? {
        guard let pointer = sqlite3_column_text(raw, c) else { return nil }
        let count = Int(sqlite3_column_bytes(raw, c))
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }

    /// Steps once and reads the row, in `columns` order; nil when the statement is done.
    private static func nextRow(_ raw: SQLiteStatement, in db: Database) throws -> Paper? {
        switch sqlite3_step(raw) {
        case SQLITE_DONE: return nil
        case SQLITE_ROW: break
        case let code: throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
        }
        func text(_ c: Int32) -> String? { Self.text(raw, c) }
        func int(_ c: Int32) -> Int? {
            sqlite3_column_type(raw, c) == SQLITE_NULL ? nil : Int(sqlite3_column_int64(raw, c))
        }
        // Ids are validated before they are stored; one that no longer parses means the file
        // was edited by hand, which is worth an error rather than a made-up paper.
        guard let id = text(0).flatMap({ ArxivID($0) }) else {
            throw DatabaseError(resultCode: .SQLITE_CORRUPT, message: "papers.id '\(text(0) ?? "")' is not an arXiv id")
        }
        return Paper(
            id: id, version: int(1) ?? 0, title: text(2) ?? "", abstract: text(3) ?? "",
            authors: JSONStringArray.decode(text(4) ?? "[]"),
            categories: (text(5) ?? "").split(separator: " ").map(String.init),
            published: text(6), updated: text(7), comment: text(8), journalRef: text(9), doi: text(10), license: text(11),
            githubRepo: text(12), projectPage: text(13), featuredDate: text(14), submittedBy: text(15),
            upvotes: int(16) ?? 0, numComments: int(17) ?? 0, githubStars: int(18), organization: text(19),
            deleted: (int(20) ?? 0) != 0)
    }

    private static func step(_ raw: SQLiteStatement, in db: Database) throws {
        let code = sqlite3_step(raw)
        sqlite3_reset(raw)
        guard code == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
        }
    }

    /// SQLite copies the bytes before the call returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    private static func bind(_ raw: SQLiteStatement, _ index: Int32, _ value: String?) {
        guard var value else { sqlite3_bind_null(raw, index); return }
        value.withUTF8 { bytes in
            _ = sqlite3_bind_text(raw, index, UnsafeRawPointer(bytes.baseAddress!).assumingMemoryBound(to: CChar.self), Int32(bytes.count), transient)
        }
    }

    private static func bind(_ raw: SQLiteStatement, _ index: Int32, _ value: Int?) {
        guard let value else { sqlite3_bind_null(raw, index); return }
        sqlite3_bind_int64(raw, index, Int64(value))
    }
}

/// A JSON array of strings, written and read without Foundation's JSON machinery.
enum JSONStringArray {
    static func encode(_ strings: [String]) -> String {
        var out: [UInt8] = [UInt8(ascii: "[")]
        out.reserveCapacity(strings.reduce(2) { $0 + $1.utf8.count + 3 })
        for (i, s) in strings.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            JSONString.append(s, to: &out)
        }
        out.append(UInt8(ascii: "]"))
        return String(decoding: out, as: UTF8.self)
    }

    /// Reads what `encode` wrote (and any other JSON array of strings, escapes included)
    /// without Foundation's decoder, which cost more than the rest of a listing's row reading.
    /// Anything unexpected falls back to Foundation.
    static func decode(_ text: String) -> [String] {
        var text = text
        return text.withUTF8 { bytes -> [String]? in
            var out: [String] = []
            var i = 0
            func skipSpaces() { while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 } }
            skipSpaces()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "[") else { return nil }
            i += 1
            skipSpaces()
            if i < bytes.count, bytes[i] == UInt8(ascii: "]") { return [] }
            while i < bytes.count {
                guard bytes[i] == UInt8(ascii: "\"") else { return nil }
                i += 1
                let start = i
                while i < bytes.count, bytes[i] != UInt8(ascii: "\""), bytes[i] != UInt8(ascii: "\\") { i += 1 }
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { return nil }  // escapes: Foundation
                out.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self))
                i += 1
                skipSpaces()
                guard i < bytes.count else { return nil }
                if bytes[i] == UInt8(ascii: "]") { return out }
                guard bytes[i] == UInt8(ascii: ",") else { return nil }
                i += 1
                skipSpaces()
            }
            return nil
        } ?? foundationDecode(text)
    }

    private static func foundationDecode(_ text: String) -> [String] {
        guard let data = text.data(using: .utf8),
              let strings = try? JSONDecoder().decode([String].self, from: data) else { return [] }
        return strings
    }
}
