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

    /// The embedding model folder: `$PAPERBOY_MODEL_DIR`, else `models/all-MiniLM-L6-v2` under
    /// the project root, where `scripts/setup.sh` puts it.
    public static let modelFolder: String = {
        if let path = ProcessInfo.processInfo.environment["PAPERBOY_MODEL_DIR"], !path.isEmpty { return path }
        return projectRoot.appendingPathComponent("models/all-MiniLM-L6-v2").path
    }()

    public struct ModelMissing: Error, CustomStringConvertible {
        public let description: String
    }

    /// Fails the calling test when the model is not installed: CI runs the set-up first, so a
    /// missing model is a broken set-up, never a reason to skip.
    public static func requireModel() throws -> String {
        guard FileManager.default.fileExists(atPath: modelFolder + "/model.safetensors") else {
            throw ModelMissing(description: "The embedding model is not installed at \(modelFolder). Run scripts/setup.sh --tests (or set PAPERBOY_MODEL_DIR).")
        }
        return modelFolder
    }
}
