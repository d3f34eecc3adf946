import CatalogPostgres
import Foundation
import Logging
import PostgresNIO

/// Databases of their own on the tests' PostgreSQL server (`PAPERBOY_TEST_POSTGRES_URL`, which
/// scripts/postgres-test.sh sets), for the test targets that run on both backends.
public enum PostgresTestDatabase {
    public struct BadURL: Error, CustomStringConvertible {
        public var url: String
        public var description: String { "not a PostgreSQL URL: \(url)" }
    }

    /// `admin` (a server's URL) with another database.
    public static func url(of database: String, at admin: String) throws -> String {
        guard var components = URLComponents(string: admin) else { throw BadURL(url: admin) }
        components.path = "/" + database
        guard let url = components.string else { throw BadURL(url: admin) }
        return url
    }

    /// Makes a new, empty database named `prefix` and random hex digits; answers its name.
    public static func create(prefix: String, at admin: String) async throws -> String {
        let name = prefix + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        // A name made here of letters, digits and underscores: safe to write into the statement.
        try await execute("CREATE DATABASE \(name)", at: try PostgresLocation(url: admin))
        return name
    }

    /// Runs one statement on its own connection, outside any catalog.
    public static func execute(_ sql: String, at location: PostgresLocation) async throws {
        let logger = Logger(label: "paperboy.tests")
        let connection = try await PostgresConnection.connect(configuration: location.connectionConfiguration, id: 1, logger: logger)
        do {
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
            try await connection.close()
        } catch {
            try? await connection.close()
            throw PostgresCatalogError.failed(location, reason: "\(sql): \(PostgresCatalog.reason(error))")
        }
    }
}
