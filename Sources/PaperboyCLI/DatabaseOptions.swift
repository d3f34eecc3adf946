import ArgumentParser
import Catalog
import CatalogSQLite
import Foundation

/// The `--database` option shared by every command that touches the catalog.
struct DatabaseOptions: ParsableArguments {
    static let defaultPath = "var/paperboy.sqlite"

    @Option(
        name: .customLong("database"),
        help: ArgumentHelp(
            "The catalog: a SQLite file path. Default: $PAPERBOY_DATABASE, else \(defaultPath).",
            valueName: "path"))
    var path: String?

    var resolvedPath: String {
        path ?? ProcessInfo.processInfo.environment["PAPERBOY_DATABASE"].flatMap { $0.isEmpty ? nil : $0 } ?? Self.defaultPath
    }

    /// Opens the catalog and brings its schema up to date.
    func openCatalog() async throws -> SQLiteCatalog {
        let location = resolvedPath
        if location.hasPrefix("postgres://") || location.hasPrefix("postgresql://") {
            throw ValidationError("--database \(location): this build stores the catalog in SQLite only; give a file path")
        }
        let catalog = try SQLiteCatalog(path: location)
        try await catalog.migrate()
        return catalog
    }
}
