import Catalog
import Foundation
import Logging
import PostgresNIO

/// Opens the catalog at a `postgres://` URL, runs its connection pool while `body` runs, and
/// closes it afterwards: the usual way to hold a `PostgresCatalog`.
///
/// The server is reached once before anything else, so a wrong host, port, user, password or
/// database fails at once with a `PostgresCatalogError.unreachable` naming the address (the pool
/// alone would keep retrying for a minute). The schema is not touched: call `migrate()`.
public func withPostgresCatalog<Result: Sendable>(
    url: String, maximumConnections: Int = 10, logger: Logger = Logger(label: "paperboy.postgres"),
    _ body: (PostgresCatalog) async throws -> Result
) async throws -> Result {
    let catalog = PostgresCatalog(location: try PostgresLocation(url: url), maximumConnections: maximumConnections, logger: logger)
    try await catalog.checkReachable()
    // The pool runs in a task of its own, cancelled (which closes it) once `body` has finished
    // or thrown. It is not awaited: a pool whose connections the server killed has been seen to
    // linger in shutdown, and the caller's work is done by then.
    let pool = Task { await catalog.run() }
    defer { pool.cancel() }
    return try await body(catalog)
}

/// The catalog on PostgreSQL through a PostgresNIO connection pool, for several servers and
/// importers sharing one database. It behaves as `SQLiteCatalog` does, method for method (the
/// same tests run against both): the merge rules of `Catalog`, the same listing orders, keyword
/// search with the same query language, the same embedding queue.
///
/// Lifetime: the pool works only while `run()` runs, and stops when that task is cancelled.
/// `withPostgresCatalog(url:)` owns both for a scope; a long-lived owner (the server's service
/// group) may instead call `run()` in a task of its own and cancel it at shutdown. Calls made
/// while `run()` is not running wait.
///
/// Faults: a connection lost during an operation (server restart, network cut) is retried twice,
/// on a fresh connection, after 0.2 s and then 1 s. Every operation may safely run again: `apply`'s
/// merge is idempotent (a batch whose commit was lost in transit comes back as unchanged), and
/// the others read, or write the same values again. While the server stays down, PostgresNIO's
/// pool keeps trying to connect, with back-off, for up to a minute before a request fails;
/// either way the error is a `PostgresCatalogError.connectionLost` naming the server.
///
/// Writers of papers take a transaction-scoped advisory lock, so batches from several processes
/// commit one after the other, as SQLite's single writer does; readers never wait for them.
public final class PostgresCatalog: CatalogStore {
    let client: PostgresClient
    public let location: PostgresLocation
    let logger: Logger

    /// Advisory lock keys (arbitrary, fixed): one for migrations, one for writers of papers,
    /// one for writers of vectors.
    static let migrationLock: Int64 = 0x7061_7065_7262_0001
    static let paperWriterLock: Int64 = 0x7061_7065_7262_0002
    static let vectorWriterLock: Int64 = 0x7061_7065_7262_0003

    public init(location: PostgresLocation, maximumConnections: Int = 10, logger: Logger = Logger(label: "paperboy.postgres")) {
        self.location = location
        self.logger = logger
        // The pool's own messages are for PostgresNIO's developers: a warning when a query is
        // queued in the instant before `run()` starts (harmless: it waits), connection attempts
        // at info. What a user needs (lost connections, retries, errors) this type logs or throws.
        var poolLogger = logger
        poolLogger.logLevel = max(logger.logLevel, .error)
        client = PostgresClient(configuration: location.clientConfiguration(maximumConnections: maximumConnections), backgroundLogger: poolLogger)
    }

    /// Runs the connection pool until the calling task is cancelled. Call it once.
    public func run() async {
        await client.run()
    }

    /// Connects once, outside the pool, and fails with a clear error when that cannot be done.
    public func checkReachable() async throws {
        try await Self.checkReachable(location, logger: logger)
    }

