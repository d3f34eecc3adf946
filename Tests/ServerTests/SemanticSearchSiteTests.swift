import Catalog
import CatalogSQLite
import Embeddings
import Foundation
import Hummingbird
import HummingbirdTesting
import SemanticSearch
import TestSupport
import Testing

/// Search modes, fallbacks and similar papers through the site and the API, with the real model.
@Suite struct SemanticSearchSiteTests {
    /// The test site's catalog with vectors for its first `embedded` papers (embedding all 440 in
    /// a debug build would take most of a minute) and for the never-featured paper, built once.
    static let embedded = 48
    static let shared = Task { () throws -> (SiteStore, SemanticIndex) in
        let catalog = try await TestSite.catalog()
        let index = SemanticIndex(
            catalog: catalog, embedder: try SentenceEmbedder(modelFolder: TestSupport.requireModel()), modelName: "all-MiniLM-L6-v2")
        let papers = try await catalog.papersToEmbed(model: index.modelName, limit: embedded)
        try await catalog.storeEmbeddings(zip(papers, index.embedder.embed(papers.map(SemanticIndex.text(of:)))).map { ($0.id, $1) }, model: index.modelName)
        try await index.refresh()
        return (catalog, index)
    }

    static func withSemanticSite(_ body: @escaping @Sendable (any TestClientProtocol, SemanticIndex) async throws -> Void) async throws {
        let (catalog, index) = try await shared.value
        try await TestSite.with(catalog: catalog, semantic: index) { client in try await body(client, index) }
    }

    @Test func searchPageIsHybridByDefaultAndSwitchesModes() async throws {
        try await Self.withSemanticSite { client, _ in
            let hybrid = try await client.get("/search?q=language+model+agents")
            #expect(hybrid.status == .ok)
            #expect(hybrid.body.contains("<strong>Hybrid</strong>"))
            #expect(hybrid.body.contains("href=\"/search?q=language%20model%20agents&amp;mode=semantic\""))
            #expect(hybrid.body.occurrences(of: "<article class=\"card\">") > 0)
            #expect(!hybrid.body.contains("class=\"notice\""))
            let semantic = try await client.get("/search?q=language+model+agents&mode=semantic")
            #expect(semantic.body.contains("<strong>Semantic</strong>"))
            #expect(semantic.body.contains("Closest in meaning first"))
            let bad = try await client.get("/search?q=x&mode=fuzzy")
            #expect(bad.status == .badRequest)
            #expect(bad.body.contains("mode &#39;fuzzy&#39;") || bad.body.contains("mode 'fuzzy'"))
        }
    }

    @Test func apiTellsTheModeThatRan() async throws {
        try await Self.withSemanticSite { client, _ in
            for mode in SearchMode.allCases {
                let answer = try await client.get("/api/papers/search?q=robots+that+learn&mode=\(mode.rawValue)&limit=5")
                #expect(answer.status == .ok)
                #expect(answer.headers[.init("X-Search-Mode")!] == mode.rawValue)
                #expect(answer.headers[.init("X-Search-Notice")!] == nil)
                let items = try #require(try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [[String: Any]])
                #expect(!items.isEmpty && items.count <= 5, "\(mode)")
            }
            let bad = try await client.get("/api/papers/search?q=x&mode=fuzzy")
            #expect(bad.status == .badRequest)
            #expect(bad.body.contains("mode 'fuzzy' is not one of keyword, semantic, hybrid"))
        }
    }

    @Test func withoutAModelTheSiteSaysSearchIsKeywordOnly() async throws {
        try await TestSite.with { client in
            let answer = try await client.get("/api/papers/search?q=agent+memory&mode=semantic")
            #expect(answer.status == .ok)
            #expect(answer.headers[.init("X-Search-Mode")!] == "keyword")
            #expect(answer.headers[.init("X-Search-Notice")!]?.contains("no embedding model") == true)
            let page = try await client.get("/search?q=agent+memory")
            #expect(page.body.contains("class=\"notice\""))
            #expect(page.body.contains("no embedding model is installed"))
            // Similar papers still work, by shared title words.
            let similar = try await client.get("/api/papers/2608.19880/similar?limit=3")
            #expect(similar.status == .ok)
            #expect(!similar.body.contains("\"id\":\"2608.19880\""))
        }
    }

    @Test func similarPapersByMeaning() async throws {
        try await Self.withSemanticSite { client, index in
            let first = try #require(try await index.catalog.embeddings(model: index.modelName, after: nil, limit: 1).first?.id)
            let answer = try await client.get("/api/papers/\(first.value)/similar?limit=3")
            #expect(answer.status == .ok)
            let items = try #require(try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [[String: Any]])
            let ids = items.compactMap { ($0["paper"] as? [String: Any])?["id"] as? String }
            #expect(ids.count == 3)
            #expect(!ids.contains(first.value), "a paper is not similar to itself")
            #expect(ids == index.similar(to: try #require(try await index.catalog.paper(first)), k: 3).map(\.id.value))

            // A paper without a vector yet is embedded on the spot; an old-style id works.
            #expect(try await client.get("/api/papers/\(TestSite.plainID)/similar").status == .ok)
            #expect(try await client.get("/api/papers/2501.99999/similar").status == .notFound)
            let bad = try await client.get("/api/papers/\(first.value)/similar?limit=0")
            #expect(bad.status == .badRequest)
            #expect(bad.body.contains("limit '0'"))

            let page = try await client.get("/papers/\(first.value)")
            #expect(page.body.contains("<h2>Similar papers</h2>"))
            for id in ids { #expect(page.body.contains("href=\"/papers/\(id)\""), "\(id) is listed") }
        }
    }

    /// Whatever is typed, in any mode, through the page and the API: never a 5xx.
    @Test func hostileQueriesInEveryMode() async throws {
        try await Self.withSemanticSite { client, _ in
            let queries = ["", "%22unbalanced", "%27%3B+DROP+TABLE+papers%3B+--", "NEAR(a+b)+*+%5E", "%E7%A5%9E%E7%BB%8F", "%F0%9F%A4%96",
                           String(repeating: "word+", count: 2_000), "-", "author%3A", "...%3F%3F"]
            for mode in SearchMode.allCases {
                for q in queries {
                    let label = "\(mode) \(q.prefix(20))"
                    let api = try await client.get("/api/papers/search?q=\(q)&mode=\(mode.rawValue)").status
                    let page = try await client.get("/search?q=\(q)&mode=\(mode.rawValue)").status
                    #expect(api == .ok, "\(label)")
                    #expect(page == .ok, "\(label)")
                }
            }
        }
    }
}
