import Catalog
import CatalogSQLite
import Foundation
import Hummingbird
import HummingbirdTesting
import Importers
import PaperboyServer
import TestSupport
import Testing

/// The Hub-compatible JSON API, driven through the real router over a real SQLite catalog
/// loaded from the real Hub sample.
@Suite struct DailyPapersAPITests {
    func catalogWithSample() async throws -> SiteStore {
        let catalog = try await SiteDatabase.fresh()
        let path = TestSupport.sample("hf_api_daily_papers_date-2026-08-21.json")
        let input = try ByteReader.open(path: path)
        _ = try await ImportRunner(store: catalog).run(InputFormat.hfAPI.makeReader(input), input: path)
        return catalog
    }

    func get(_ uri: String, _ check: @escaping @Sendable (TestResponse) throws -> Void) async throws {
        let app = buildApplication(configuration: ServerConfiguration(), catalog: try await catalogWithSample(), logger: quietLogger)
        try await app.test(.router) { client in
            try await client.execute(uri: uri, method: .get) { response in try check(response) }
        }
    }

    func json(_ response: TestResponse) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))
    }

    @Test func dailyPapersHaveTheHubShape() async throws {
        try await get("/api/daily_papers?date=2026-08-21&limit=2") { response in
            #expect(response.status == .ok)
            let items = try #require(try self.json(response) as? [[String: Any]])
            #expect(items.count == 2)
            let paper = try #require(items[0]["paper"] as? [String: Any])
            #expect(paper["id"] as? String == "2608.19880")
            #expect(paper["upvotes"] as? Int == 163)
            #expect(paper["submittedOnDailyAt"] as? String == "2026-08-21T00:00:00.000Z")
            #expect(paper["publishedAt"] as? String == "2026-08-20T00:00:00.000Z")
            #expect(paper["githubRepo"] as? String == "https://github.com/google-research/envharness")
            let authors = try #require(paper["authors"] as? [[String: Any]])
            #expect(authors.first?["name"] as? String == "Chengsong Huang")
            #expect((authors.first?["_id"] as? String)?.count == 24)
            #expect(items[0]["title"] as? String == "EnvHarness: Awakening Static Worlds for Agent Learning")
            #expect((items[0]["submittedBy"] as? [String: Any])?["user"] as? String == "taesiri")
            #expect(items[0]["numComments"] as? Int == 1)
            let upvotes = items.compactMap { ($0["paper"] as? [String: Any])?["upvotes"] as? Int }
            #expect(upvotes == upvotes.sorted(by: >))
        }
    }

    @Test func periodsPagesAndSubmitters() async throws {
        try await get("/api/daily_papers?week=2026-W34&limit=5&p=3") { response in
            let items = try #require(try self.json(response) as? [[String: Any]])
            #expect(items.count == 2, "17 papers, pages of 5: the fourth page holds 2")
        }
        try await get("/api/daily_papers?month=2026-07") { response in
            let items = try #require(try self.json(response) as? [Any])
            #expect(items.isEmpty)
        }
        try await get("/api/daily_papers?submitter=taesiri") { response in
            let items = try #require(try self.json(response) as? [[String: Any]])
            #expect(items.count == 2)
        }
    }

    @Test(arguments: [
        ("/api/daily_papers?date=2026-13-01", "date '2026-13-01'"),
        ("/api/daily_papers?week=2026-W54", "week '2026-W54'"),
        ("/api/daily_papers?month=26-08", "month '26-08'"),
        ("/api/daily_papers?limit=100000", "limit '100000'"),
        ("/api/daily_papers?limit=abc", "limit 'abc'"),
        ("/api/daily_papers?p=-1", "p '-1'"),
        ("/api/daily_papers?sort=random", "sort 'random'"),
        ("/api/daily_papers?date=2026-08-21&month=2026-08", "only one of date, week and month"),
        ("/api/papers/..%2F..%2Fetc%2Fpasswd", "is not an arXiv id"),
    ])
    func badParametersAreClear400s(uri: String, message: String) async throws {
        try await get(uri) { response in
            #expect(response.status == .badRequest)
            let body = try #require(try self.json(response) as? [String: String])
            #expect(body["error"]?.contains(message) == true, "\(body)")
        }
    }

    @Test func paperInfoAndAbsentPapers() async throws {
        try await get("/api/papers/2608.19880") { response in
            #expect(response.status == .ok)
            let paper = try #require(try self.json(response) as? [String: Any])
            #expect(paper["title"] as? String == "EnvHarness: Awakening Static Worlds for Agent Learning")
            #expect((paper["organization"] as? [String: Any])?["fullname"] as? String == "Google")
        }
        try await get("/api/papers/2501.99999") { response in
            #expect(response.status == .notFound)
        }
        try await get("/api/papers/hep-th/9901001") { response in
            #expect(response.status == .notFound)
        }
    }

    @Test func paperAsMarkdown() async throws {
        try await get("/papers/2608.19880.md") { response in
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/markdown") == true)
            let text = String(buffer: response.body)
            #expect(text.hasPrefix("# EnvHarness: Awakening Static Worlds for Agent Learning\n"))
            #expect(text.contains("- Code: https://github.com/google-research/envharness"))
        }
        try await get("/papers/2501.99999.md") { response in #expect(response.status == .notFound) }
    }

    @Test func trendingDecaysWithTime() {
        let day = Double(DateText.daysFromCivil(2026, 8, 21))
        let fresh = TrendingScore.score(upvotes: 10, featuredDay: "2026-08-21", now: day)
        let dayOld = TrendingScore.score(upvotes: 10, featuredDay: "2026-08-20", now: day)
        #expect(fresh > dayOld && dayOld > 0)
        let twoDaysOld = { (votes: Int) in TrendingScore.score(upvotes: votes, featuredDay: "2026-08-19", now: day) }
        #expect(twoDaysOld(28) > dayOld && twoDaysOld(26) < dayOld, "one more day costs about 2.7x the votes")
        #expect(TrendingScore.score(upvotes: 10, featuredDay: nil, now: day) == 0)
    }
}
