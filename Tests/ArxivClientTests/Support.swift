import Catalog
import CatalogSQLite
import Foundation

let formatsDirectory: URL = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.deletingLastPathComponent().appendingPathComponent("shared/formats")
}()

func recorded(_ name: String) throws -> [UInt8] {
    Array(try Data(contentsOf: formatsDirectory.appendingPathComponent(name)))
}

func freshCatalog() async throws -> SQLiteCatalog {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("paperboy-tests-\(UUID().uuidString)")
    let catalog = try SQLiteCatalog(path: dir.appendingPathComponent("catalog.sqlite").path)
    try await catalog.migrate()
    return catalog
}
