import Catalog
import CatalogPostgres
import CatalogSQLite
import Foundation

/// Moves an installation from its SQLite file to PostgreSQL (`paperboy db copy`): every table
/// row by row, in pages of one transaction each, then the stored vectors, then a count of
/// every table on both sides.
///
/// Resumable: each page lands in the same transaction as a checkpoint (the last key copied,
/// in `catalog_state` under `db-copy:TABLE`), so a copy stopped at any point starts again
/// after the last page that landed; rows already there are left alone, so nothing is written
/// twice. The checkpoints are removed once the counts agree.
///
/// Both schemas keep the same tables and columns; what differs is made again, not copied:
/// PostgreSQL's generated search vectors, its paper sequence numbers, SQLite's search index and
/// the embedding queue (rebuilt from the papers that have no vector).
public struct DatabaseCopy: Sendable {
    public let source: SQLiteCatalog
    public let target: PostgresCatalog
    /// Rows read and written per transaction.
    public var pageSize = 2_000

    public init(source: SQLiteCatalog, target: PostgresCatalog) {
        self.source = source
        self.target = target
    }

    /// Tables not copied row by row: each engine's own migration records, SQLite's search
    /// bookkeeping, the vectors and their queue, which are keyed by each engine's row numbers
    /// and go through `storeEmbeddings` instead, and the last day's subscribe requests: the
    /// per-address limit's memory, keyed by nothing but SQLite's row numbers, so a second run
    /// could not tell copied rows from new ones. At worst an address may ask a few more times
    /// on the day of the move.
    static let notCopied: Set<String> = [
        "grdb_migrations", "schema_migrations", "search_pending", "paper_vectors", "embedding_pending", "subscription_requests",
    ]
    static let checkpointPrefix = "db-copy:"

    /// What a table holds on each side once the copy is done.
    public struct TableCount: Sendable, Equatable {
        public var table: String
        public var source: Int
        public var target: Int
        public var agrees: Bool { source == target }
    }

    public struct Progress: Sendable {
        public var table: String
        public var copied: Int
        public var total: Int
    }

    /// Copies everything and answers the counts of both sides, table by table. Throws
    /// `DatabaseCopyError.countsDiffer` (after copying) when any count differs.
    public func run(progress: @Sendable (Progress) -> Void = { _ in }) async throws -> [TableCount] {
        try await claimTarget()
        let tables = try await source.dataTables().filter { !Self.notCopied.contains($0) }
        for table in tables {
            try await copy(table: table, progress: progress)
        }
        try await copyVectors(progress: progress)

        // The copy's own checkpoints go first: the target's small named values are then the
        // source's plus the target's own (its content version, say), and are counted as the
        // source's that arrived.
        for table in tables + ["paper_vectors"] { try await target.setState(Self.checkpointPrefix + table, to: nil) }
        // Servers already running on the target see new content.
        try await target.setState("content_version", to: String(try await target.contentVersion() + 1))

        var counts: [TableCount] = []
        for table in tables {
            let here = try await source.rowCount(of: table)
            let there = table == "catalog_state" ? try await arrivedStateKeys() : try await target.rowCount(of: table)
            counts.append(TableCount(table: table, source: here, target: there))
        }
        counts.append(TableCount(
            table: "paper_vectors", source: try await source.rowCount(of: "paper_vectors"), target: try await target.rowCount(of: "paper_vectors")))
        let differing = counts.filter { !$0.agrees }
        if !differing.isEmpty { throw DatabaseCopyError.countsDiffer(differing) }
        return counts
    }

    /// The target must be empty, or hold an earlier copy of this same source (a copy that was
    /// stopped, or one run again to take what was written since). Rows a server wrote to the
    /// target itself could collide with the source's by id, so a target with data of its own
    /// is refused before anything is written.
    private func claimTarget() async throws {
        let origin = URL(fileURLWithPath: source.path).standardizedFileURL.path
        switch try await target.state(Self.originKey) {
        case origin?:
            return
        case let other?:
            throw DatabaseCopyError.copyOfAnother(target.location.description, other)
        case nil:
            for table in ["papers", "users", "subscriptions"] where try await target.rowCount(of: table) > 0 {
                throw DatabaseCopyError.targetNotEmpty(target.location.description)
            }
            try await target.setState(Self.originKey, to: origin)
        }
    }

