import Catalog
import Foundation
import GRDB

/// The embedded default backend: the catalog in one SQLite file, through GRDB.
///
/// WAL mode lets the web server read while an import writes; each `apply` is one transaction,
/// so a crash loses at most the batch in flight.
public final class SQLiteCatalog: CatalogStore {
    let pool: DatabasePool
    public let path: String

    /// Opens (creating if needed) the database at `path`. Call `migrate()` before use.
    public init(path: String) throws {
        self.path = path
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            // NORMAL is durable across application crashes in WAL mode; only an OS crash can
            // lose the last transactions, never corrupt the file.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // 64 MiB of page cache per connection (the default is 2 MiB): large imports keep the
            // upper levels of every index in memory as the catalog grows into the millions.
            try db.execute(sql: "PRAGMA cache_size = -65536")
            // Reads through a memory map of the file (up to 2 GiB, SQLite's usual ceiling) rather
            // than a copy per page read: every reader connection shares the OS's one cached copy,
            // where their page caches would each warm their own. Keyword search at a million
            // papers reads doclists from all over the index, and spent a seventh of its time in
            // the kernel copying pages before this.
            try db.execute(sql: "PRAGMA mmap_size = 2147418112")
        }
        do {
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw CatalogError.cannotOpen(path: path, reason: "\(error)")
        }
    }

    /// Runs a short read on the calling thread. The server's reads take well under a
    /// millisecond, and GRDB's async `read` hops to a dispatch queue and back for each one:
    /// under load those hops cost more than the queries. WAL readers never wait for a writer,
    /// so the caller is not held up beyond the query itself. Long reads use `pool.read` (async).
    func readNow<T>(_ body: (Database) throws -> T) throws -> T {
        try pool.read(body)
    }

    public func migrate() async throws {
        // Two processes starting on one file (two `serve`s, or `serve` beside an import) may
        // both find a migration missing: each migration is its own transaction, so the second
        // to run it fails and rolls back ("table already exists") while the first commits.
        // Running again then finds it applied and goes on from there.
        var attempt = 0
        while true {
            do {
                return try SQLiteMigrations.migrator.migrate(pool)
            } catch {
                attempt += 1
                guard attempt < 5 else { throw error }
                try await Task.sleep(for: .milliseconds(50 * attempt))
            }
        }
    }

    /// Names of the migrations applied so far, oldest first.
    public func appliedMigrations() async throws -> [String] {
        try await pool.read { db in try SQLiteMigrations.migrator.appliedIdentifiers(db).sorted() }
    }

    public func apply(_ changes: [CatalogChange], checkpoint: ImportCheckpoint?) async throws -> ImportCounts {
        try await pool.write { db in
            var counts = ImportCounts()
            let select = try db.cachedStatement(sql: PaperRow.selectForMergeSQL)
            let insert = try db.cachedStatement(sql: PaperRow.insertSQL)
            let update = try db.cachedStatement(sql: PaperRow.updateSQL)
            for change in changes {
                let stored = try PaperRow.fetchForMerge(change.id, with: select, in: db)
                let outcome: MergeOutcome
                switch change {
                case .upsert(let record): outcome = merge(stored: stored?.paper, with: record, local: stored?.local ?? .none)
                case .delete: outcome = mergeDeletion(stored: stored?.paper)
                }
                switch outcome {
                case .insert(let paper):
                    try PaperRow.insert(paper, with: insert, in: db)
                    counts.inserted += 1
                case .update(let paper):
                    try PaperRow.update(paper, with: update, in: db)
                    if case .delete = change { counts.deleted += 1 } else { counts.updated += 1 }
                case .unchanged:
                    counts.unchanged += 1
                case .rejected(let reason):
                    counts.refused.append(RefusedRecord(id: change.id, reason: reason))
                }
            }
            if counts.inserted + counts.updated + counts.deleted > 0 {
                try db.execute(sql: """
                    INSERT INTO catalog_state (key, value) VALUES ('content_version', '1')
                    ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1
                    """)
            }
            if let checkpoint {
                try db.execute(
                    sql: """
                        INSERT INTO import_checkpoints (source, byte_offset, record_number, updated_at)
                        VALUES (?, ?, ?, ?)
                        ON CONFLICT(source) DO UPDATE SET byte_offset = excluded.byte_offset,
                            record_number = excluded.record_number, updated_at = excluded.updated_at
                        """,
                    arguments: [checkpoint.source, checkpoint.byteOffset, checkpoint.recordNumber, Self.now()])
            }
            return counts
        }
    }

    public func paper(_ id: ArxivID) async throws -> Paper? {
        try readNow { db in
            try PaperRow.fetch(id, with: db.cachedStatement(sql: "SELECT \(PaperRow.columnList) FROM papers WHERE id = ?"), in: db)
        }
    }

    public func papers(ids: [ArxivID]) async throws -> [Paper] {
        guard !ids.isEmpty else { return [] }
        return try readNow { db in
            let statement = try db.cachedStatement(sql: "SELECT \(PaperRow.columnList) FROM papers WHERE id = ?")
            return try ids.compactMap { id in try PaperRow.fetch(id, with: statement, in: db).flatMap { $0.deleted ? nil : $0 } }
        }
    }

    public func papers(_ query: PaperQuery) async throws -> [Paper] {
        var conditions = ["deleted = 0"]
        var arguments: [String] = []
        if let day = query.featuredOn { conditions.append("featured_date = ?"); arguments.append(day) }
        if let from = query.featuredFrom { conditions.append("featured_date >= ?"); arguments.append(from) }
        if let through = query.featuredThrough { conditions.append("featured_date <= ?"); arguments.append(through) }
        if let submitter = query.submittedBy { conditions.append("submitted_by = ?"); arguments.append(submitter) }
        if let category = query.category {
            // Categories are stored space-separated; pad both sides so `cs.C` never matches `cs.CL`.
            conditions.append("(' ' || categories || ' ') LIKE ? ESCAPE '\\'")
            arguments.append("% \(Self.escapeLike(category)) %")
        }
        let hasFeaturedFilter = query.featuredOn != nil || query.featuredFrom != nil || query.featuredThrough != nil
        let limit = max(0, query.limit)
        let offset = max(0, query.offset)
        let byPublished = "published IS NULL, published DESC, id DESC"
        let filters = conditions
        let filterArguments = arguments

        // Upvote and featured orderings read the partial feed indexes, which hold only upvoted or
        // featured papers. Without a day filter, the list goes on with the other papers, newest
        // first, so a catalog of plain arXiv metadata still lists everything.
        let indexed: (condition: String, order: String)? = switch query.order {
        case .upvotes: hasFeaturedFilter ? nil : ("upvotes > 0", "upvotes DESC, featured_date DESC, id DESC")
        case .featured: hasFeaturedFilter ? nil : ("featured_date IS NOT NULL", "featured_date DESC, upvotes DESC, id DESC")
        case .published: nil
        }
        return try readNow { db in
            func fetch(_ extra: [String], order: String, limit: Int, offset: Int) throws -> [Paper] {
                let sql = """
                    SELECT \(PaperRow.columnList) FROM papers WHERE \((filters + extra).joined(separator: " AND "))
                    ORDER BY \(order) LIMIT ? OFFSET ?
                    """
                var bound = StatementArguments(filterArguments)
                bound += [limit, offset]
                // Listings repeat a handful of query shapes: keep them compiled.
                let statement = try db.cachedStatement(sql: sql)
                try statement.setArguments(bound)
                return try PaperRow.fetchAll(statement, in: db)
            }
            guard let indexed else {
                let order = switch query.order {
                case .upvotes: "upvotes DESC, featured_date DESC, id DESC"
                case .featured: "featured_date DESC, upvotes DESC, id DESC"
                case .published: byPublished
                }
                return try fetch([], order: order, limit: limit, offset: offset)
            }
            let first = try fetch([indexed.condition], order: indexed.order, limit: limit, offset: offset)
            guard first.count < limit else { return first }
            let firstTotal = try Int.fetchOne(
                db, sql: "SELECT count(*) FROM papers WHERE \((filters + [indexed.condition]).joined(separator: " AND "))",
                arguments: StatementArguments(filterArguments)) ?? 0
            let rest = try fetch(
                ["NOT (\(indexed.condition))"], order: byPublished, limit: limit - first.count, offset: max(0, offset - firstTotal))
            return first + rest
        }
    }

    public func paperCount() async throws -> Int {
        try readNow { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM papers WHERE deleted = 0") ?? 0 }
    }

    public func contentVersion() async throws -> Int {
        try readNow { db in
            try String.fetchOne(db, sql: "SELECT value FROM catalog_state WHERE key = 'content_version'").flatMap { Int($0) } ?? 0
        }
    }

    public func featuredDays(around from: String, through: String) async throws -> (before: String?, after: String?) {
        try readNow { db in
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT (SELECT max(featured_date) FROM papers WHERE featured_date IS NOT NULL AND featured_date < ?),
                           (SELECT min(featured_date) FROM papers WHERE featured_date IS NOT NULL AND featured_date > ?)
                    """,
                arguments: [from, through])
            return (row?[0], row?[1])
        }
    }

    public func checkpoint(source: String) async throws -> ImportCheckpoint? {
        try await pool.read { db in
            try Row.fetchOne(
                db, sql: "SELECT byte_offset, record_number FROM import_checkpoints WHERE source = ?", arguments: [source]
            ).map { ImportCheckpoint(source: source, byteOffset: $0[0], recordNumber: $0[1]) }
        }
    }

    public func clearCheckpoint(source: String) async throws {
        try await pool.write { db in try db.execute(sql: "DELETE FROM import_checkpoints WHERE source = ?", arguments: [source]) }
    }

    public func state(_ key: String) async throws -> String? {
        try await pool.read { db in try String.fetchOne(db, sql: "SELECT value FROM catalog_state WHERE key = ?", arguments: [key]) }
    }

    public func setState(_ key: String, to value: String?) async throws {
        try await pool.write { db in
            if let value {
                try db.execute(
                    sql: "INSERT INTO catalog_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    arguments: [key, value])
            } else {
                try db.execute(sql: "DELETE FROM catalog_state WHERE key = ?", arguments: [key])
            }
        }
    }

    private static func now() -> String {
        DateText.timestamp(ISO8601DateFormatter().string(from: Date())) ?? ""
    }
}

/// Errors a backend reports in words a user can act on.
public enum CatalogError: Error, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason): "cannot open the catalog database at \(path): \(reason)"
        }
    }
}
