import ArgumentParser
import Catalog
import CatalogPostgres
import CatalogSQLite
import DatabaseCopy
import Foundation

/// `paperboy db migrate|reindex|copy`: schema and index management, and moving an installation
/// from one database to another.
struct DatabaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Manage the catalog database.",
        subcommands: [Migrate.self, Reindex.self, Copy.self]
    )

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create the catalog or bring its schema up to date (every command also does this on start).")

        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await database.withCatalog { catalog in
                let applied = try await catalog.appliedMigrations()
                print("\(database.displayName): schema up to date (\(applied.count) migrations: \(applied.joined(separator: ", ")))")
            }
        }
    }

    struct Reindex: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rebuild the keyword search index from the catalog (after a VACUUM, or if search looks wrong).")

        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await database.withCatalog { catalog in
                try await catalog.rebuildSearchIndex()
                print("\(database.displayName): search index rebuilt over \(try await catalog.paperCount()) papers")
            }
        }
    }

    struct Copy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move an installation from its SQLite file to PostgreSQL, with every table's count checked at the end.",
            discussion: """
                Copies papers, accounts, votes, comments, submissions, collections, subscriptions,
                the digest ledger, import checkpoints and stored vectors, page by page. Stopped at
                any point (Ctrl-C, a lost connection), it resumes where it stopped when run again;
                rows already copied are left alone. Stop the servers writing to the SQLite file
                first, or run it again afterwards to take what they wrote since.

                Example:
                  paperboy db copy --from var/paperboy.sqlite --to postgres://paperboy@db.internal/paperboy
                """)

        @Option(help: ArgumentHelp("The SQLite file (a path, or sqlite:PATH).", valueName: "path"))
        var from: String

        @Option(help: ArgumentHelp("The PostgreSQL database (postgres://user:password@host:5432/name); its schema is made if needed.", valueName: "url"))
        var to: String

        var sourcePath: String { from.hasPrefix("sqlite:") ? String(from.dropFirst("sqlite:".count)) : from }

        func validate() throws {
            guard PostgresLocation.isPostgresURL(to) else {
                throw ValidationError("--to \(to): give a PostgreSQL URL such as postgres://user@host/name (copies go from SQLite to PostgreSQL)")
            }
            guard !PostgresLocation.isPostgresURL(from) else { throw ValidationError("--from \(from): give the SQLite file to copy from") }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: sourcePath, isDirectory: &isDirectory), !isDirectory.boolValue else {
                throw ValidationError("--from \(from): no such SQLite file")
            }
        }

        func run() async throws {
            let source = try SQLiteCatalog(path: sourcePath)
            try await source.migrate()
            try await withPostgresCatalog(url: to) { target in
                try await target.migrate()
                let progress = TableProgress()
                do {
                    let counts = try await DatabaseCopy(source: source, target: target).run { progress.update($0) }
                    progress.finish()
                    print("copied \(sourcePath) to \(target.location); rows in each:")
                    for count in counts { print("  \(count.table.padding(toLength: 24, withPad: " ", startingAt: 0)) \(count.target)") }
                    print("counts verified: every table holds what the SQLite file holds")
                } catch let error as DatabaseCopyError {
                    progress.finish()
                    printError(error.description)
                    throw ExitCode(1)
                }
            }
        }
    }
}

/// One progress bar per table of a copy, from a @Sendable callback.
private final class TableProgress: @unchecked Sendable {
    private let lock = NSLock()
    private var table: String?
    private var reporter: ProgressReporter?

    func update(_ progress: DatabaseCopy.Progress) {
        lock.withLock {
            if progress.table != table {
                reporter?.finish()
                table = progress.table
                reporter = ProgressReporter(label: "copy \(progress.table)", totalBytes: Int64(progress.total))
            }
            reporter?.update(records: progress.copied, bytes: Int64(progress.copied))
        }
    }

    func finish() { lock.withLock { reporter?.finish(); reporter = nil } }
}
