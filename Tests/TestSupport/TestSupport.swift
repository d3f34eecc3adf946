import CatalogSQLite
import Foundation

/// What several test targets need: the shared data folder, scratch folders, fresh catalogs.
public enum TestSupport {
    /// The project root (this file is Tests/TestSupport/TestSupport.swift).
    public static let projectRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }()

    /// `../shared` beside the project root: the real samples and data.
    public static let shared = projectRoot.deletingLastPathComponent().appendingPathComponent("shared")

    public static func sample(_ name: String) -> String { shared.appendingPathComponent("formats/\(name)").path }
    public static func dataFile(_ name: String) -> String { shared.appendingPathComponent("data/\(name)").path }

    /// A new empty folder under the system's temporary folder.
    public static func scratchDirectory() -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("paperboy-tests-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A migrated catalog in a new SQLite file.
    public static func freshCatalog() async throws -> SQLiteCatalog {
        let catalog = try SQLiteCatalog(path: scratchDirectory().appendingPathComponent("catalog.sqlite").path)
        try await catalog.migrate()
        return catalog
    }
}
