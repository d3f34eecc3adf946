import CatalogSQLite
import Foundation
import TestSupport

func recorded(_ name: String) throws -> [UInt8] {
    Array(try Data(contentsOf: URL(fileURLWithPath: TestSupport.sample(name))))
}

func freshCatalog() async throws -> SQLiteCatalog { try await TestSupport.freshCatalog() }
