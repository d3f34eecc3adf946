import Catalog
@testable import CatalogPostgres
import CatalogSQLite
import Foundation
import PostgresNIO
import TestSupport
import Testing

/// The PostgreSQL server the tests use: `PAPERBOY_TEST_POSTGRES_URL` (scripts/test.sh starts a
/// throw-away cluster and sets it, with scripts/postgres-test.sh). Without it the PostgreSQL
/// half of the tests does not run, so `swift test` works on a machine without PostgreSQL;
/// `PAPERBOY_REQUIRE_POSTGRES=1` (set by scripts/test.sh, hence CI) turns that into failures.
enum PostgresTestServer {
    static let url: String? = ProcessInfo.processInfo.environment["PAPERBOY_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    static let required = ProcessInfo.processInfo.environment["PAPERBOY_REQUIRE_POSTGRES"] == "1"
    /// Whether PostgreSQL cases run: with a server, or without one when one is required (and
    /// then they fail, saying why).
    static let runs = url != nil || required

    struct Missing: Error, CustomStringConvertible {
        var description: String {
            "PAPERBOY_REQUIRE_POSTGRES=1 but PAPERBOY_TEST_POSTGRES_URL is not set: start a server with "
                + "`eval \"$(scripts/postgres-test.sh start)\"`, or run scripts/test.sh, which does"
        }
    }

    static func requireURL() throws -> String {
        guard let url else { throw Missing() }
        return url
    }

    /// Runs `body` with the URL of a new, empty database on the test server, dropped afterwards:
    /// every test starts from nothing, and tests run in parallel without seeing each other.
    static func withFreshDatabase<T: Sendable>(_ body: (String) async throws -> T) async throws -> T {
        let admin = try requireURL()
        let name = try await PostgresTestDatabase.create(prefix: "paperboy_test_", at: admin)
        let server = try PostgresLocation(url: admin)
        do {
            let result = try await body(try url(of: name))
            try await execute("DROP DATABASE \(name) WITH (FORCE)", at: server)
            return result
        } catch {
            try? await execute("DROP DATABASE \(name) WITH (FORCE)", at: server)
            throw error
        }
    }

    /// The test server's URL with another database.
    static func url(of database: String) throws -> String {
        try PostgresTestDatabase.url(of: database, at: try requireURL())
    }

    /// Runs one statement on its own connection, outside any catalog.
    static func execute(_ sql: String, at location: PostgresLocation) async throws {
        try await PostgresTestDatabase.execute(sql, at: location)
    }
}

/// The two backends every behaviour test runs on.
enum Backend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, postgres

    /// SQLite always; PostgreSQL when its server is configured or required.
    static let available: [Backend] = PostgresTestServer.runs ? [.sqlite, .postgres] : [.sqlite]

    var testDescription: String { rawValue }

    /// Runs `body` with a fresh, migrated, empty catalog of this backend, and a way to open a
    /// second instance of the same catalog (another process, as far as the catalog can tell).
    func withCatalog(_ body: (any CatalogStore, _ openAnother: OpenAnother) async throws -> Void) async throws {
        switch self {
        case .sqlite:
            let path = TestSupport.scratchDirectory().appendingPathComponent("catalog.sqlite").path
            let catalog = try SQLiteCatalog(path: path)
            try await catalog.migrate()
            try await body(catalog, OpenAnother { inner in
                let other = try SQLiteCatalog(path: path)
                try await other.migrate()
                try await inner(other)
            })
        case .postgres:
            try await PostgresTestServer.withFreshDatabase { url in
                try await withPostgresCatalog(url: url, maximumConnections: 4) { catalog in
                    try await catalog.migrate()
                    try await body(catalog, OpenAnother { inner in
                        try await withPostgresCatalog(url: url, maximumConnections: 2) { other in
                            try await other.migrate()
                            try await inner(other)
                        }
                    })
                }
            }
        }
    }

    /// Without a second instance.
    func withCatalog(_ body: (any CatalogStore) async throws -> Void) async throws {
        try await withCatalog { catalog, _ in try await body(catalog) }
    }

    /// The word count above which a match-any-word search leaves a word out.
    var commonWordPapers: Int {
        switch self {
        case .sqlite: SQLiteCatalog.commonWordPapers
        case .postgres: PostgresCatalog.commonWordPapers
        }
    }
}

/// Opens a second instance of a test's catalog for the length of a closure.
struct OpenAnother {
    let open: (_ body: (any CatalogStore) async throws -> Void) async throws -> Void

    init(_ open: @escaping (_ body: (any CatalogStore) async throws -> Void) async throws -> Void) { self.open = open }

    func callAsFunction(_ body: (any CatalogStore) async throws -> Void) async throws { try await open(body) }
}

/// Shows, in the test report, whether the PostgreSQL half ran.
@Suite struct PostgresServerTests {
    @Test(.disabled(if: !PostgresTestServer.runs,
                    "PAPERBOY_TEST_POSTGRES_URL is not set: the PostgreSQL cases of these tests did not run (scripts/test.sh starts a server)"))
    func theTestServerIsReachable() async throws {
        try await PostgresTestServer.withFreshDatabase { url in
            try await withPostgresCatalog(url: url) { catalog in
                try await catalog.migrate()
                #expect(try await catalog.paperCount() == 0)
            }
        }
    }
}

/// Records shaped as tests need them.
enum Records {
    static func paper(
        _ id: String, version: Int? = 1, title: String = "A paper", abstract: String? = nil, authors: [String] = ["Ada Lovelace", "Alan Turing"],
        categories: [String] = ["cs.CL"], published: String? = nil, featured: String? = nil, upvotes: Int? = nil, submittedBy: String? = nil
    ) -> CatalogChange {
        var r = PaperRecord(id: ArxivID(id)!)
        r.version = version
        r.title = title
        r.abstract = abstract ?? "About \(title)."
        r.authors = authors
        r.categories = categories
        r.published = published
        r.featuredDate = featured
        r.upvotes = upvotes
        r.submittedBy = submittedBy
        return .upsert(r)
    }
}
