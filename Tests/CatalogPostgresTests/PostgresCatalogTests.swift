import Catalog
@testable import CatalogPostgres
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing

/// What only the PostgreSQL backend has: URLs, its migrations table, several processes on one
/// database at once, and faults of the connection.
/// Reading `--database postgres://…` URLs: no server needed.
@Suite struct PostgresLocationTests {
    @Test func urlsAreReadAsLibpqReadsThem() throws {
        let full = try PostgresLocation(url: "postgres://ada:s%40cret@db.example.org:6543/papers?sslmode=require")
        #expect(full.host == "db.example.org" && full.port == 6543 && full.username == "ada" && full.password == "s@cret")
        #expect(full.database == "papers" && full.tls == .require)
        #expect(full.description == "ada@db.example.org:6543/papers", "no password in messages")
        let bare = try PostgresLocation(url: "postgresql://localhost")
        #expect(bare.port == 5432 && bare.username == "postgres" && bare.database == "postgres" && bare.tls == .prefer)
        let socket = try PostgresLocation(url: "postgres://ada@/papers?host=/var/run/postgresql")
        #expect(socket.socketDirectory == "/var/run/postgresql" && socket.address == "/var/run/postgresql/.s.PGSQL.5432")
    }

    @Test(arguments: [
        "postgres://ada@host/db?sslmode=sometimes", "postgres://ada@host/db?application=x", "postgres://ada@host:99999/db",
        "mysql://ada@host/db", "postgres://ada@host/db?host=relative",
    ])
    func badURLsAreRefusedClearly(url: String) {
        #expect {
            _ = try PostgresLocation(url: url)
        } throws: { error in
            "\(error)".hasPrefix("--database ")
        }
    }

    @Test func theURLsPasswordNeverShows() throws {
        #expect(throws: (any Error).self) { _ = try PostgresLocation(url: "postgres://ada:hunter2@host/db?sslmode=never") }
        do {
            _ = try PostgresLocation(url: "postgres://ada:hunter2@host/db?sslmode=never")
        } catch {
            #expect(!"\(error)".contains("hunter2"))
        }
    }

}

@Suite(.enabled(if: PostgresTestServer.runs, "needs PostgreSQL: set PAPERBOY_TEST_POSTGRES_URL"))
struct PostgresCatalogTests {
    /// Nothing listens on the port: the error says where. (How soon is not asserted: tests
    /// never assert timings, and a loaded CI machine took 14 s where an idle one takes well under.)
    @Test func anUnreachableServerFailsNamingHostAndPort() async throws {
        let port = try unusedPort()
        await #expect {
            try await withPostgresCatalog(url: "postgres://paperboy:x@127.0.0.1:\(port)/paperboy?sslmode=disable") { _ in }
        } throws: { error in
            let text = "\(error)"
            return text.contains("127.0.0.1:\(port)") && text.contains("connection refused") && !text.contains(":x@")
        }
    }

    @Test func aWrongPasswordOrDatabaseSaysSo() async throws {
        var components = try #require(URLComponents(string: try PostgresTestServer.requireURL()))
        components.password = "wrong"
        await #expect {
            try await withPostgresCatalog(url: components.string!) { _ in }
        } throws: { error in
            "\(error)".contains("password authentication failed")
        }
        await #expect {
            try await withPostgresCatalog(url: try PostgresTestServer.url(of: "no_such_database")) { _ in }
        } throws: { error in
            "\(error)".contains("no_such_database") && "\(error)".contains("does not exist")
        }
    }

    /// Two processes starting on a new database at once both end up with the full schema.
    @Test func concurrentMigrationsTakeTurns() async throws {
        try await PostgresTestServer.withFreshDatabase { url in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        try await withPostgresCatalog(url: url, maximumConnections: 1) { catalog in try await catalog.migrate() }
                    }
                }
                try await group.waitForAll()
            }
            try await withPostgresCatalog(url: url) { (catalog: PostgresCatalog) async throws -> Void in
                #expect(try await catalog.appliedMigrations() == PostgresMigrations.all.map(\.name))
                try await catalog.migrate()
                #expect(try await catalog.appliedMigrations() == PostgresMigrations.all.map(\.name).sorted())
            }
        }
    }

    /// Importers in several processes write batches at once: each batch lands whole, none is lost.
    @Test func concurrentWritersAllLand() async throws {
        try await PostgresTestServer.withFreshDatabase { url in
            try await withPostgresCatalog(url: url) { catalog in try await catalog.migrate() }
            try await withThrowingTaskGroup(of: ImportCounts.self) { group in
                for writer in 0..<4 {
                    group.addTask {
                        try await withPostgresCatalog(url: url, maximumConnections: 2) { (catalog: PostgresCatalog) async throws -> ImportCounts in
                            var counts = ImportCounts()
                            for batch in 0..<5 {
                                // Every writer writes the same ids, and some of its own.
                                let shared = (0..<50).map { Records.paper(String(format: "2506.%05d", $0), upvotes: writer * 10 + batch) }
                                let own = (0..<20).map { Records.paper(String(format: "2507.%05d", writer * 1_000 + batch * 20 + $0)) }
                                counts += try await catalog.apply(shared + own, checkpoint: nil)
                            }
                            return counts
                        }
                    }
                }
                var total = ImportCounts()
                for try await counts in group { total += counts }
                #expect(total.inserted == 50 + 4 * 5 * 20)
            }
            try await withPostgresCatalog(url: url) { (catalog: PostgresCatalog) async throws -> Void in
                #expect(try await catalog.paperCount() == 50 + 4 * 5 * 20)
                #expect(try await catalog.paper(ArxivID("2506.00000")!)?.upvotes == 34, "the highest count wins, whatever the order")
            }
        }
    }

    /// The server drops every connection (a restart, a failover): the next calls reconnect.
    @Test func aLostConnectionIsRetriedOnANewOne() async throws {
        try await PostgresTestServer.withFreshDatabase { url in
            try await withPostgresCatalog(url: url, maximumConnections: 2) { (catalog: PostgresCatalog) async throws -> Void in
                try await catalog.migrate()
                _ = try await catalog.apply([Records.paper("2501.00001")], checkpoint: nil)
                let admin = try PostgresLocation(url: try PostgresTestServer.requireURL())
                let database = catalog.location.database
                for _ in 0..<3 {
                    try await PostgresTestServer.execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '\(database)' AND pid <> pg_backend_pid()",
                        at: admin)
                    #expect(try await catalog.paperCount() == 1)
                    #expect(try await catalog.apply([Records.paper("2501.00001", upvotes: 3)], checkpoint: nil).refused.isEmpty)
                }
            }
        }
    }

    @Test func searchIsAlwaysCurrent() async throws {
        try await Backend.postgres.withCatalog { (catalog: any CatalogStore) async throws in
            _ = try await catalog.apply([Records.paper("2501.00001", title: "Instant words")], checkpoint: nil)
            #expect(try await catalog.searchIndexBacklog() == 0)
            #expect(try await catalog.searchRanking(SearchQuery(parsing: "instant"), limit: 5, offset: 0).map(\.id.value) == ["2501.00001"])
        }
    }

    /// A port nothing listens on: bound and released at once.
    func unusedPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        try withUnsafeMutablePointer(to: &address) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                guard bind(fd, raw, length) == 0, getsockname(fd, raw, &length) == 0 else { throw POSIXError(.EADDRINUSE) }
            }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
