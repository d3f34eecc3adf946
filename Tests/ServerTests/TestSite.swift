import Catalog
import CatalogPostgres
import CatalogSQLite
import Community
import Digests
import Foundation
import Hummingbird
import HummingbirdTesting
import Importers
import Logging
import PaperboyServer
import Prometheus
import SemanticSearch
import TestSupport

/// A site over the demo catalog shipped in the repo (440 real papers featured 2026-07-27 to
/// 2026-08-21) plus one hostile paper whose title and abstract carry markup, with the clock
/// pinned to the evening of 2026-08-21 so trending is reproducible.
enum TestSite {
    static let hostileID = "2608.99999"
    static let plainID = "hep-th/9901001"
    static let hostileTitle = "<script>alert('title')</script> & \"Quotes\""
    /// 2026-08-21T18:00Z as days since 1970.
    static let now = Double(DateText.daysFromCivil(2026, 8, 21)) + 0.75

    static func catalog() async throws -> SiteStore {
        let catalog = try await SiteDatabase.fresh()
        let demo = TestSupport.projectRoot.appendingPathComponent("demo/daily_papers_demo.jsonl.gz").path
        _ = try await ImportRunner(store: catalog).run(InputFormat.jsonl.makeReader(try ByteReader.open(path: demo)), input: demo)
        var hostile = PaperRecord(id: ArxivID(hostileID)!)
        hostile.version = 1
        hostile.title = hostileTitle
        hostile.abstract = "An abstract with <img src=x onerror=alert(1)> and a ]]> marker."
        hostile.authors = ["<b>Bold</b> Author"]
        hostile.categories = ["cs.CL"]
        hostile.published = "2026-08-20T00:00:00Z"
        hostile.featuredDate = "2026-08-21"
        hostile.submittedBy = "<evil>"
        hostile.upvotes = 1
        var plain = PaperRecord(id: ArxivID(plainID)!)  // arXiv metadata only: never featured
        plain.version = 3
        plain.title = "A Paper Nobody Featured"
        plain.abstract = "Plain arXiv metadata."
        plain.authors = ["Ann Author"]
        plain.categories = ["math.AG", "cs.LG"]
        plain.published = "2026-07-01T00:00:00Z"
        plain.doi = "10.1000/xyz123"
        _ = try await catalog.apply([.upsert(hostile), .upsert(plain)], checkpoint: nil)
        while try await catalog.updateSearchIndex(limit: 1_000) > 0 {}
        return catalog
    }

    /// Runs `body` with a test client of a site over `catalog()`.
    static func with(
        metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), catalog given: SiteStore? = nil,
        semantic: SemanticIndex? = nil, _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        let store: SiteStore
        if let given { store = given } else { store = try await catalog() }
        let app = buildApplication(
            configuration: ServerConfiguration(publicBaseURL: "https://papers.example.org/"), catalog: store, semantic: semantic,
            metrics: metrics, logger: quietLogger, now: { now })
        try await app.test(.router) { client in try await body(client) }
    }
}

/// Everything the site keeps, on either backend.
typealias SiteStore = any CatalogStore & CommunityStore & CommentStore & SubmissionStore & CollectionStore & SubscriptionStore

/// Where the site tests keep their catalogs: a new SQLite file each, or, with
/// `PAPERBOY_TEST_BACKEND=postgres` (scripts/test.sh runs these tests a second time so), a new
/// database each on the PostgreSQL server of `PAPERBOY_TEST_POSTGRES_URL`. The site then runs
/// exactly as `paperboy serve --database postgres://…` runs it.
enum SiteDatabase {
    static let environment = ProcessInfo.processInfo.environment
    static let onPostgres = environment["PAPERBOY_TEST_BACKEND"] == "postgres"

    struct NoServer: Error, CustomStringConvertible {
        var description: String { "PAPERBOY_TEST_BACKEND=postgres needs PAPERBOY_TEST_POSTGRES_URL (scripts/postgres-test.sh start sets it)" }
    }

    /// A migrated, empty catalog.
    static func fresh() async throws -> SiteStore {
        guard onPostgres else { return try await TestSupport.freshCatalog() }
        guard let admin = environment["PAPERBOY_TEST_POSTGRES_URL"].flatMap({ $0.isEmpty ? nil : $0 }) else { throw NoServer() }
        let name = try await PostgresTestDatabase.create(prefix: "paperboy_site_", at: admin)
        // The pool lives as long as the test process: a test ends with its site, not its catalog.
        // Few connections each, closed when idle, as many tests run at once.
        let catalog = PostgresCatalog(
            location: try PostgresLocation(url: try PostgresTestDatabase.url(of: name, at: admin)), maximumConnections: 2, logger: quietLogger)
        Task { await catalog.run() }
        try await catalog.migrate()
        return catalog
    }
}

/// The server's logger for tests: warnings and errors only, so test output isn't one access-log
/// line per request.
let quietLogger: Logger = {
    var logger = Logger(label: "paperboy.test-server")
    logger.logLevel = .warning
    return logger
}()

extension TestClientProtocol {
    /// GETs `uri` and answers the status and body text.
    func get(_ uri: String) async throws -> (status: HTTPResponse.Status, body: String, headers: HTTPFields) {
        try await execute(uri: uri, method: .get) { response in (response.status, String(buffer: response.body), response.headers) }
    }
}

extension String {
    /// How many times `needle` occurs.
    func occurrences(of needle: String) -> Int { components(separatedBy: needle).count - 1 }
}