    /// Connects once to `location` and fails with a clear error when that cannot be done.
    public static func checkReachable(_ location: PostgresLocation, logger: Logger) async throws {
        do {
            let connection = try await PostgresConnection.connect(configuration: location.connectionConfiguration, id: 0, logger: logger)
            try? await connection.close()
        } catch {
            throw PostgresCatalogError.unreachable(location, reason: reason(error))
        }
    }

    // MARK: Schema

    public func migrate() async throws {
        try await perform("migrate the schema") {
            try await self.transaction { db in
                // Two processes starting at once: the second waits here until the first has
                // committed, then finds its migrations applied.
                try await db.query("SELECT pg_advisory_xact_lock(\(Self.migrationLock))", logger: self.logger)
                try await db.query("""
                    CREATE TABLE IF NOT EXISTS schema_migrations (
                        name text PRIMARY KEY,
                        applied_at timestamptz NOT NULL DEFAULT now()
                    )
                    """, logger: self.logger)
                var applied = Set<String>()
                for try await name in try await db.query("SELECT name FROM schema_migrations", logger: self.logger).decode(String.self) {
                    applied.insert(name)
                }
                for migration in PostgresMigrations.all where !applied.contains(migration.name) {
                    for statement in migration.statements {
                        try await db.query(PostgresQuery(unsafeSQL: statement), logger: self.logger)
                    }
                    try await db.query("INSERT INTO schema_migrations (name) VALUES (\(migration.name))", logger: self.logger)
                }
            }
        }
    }

    /// Names of the migrations applied so far, oldest first.
    public func appliedMigrations() async throws -> [String] {
        try await perform("read the applied migrations") {
            var names: [String] = []
            for try await name in try await self.client.query("SELECT name FROM schema_migrations ORDER BY name", logger: self.logger).decode(String.self) {
                names.append(name)
            }
            return names
        }
    }

    // MARK: Writing papers

    public func apply(_ changes: [CatalogChange], checkpoint: ImportCheckpoint?) async throws -> ImportCounts {
        try await perform("apply a batch of \(changes.count) changes") {
            try await self.transaction { db in
                try await db.query("SELECT pg_advisory_xact_lock(\(Self.paperWriterLock))", logger: self.logger)
                var stored = try await self.storedForMerge(Set(changes.map(\.id.value)), in: db)
                // Outcomes are merged in Swift, in order (an id may come twice in one batch),
                // and written afterwards in a few multi-row statements.
                var counts = ImportCounts()
                var insertOrder: [String] = []
                var updateOrder: [String] = []
                var isNew = Set<String>()
                for change in changes {
                    let id = change.id.value
                    let current = stored[id]
                    let outcome: MergeOutcome = switch change {
                    case .upsert(let record): merge(stored: current?.paper, with: record, local: current?.local ?? .none)
                    case .delete: mergeDeletion(stored: current?.paper)
                    }
                    switch outcome {
                    case .insert(let paper):
                        stored[id] = (paper, .none)
                        isNew.insert(id)
                        insertOrder.append(id)
                        counts.inserted += 1
                    case .update(let paper):
                        stored[id] = (paper, current?.local ?? .none)
                        if !isNew.contains(id), !updateOrder.contains(id) { updateOrder.append(id) }
                        if case .delete = change { counts.deleted += 1 } else { counts.updated += 1 }
                    case .unchanged:
                        counts.unchanged += 1
                    case .rejected(let reason):
                        counts.refused.append(RefusedRecord(id: change.id, reason: reason))
                    }
                }
                let inserts = insertOrder.compactMap { stored[$0]?.paper }
                for start in stride(from: 0, to: inserts.count, by: PostgresPaperRow.rowsPerStatement) {
                    let chunk = inserts[start..<min(start + PostgresPaperRow.rowsPerStatement, inserts.count)]
                    try await db.query(PostgresPaperRow.insert(chunk).query, logger: self.logger)
                }
                let updates = updateOrder.compactMap { stored[$0]?.paper }
                for start in stride(from: 0, to: updates.count, by: PostgresPaperRow.rowsPerStatement) {
                    let chunk = updates[start..<min(start + PostgresPaperRow.rowsPerStatement, updates.count)]
                    try await db.query(PostgresPaperRow.update(chunk).query, logger: self.logger)
                }
                if counts.inserted + counts.updated + counts.deleted > 0 {
                    try await Self.bumpContentVersion(db, logger: self.logger)
                }
                if let checkpoint {
                    try await db.query("""
                        INSERT INTO import_checkpoints (source, byte_offset, record_number, updated_at)
                        VALUES (\(checkpoint.source), \(checkpoint.byteOffset), \(Int64(checkpoint.recordNumber)), now())
                        ON CONFLICT (source) DO UPDATE SET byte_offset = excluded.byte_offset,
                            record_number = excluded.record_number, updated_at = excluded.updated_at
                        """, logger: self.logger)
                }
                return counts
            }
        }
    }

