import Catalog
import CatalogSQLite
import Foundation
import Hummingbird
import HummingbirdTesting
import Prometheus
import Testing
#if canImport(FoundationXML)
import FoundationXML
#endif

/// RSS and Atom feeds, the search API, the OpenAPI document and the metrics endpoint.
@Suite struct FeedsAndOperationsTests {
    /// Parses `text` as XML and answers the element names in document order.
    func elements(_ text: String) throws -> [String] {
        final class Collector: NSObject, XMLParserDelegate {
            var names: [String] = []
            func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
                names.append(name)
            }
        }
        let parser = XMLParser(data: Data(text.utf8))
        let collector = Collector()
        parser.delegate = collector
        #expect(parser.parse(), "well-formed XML: \(parser.parserError.map { "\($0)" } ?? "")")
        return collector.names
    }

    @Test func rssAndAtomFeedsOfTheDailyFeedTrendingAndSearches() async throws {
        try await TestSite.with { client in
            let rss = try await client.get("/feeds/daily.rss")
            #expect(rss.status == .ok)
            #expect(rss.headers[.contentType] == "application/rss+xml; charset=utf-8")
            #expect(try self.elements(rss.body).filter { $0 == "item" }.count == 100)
            #expect(rss.body.contains("<link>https://papers.example.org/papers/"), "absolute links on the public URL")
            #expect(rss.body.contains("<pubDate>Fri, 21 Aug 2026 00:00:00 GMT</pubDate>"))
            #expect(!rss.body.contains("<script"), "markup in titles is escaped")
            #expect(rss.body.contains("<category>cs.CL</category>"), "categories of the one paper that has some")
            #expect(rss.body.contains("<dc:creator>&lt;b&gt;Bold&lt;/b&gt; Author</dc:creator>"))

            let atom = try await client.get("/feeds/trending.atom")
            #expect(atom.headers[.contentType] == "application/atom+xml; charset=utf-8")
            #expect(try self.elements(atom.body).filter { $0 == "entry" }.count == 50)

            let search = try await client.get("/feeds/search.atom?q=agent+memory")
            let entries = try self.elements(search.body).filter { $0 == "entry" }.count
            #expect(entries > 0)
            #expect(search.body.contains("<title>Papers matching “agent memory”</title>"))
            let nothing = try await client.get("/feeds/search.rss?q=zzzqqqxxx")
            #expect(try self.elements(nothing.body).filter { $0 == "item" }.isEmpty)
        }
    }

    @Test func searchAPIAnswersInTheHubShape() async throws {
        try await TestSite.with { client in
            let found = try await client.get("/api/papers/search?q=agent+memory&limit=3")
            let items = try #require(try JSONSerialization.jsonObject(with: Data(found.body.utf8)) as? [[String: Any]])
            #expect(items.count == 3)
            let paper = try #require(items.first?["paper"] as? [String: Any])
            #expect((paper["title"] as? String)?.lowercased().contains("memory") == true)
            for text in ["", "%22", "((", "-", "%F0%9F%9A%80", String(repeating: "a+", count: 5_000)] {
                let answer = try await client.get("/api/papers/search?q=\(text)")
                #expect(answer.status == .ok, "\(text.prefix(20))")
            }
            #expect(try await client.get("/api/papers/search?q=x&limit=0").status == .badRequest)
        }
    }

    @Test func openAPIDocumentDescribesTheJSONEndpoints() async throws {
        try await TestSite.with { client in
            let answer = try await client.get("/openapi.json")
            let document = try #require(try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any])
            #expect(document["openapi"] as? String == "3.1.0")
            let paths = try #require(document["paths"] as? [String: Any])
            #expect(Set(paths.keys) == ["/api/daily_papers", "/api/papers/search", "/api/papers/{id}", "/api/papers/{id}/similar",
                                        "/api/papers/{id}/upvote", "/api/papers/{id}/comments", "/api/comments/{commentId}",
                                        "/api/papers/submit", "/api/collections", "/api/collections/{collectionId}",
                                        "/api/collections/{collectionId}/papers/{paperId}", "/api/users/{name}/collections",
                                        "/api/comments/{commentId}/hide", "/api/users/{name}/ban"])
            let servers = try #require(document["servers"] as? [[String: String]])
            #expect(servers.first?["url"] == "https://papers.example.org")
        }
    }

    @Test func cachedAnswersFollowTheCatalog() async throws {
        let catalog = try await TestSite.catalog()
        try await TestSite.with(catalog: catalog) { client in
            #expect(try await client.get("/papers/2608.19880").body.contains("163<small>upvotes</small>"))
            #expect(try await client.get("/api/papers/2608.19880").body.contains("\"upvotes\":163"))
            var more = PaperRecord(id: ArxivID("2608.19880")!)
            more.upvotes = 200
            _ = try await catalog.apply([.upsert(more)], checkpoint: nil)
            #expect(try await client.get("/papers/2608.19880").body.contains("200<small>upvotes</small>"), "a change shows at once")
            #expect(try await client.get("/api/papers/2608.19880").body.contains("\"upvotes\":200"))
            #expect(try await client.get("/papers").body.contains("200<small>upvotes</small>"))
        }
    }

    @Test func metricsCountRequestsByRouteAndStatus() async throws {
        let registry = PrometheusCollectorRegistry()
        try await TestSite.with(metrics: registry) { client in
            _ = try await client.get("/papers/2608.19880")
            _ = try await client.get("/papers/2608.19880")
            _ = try await client.get("/papers/date/nonsense")
            _ = try await client.get("/no/such/route")
            let metrics = try await client.get("/metrics").body
            #expect(metrics.contains(#"paperboy_http_requests_total{route="/papers/{id}",method="GET",status="200"} 2"#), "\(metrics.prefix(600))")
            #expect(metrics.contains(#"paperboy_http_requests_total{route="/papers/date/{day}",method="GET",status="400"} 1"#))
            #expect(metrics.contains(#"status="404"} 1"#))
            #expect(metrics.contains("# TYPE paperboy_http_request_duration_seconds histogram"))
            #expect(metrics.contains(#"paperboy_http_request_duration_seconds_count{route="/papers/{id}",method="GET"} 2"#))
        }
    }
}
