import ArgumentParser
import CatalogSQLite

/// `paperboy db migrate|reindex`: schema and index management.
struct DatabaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Manage the catalog database.",
        subcommands: [Migrate.self, Reindex.self]
    )

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create the catalog or bring its schema up to date (every command also does this on start).")

        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let catalog = try await database.openCatalog()
            let applied = try await catalog.appliedMigrations()
            print("\(database.resolvedPath): schema up to date (\(applied.count) migrations: \(applied.joined(separator: ", ")))")
        }
    }

    struct Reindex: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rebuild the keyword search index from the catalog (after a VACUUM, or if search looks wrong).")

        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let catalog = try await database.openCatalog()
            try await catalog.rebuildSearchIndex()
            print("\(database.resolvedPath): search index rebuilt over \(try await catalog.paperCount()) papers")
        }
    }
}