    /// The stored papers among `ids`, with what this site added to their counts, locked until
    /// the transaction ends. Asked for in slices, each one round trip.
    private func storedForMerge(_ ids: Set<String>, in db: PostgresConnection) async throws -> [String: (paper: Paper, local: LocalCounts)] {
        var stored: [String: (paper: Paper, local: LocalCounts)] = [:]
        let all = Array(ids)
        for start in stride(from: 0, to: all.count, by: 10_000) {
            let slice = Array(all[start..<min(start + 10_000, all.count)])
            let rows = try await db.query("""
                SELECT \(unescaped: PostgresPaperRow.columnList), local_upvotes, local_comments
                FROM papers WHERE id = ANY(\(slice)) FOR UPDATE
                """, logger: logger)
            for try await row in rows {
                let cells = row.makeRandomAccess()
                let paper = try PostgresPaperRow.decode(cells)
                let after = PostgresPaperRow.columns.count
                stored[paper.id.value] = (paper, LocalCounts(upvotes: try cells[after].decode(Int.self), comments: try cells[after + 1].decode(Int.self)))
            }
        }
        return stored
    }

    // MARK: Reading papers

    public func paper(_ id: ArxivID) async throws -> Paper? {
        try await perform("read paper \(id.value)") {
            try await PostgresPaperRow.decodeAll(
                self.client.query("SELECT \(unescaped: PostgresPaperRow.columnList) FROM papers WHERE id = \(id.value)", logger: self.logger)
            ).first
        }
    }

