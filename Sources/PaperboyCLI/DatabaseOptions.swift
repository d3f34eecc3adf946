import ArgumentParser
import Catalog
import CatalogPostgres
import CatalogSQLite
import Community
import Digests
import Foundation
import Logging

/// Everything Paperboy keeps, whichever database keeps it: both `SQLiteCatalog` and
/// `PostgresCatalog` are all of these, so every command works on either.
typealias PaperboyStore = CatalogStore & CommunityStore & CommentStore & SubmissionStore & CollectionStore & SubscriptionStore

/// The `--database` option shared by every command that touches the catalog.
struct DatabaseOptions: ParsableArguments {
    static let defaultPath = "var/paperboy.sqlite"

    @Option(
        name: .customLong("database"),
        help: ArgumentHelp(
            "The catalog: a SQLite file path, or a PostgreSQL URL (postgres://user:password@host:5432/name). Default: $PAPERBOY_DATABASE, else \(defaultPath).",
            valueName: "path-or-url"))
    var path: String?

    var resolvedPath: String {
        path ?? ProcessInfo.processInfo.environment["PAPERBOY_DATABASE"].flatMap { $0.isEmpty ? nil : $0 } ?? Self.defaultPath
    }

    var isPostgres: Bool { PostgresLocation.isPostgresURL(resolvedPath) }

    /// Where the catalog is, for messages: the file, or the server and database without the password.
    var displayName: String {
        guard isPostgres else { return resolvedPath }
        return (try? PostgresLocation(url: resolvedPath)).map(\.description) ?? "PostgreSQL"
    }

    /// Opens the catalog, brings its schema up to date, and runs `body` with it; a PostgreSQL
    /// catalog's connection pool runs for as long as `body` does.
    func withCatalog<Result: Sendable>(_ body: (any PaperboyStore) async throws -> Result) async throws -> Result {
        if isPostgres {
            // An unreachable server or a bad URL is a `PostgresCatalogError`, whose message
            // names the address and what to check.
            return try await withPostgresCatalog(url: resolvedPath) { catalog in
                try await catalog.migrate()
                return try await body(catalog)
            }
        }
        let catalog = try SQLiteCatalog(path: resolvedPath)
        try await catalog.migrate()
        return try await body(catalog)
    }

    /// Waits until a PostgreSQL server answers, for up to `limit`, saying so every few seconds:
    /// a server started beside its database (by a container runtime, after a reboot) need not
    /// lose the race. A SQLite file is always there. Throws the last error once `limit` passes.
    func waitForDatabase(upTo limit: Duration, logger: Logger) async throws {
        guard isPostgres else { return }
        let location = try PostgresLocation(url: resolvedPath)
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: limit)
        while true {
            do {
                try await PostgresCatalog.checkReachable(location, logger: logger)
                return
            } catch {
                guard clock.now.advanced(by: .seconds(2)) < deadline else { throw error }
                logger.warning("the database is not reachable yet; trying again in 2 s", metadata: ["error": "\(error)"])
                try await Task.sleep(for: .seconds(2))
            }
        }
    }
}