    /// Where the target's copy came from: kept after the copy, so it can be run again.
    static let originKey = "copied-from"

    /// How many of the source's named values the target has.
    private func arrivedStateKeys() async throws -> Int {
        let rows = try await source.exportRows(of: "catalog_state", after: nil, limit: 1_000_000)
        guard let keyColumn = rows.columns.firstIndex(of: "key") else { return 0 }
        var arrived = 0
        for row in rows.rows {
            guard case .text(let key) = row[keyColumn] else { continue }
            // The content version is the target's own, moved on by the copy.
            let present = try await target.state(key) != nil
            if key == "content_version" || present { arrived += 1 }
        }
        return arrived
    }

    private func copy(table: String, progress: @Sendable (Progress) -> Void) async throws {
        let key = Self.checkpointPrefix + table
        let saved = try await target.state(key)
        if saved == "done" { return }
        let columns = try await target.copyColumns(of: table)
        guard !columns.isEmpty else { throw DatabaseCopyError.missingTable(table) }
        let total = try await source.rowCount(of: table)
        var after = saved.flatMap(CopiedValue.decode(key:))
        var copied = 0
        progress(Progress(table: table, copied: 0, total: total))
        while true {
            let page = try await source.exportRows(of: table, after: after, limit: pageSize)
            guard let last = page.lastKey else { break }
            // Columns only one side has are derived there (SQLite's hub_* counts, for one).
            let shared = columns.filter { page.columns.contains($0.name) }
            try await target.importRows(
                into: table, columns: shared, from: page.columns, rows: page.rows,
                checkpoint: (key, CopiedValue.encode(key: last)))
            copied += page.rows.count
            after = last
            progress(Progress(table: table, copied: copied, total: total))
        }
        try await target.resetIdentities(of: table)
        try await target.setState(key, to: "done")
    }

    /// The vectors of the model in use, in the order they were stored; storing them also takes
    /// their papers off the target's embedding queue.
    private func copyVectors(progress: @Sendable (Progress) -> Void) async throws {
        let key = Self.checkpointPrefix + "paper_vectors"
        let saved = try await target.state(key)
        guard saved != "done", let model = try await source.state("embedding_model") else { return }
        var after = saved.flatMap(VectorPosition.init(checkpoint:))
        let total = try await source.rowCount(of: "paper_vectors")
        var copied = 0
        while true {
            let page = try await source.embeddings(model: model, after: after, limit: pageSize)
            guard let last = page.last else { break }
            try await target.storeEmbeddings(page.map { ($0.id, $0.vector) }, model: model)
            // Storing again is harmless (a vector replaces itself), so the checkpoint may follow
            // the write instead of sharing its transaction.
            try await target.setState(key, to: last.position.checkpoint)
            copied += page.count
            after = last.position
            progress(Progress(table: "paper_vectors", copied: copied, total: total))
        }
        try await target.setState(key, to: "done")
    }
}

public enum DatabaseCopyError: Error, CustomStringConvertible, Equatable {
    case missingTable(String)
    case targetNotEmpty(String)
    case copyOfAnother(String, String)
    case countsDiffer([DatabaseCopy.TableCount])

    public var description: String {
        switch self {
        case .missingTable(let table):
            "the PostgreSQL schema has no table \(table): is this Paperboy older than the SQLite file's?"
        case .targetNotEmpty(let target):
            "\(target) already holds papers, accounts or subscriptions of its own; copy into an empty database"
        case .copyOfAnother(let target, let origin):
            "\(target) holds a copy of \(origin); copy another file into an empty database"
        case .countsDiffer(let counts):
            "the copy is incomplete; rows in SQLite vs PostgreSQL: "
                + counts.map { "\($0.table) \($0.source) vs \($0.target)" }.joined(separator: ", ")
                + ". Run the copy again to finish it; a target that had rows of its own before the copy counts them too."
        }
    }
}

extension VectorPosition {
    /// `batch:item`, as a copy's checkpoint keeps it.
    var checkpoint: String { "\(batch):\(item)" }

    init?(checkpoint text: String) {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let batch = Int64(parts[0]), let item = Int64(parts[1]) else { return nil }
        self.init(batch: batch, item: item)
    }
}