    public func papers(ids: [ArxivID]) async throws -> [Paper] {
        guard !ids.isEmpty else { return [] }
        let found = try await perform("read \(ids.count) papers") {
            try await PostgresPaperRow.decodeAll(self.client.query("""
                SELECT \(unescaped: PostgresPaperRow.columnList) FROM papers WHERE id = ANY(\(ids.map(\.value))) AND NOT deleted
                """, logger: self.logger))
        }
        let byID = Dictionary(found.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        return ids.compactMap { byID[$0] }
    }

    public func papers(_ query: PaperQuery) async throws -> [Paper] {
        var filter = SQLStatement()
        var conditions = ["NOT deleted"]
        if let day = query.featuredOn { conditions.append("featured_date = \(filter.bind(day))") }
        if let from = query.featuredFrom { conditions.append("featured_date >= \(filter.bind(from))") }
        if let through = query.featuredThrough { conditions.append("featured_date <= \(filter.bind(through))") }
        if let submitter = query.submittedBy { conditions.append("submitted_by = \(filter.bind(submitter))") }
        if let category = query.category {
            // Whole categories, ASCII case aside, as SQLite's LIKE compares them.
            conditions.append("\(filter.bind(category.lowercased())) = ANY(lower(categories::text)::text[])")
        }
        let hasFeaturedFilter = query.featuredOn != nil || query.featuredFrom != nil || query.featuredThrough != nil
        let limit = max(0, query.limit)
        let offset = max(0, query.offset)
        // SQLite sorts NULL below everything; PostgreSQL above, unless told: every descending
        // nullable column says NULLS LAST, so both backends list in the same order.
        let byPublished = "published DESC NULLS LAST, id DESC"
        let byUpvotes = "upvotes DESC, featured_date DESC NULLS LAST, id DESC"
        let byFeatured = "featured_date DESC NULLS LAST, upvotes DESC, id DESC"

        // As in SQLite: the upvote and featured orders read their partial index first (upvoted
        // or featured papers only), then, without a day filter, go on with the other papers,
        // newest first, so a catalog of plain arXiv metadata still lists everything.
        let indexed: (condition: String, order: String)? = switch query.order {
        case .upvotes: hasFeaturedFilter ? nil : ("upvotes > 0", byUpvotes)
        case .featured: hasFeaturedFilter ? nil : ("featured_date IS NOT NULL", byFeatured)
        case .published: nil
        }
        func listing(_ extra: [String], order: String, limit: Int, offset: Int) -> SQLStatement {
            var sql = filter
            sql.text = "SELECT \(PostgresPaperRow.columnList) FROM papers WHERE \((conditions + extra).joined(separator: " AND ")) ORDER BY \(order)"
            sql.text += " LIMIT \(sql.bind(limit)) OFFSET \(sql.bind(offset))"
            return sql
        }
        return try await perform("list papers") {
            guard let indexed else {
                let order = switch query.order {
                case .upvotes: byUpvotes
                case .featured: byFeatured
                case .published: byPublished
                }
                return try await PostgresPaperRow.decodeAll(self.client.query(listing([], order: order, limit: limit, offset: offset).query, logger: self.logger))
            }
            let first = try await PostgresPaperRow.decodeAll(
                self.client.query(listing([indexed.condition], order: indexed.order, limit: limit, offset: offset).query, logger: self.logger))
            guard first.count < limit else { return first }
            var count = filter
            count.text = "SELECT count(*) FROM papers WHERE \((conditions + [indexed.condition]).joined(separator: " AND "))"
            let firstTotal = try await self.single(count.query, as: Int.self) ?? 0
            let rest = try await PostgresPaperRow.decodeAll(self.client.query(
                listing(["NOT (\(indexed.condition))"], order: byPublished, limit: limit - first.count, offset: max(0, offset - firstTotal)).query,
                logger: self.logger))
            return first + rest
        }
    }

    public func paperCount() async throws -> Int {
        try await perform("count papers") {
            try await self.single("SELECT count(*) FROM papers WHERE NOT deleted", as: Int.self) ?? 0
        }
    }

    public func contentVersion() async throws -> Int {
        try await perform("read the content version") {
            try await self.single("SELECT value FROM catalog_state WHERE key = 'content_version'", as: String.self).flatMap { Int($0) } ?? 0
        }
    }

    public func featuredDays(around from: String, through: String) async throws -> (before: String?, after: String?) {
        try await perform("read the featured days around \(from)") {
            let rows = try await self.client.query("""
                SELECT (SELECT max(featured_date) FROM papers WHERE featured_date < \(from)),
                       (SELECT min(featured_date) FROM papers WHERE featured_date > \(through))
                """, logger: self.logger)
            for try await (before, after) in rows.decode((String?, String?).self) { return (before, after) }
            return (nil, nil)
        }
    }

    // MARK: Checkpoints and state

    public func checkpoint(source: String) async throws -> ImportCheckpoint? {
        try await perform("read the checkpoint of \(source)") {
            let rows = try await self.client.query(
                "SELECT byte_offset, record_number FROM import_checkpoints WHERE source = \(source)", logger: self.logger)
            for try await (offset, record) in rows.decode((Int64, Int64).self) {
                return ImportCheckpoint(source: source, byteOffset: offset, recordNumber: Int(record))
            }
            return nil
        }
    }

    public func clearCheckpoint(source: String) async throws {
        try await perform("clear the checkpoint of \(source)") {
            try await self.client.query("DELETE FROM import_checkpoints WHERE source = \(source)", logger: self.logger)
        }
    }

    public func state(_ key: String) async throws -> String? {
        try await perform("read state \(key)") {
            try await self.single("SELECT value FROM catalog_state WHERE key = \(key)", as: String.self)
        }
    }

    public func setState(_ key: String, to value: String?) async throws {
        try await perform("write state \(key)") {
            if let value {
                try await self.client.query("""
                    INSERT INTO catalog_state (key, value) VALUES (\(key), \(value))
                    ON CONFLICT (key) DO UPDATE SET value = excluded.value
                    """, logger: self.logger)
            } else {
                try await self.client.query("DELETE FROM catalog_state WHERE key = \(key)", logger: self.logger)
            }
        }
    }

    // MARK: Plumbing

    /// One transaction on one pooled connection: committed when `body` returns, rolled back
    /// when it throws.
    func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await client.withTransaction(logger: logger) { db in try await body(db) }
    }

    /// A query's rows: inside the transaction `db` when given, else on any pooled connection.
    func rows(_ query: PostgresQuery, on db: PostgresConnection?) async throws -> PostgresRowSequence {
        if let db { try await db.query(query, logger: logger) } else { try await client.query(query, logger: logger) }
    }

    /// The first column of the first row of a query that answers one number, inside a transaction.
    static func count(_ db: PostgresConnection, logger: Logger, _ query: PostgresQuery) async throws -> Int {
        for try await value in try await db.query(query, logger: logger).decode(Int.self) { return value }
        return 0
    }

    /// Moves the content version on, inside the caller's transaction: cached pages and answers
    /// of every server see the change.
    static func bumpContentVersion(_ db: PostgresConnection, logger: Logger) async throws {
        try await db.query("""
            INSERT INTO catalog_state (key, value) VALUES ('content_version', '1')
            ON CONFLICT (key) DO UPDATE SET value = (catalog_state.value::bigint + 1)::text
            """, logger: logger)
    }

    /// Times are kept as whole seconds since 1970 (`bigint`), as the SQLite schema keeps them.
    static func date(_ seconds: Int64) -> Date { Date(timeIntervalSince1970: TimeInterval(seconds)) }
    static func seconds(_ date: Date) -> Int64 { Int64(date.timeIntervalSince1970.rounded(.down)) }

    /// The first column of the first row, if any.
    func single<T: PostgresDecodable & Sendable>(_ query: PostgresQuery, as type: T.Type) async throws -> T? {
        for try await value in try await client.query(query, logger: logger).decode(T.self) { return value }
        return nil
    }

    /// Runs `body`, again on a lost connection (see the type's notes), and turns PostgresNIO's
    /// errors, which say little by design, into a `PostgresCatalogError` saying what failed.
    @discardableResult
    func perform<T: Sendable>(_ what: String, _ body: () async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            do {
                return try await body()
            } catch {
                let cause = Self.rootCause(error)
                if Self.isConnectionLoss(cause) {
                    attempt += 1
                    if attempt <= 2 {
                        logger.warning("lost the connection to PostgreSQL at \(location.address) (\(what)); retrying")
                        try await Task.sleep(for: .milliseconds(attempt == 1 ? 200 : 1_000))
                        continue
                    }
                    throw PostgresCatalogError.connectionLost(location, reason: "\(what): \(Self.reason(cause))")
                }
                // Refusals the stores throw themselves (a name taken, a comment not yours, a cap
                // reached) go to the caller as they are: they are answers, not faults.
                if cause is CancellationError || !Self.isDatabaseError(cause) { throw cause }
                throw PostgresCatalogError.failed(location, reason: "\(what): \(Self.reason(cause))")
            }
        }
    }

    /// The error inside a transaction's wrapper: the one that made it fail.
    static func rootCause(_ error: any Error) -> any Error {
        if let transaction = error as? PostgresTransactionError {
            return transaction.closureError.map(rootCause) ?? transaction.commitError ?? transaction.beginError ?? error
        }
        return error
    }

    /// Whether the error came from the database or the way to it (PostgresNIO, SwiftNIO), as
    /// opposed to one this backend's own code threw.
    static func isDatabaseError(_ error: any Error) -> Bool {
        error is PSQLError || error is PostgresDecodingError || error is NIOConnectionError || error is IOError
            || error is ChannelError || isConnectionLoss(error)
    }

    static func isConnectionLoss(_ error: any Error) -> Bool {
        if let error = error as? PSQLError {
            // A server shutting down, restarting or told to end the session says so before it
            // closes (SQLSTATE 57P01-57P03); connection exceptions are class 08.
            if let state = error.serverInfo?[.sqlState] {
                return state.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains(state)
            }
            return [.serverClosedConnection, .connectionError, .uncleanShutdown].contains(error.code)
        }
        // The pool gave up connecting after a minute of failures (ConnectionPoolError is not
        // exported by PostgresNIO; its name says which).
        return "\(error)".contains("CircuitBreakerTripped")
    }

    /// What went wrong, in words: the server's message and SQLSTATE, or the network's error.
    public static func reason(_ error: any Error) -> String {
        let error = rootCause(error)
        if let error = error as? PSQLError {
            if let info = error.serverInfo, let message = info[.message] {
                var text = message
                if let detail = info[.detail] { text += " (\(detail))" }
                if let state = info[.sqlState] { text += " [SQLSTATE \(state)]" }
                return text
            }
            if let underlying = error.underlying { return reason(underlying) }
            return "\(error.code)"
        }
        if let error = error as? NIOConnectionError {
            if let failure = error.connectionErrors.last { return reason(failure.error) }
            if error.dnsAError != nil || error.dnsAAAAError != nil { return "host name \(error.host) not found" }
            return "no address to connect to for \(error.host)"
        }
        if let error = error as? IOError { return String(cString: strerror(error.errnoCode)).lowercased() }
        if let error = error as? ChannelError, case .connectTimeout(let time) = error {
            return "no answer within \(time.nanoseconds / 1_000_000_000) s"
        }
        if "\(error)".contains("CircuitBreakerTripped") { return "the server has not accepted a connection for a minute" }
        return String(reflecting: error)
    }
}

extension PostgresCatalog {
    /// The first key of the two-key advisory locks of named jobs; the second is a hash of the name.
    static let jobLockSpace: Int32 = 0x7062_0005

    /// Holds a session-level advisory lock named after the job on one pooled connection while
    /// the job runs: every instance on this database that asks for the same name meanwhile is
    /// told no at once rather than waiting. Should that connection die, PostgreSQL lets the
    /// lock go with it, so a crashed job never blocks the next run.
    public func exclusively<Result: Sendable>(_ name: String, _ job: () async throws -> Result) async throws -> Result? {
        try await client.withConnection { db in
            let unlock: PostgresQuery = "SELECT pg_advisory_unlock(\(Self.jobLockSpace), hashtext(\(name)))"
            var taken = false
            for try await got in try await db.query(
                "SELECT pg_try_advisory_lock(\(Self.jobLockSpace), hashtext(\(name)))", logger: self.logger
            ).decode(Bool.self) { taken = got }
            guard taken else { return nil }
            do {
                let result = try await job()
                _ = try? await db.query(unlock, logger: self.logger)
                return result
            } catch {
                _ = try? await db.query(unlock, logger: self.logger)
                throw error
            }
        }
    }
}
