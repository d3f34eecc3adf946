import Catalog
import CatalogSQLite
import Community
import Foundation
import Hummingbird
import HummingbirdTesting
import PaperboyServer
import Testing

/// Upvotes through the API, the page forms and the cache: one vote per user and paper, exact
/// under concurrency, added to the Hub's count and kept across re-imports.
@Suite struct UpvoteTests {
    static let paper = "2608.19880"

    func json(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
    }

    func apiVote(_ client: any TestClientProtocol, _ token: String, _ method: HTTPRequest.Method, paper: String = paper) async throws -> TestResponse {
        try await client.execute(uri: "/api/papers/\(paper)/upvote", method: method, headers: [.authorization: "Bearer \(token)"])
    }

    func shownUpvotes(_ client: any TestClientProtocol, paper: String = paper) async throws -> Int {
        let response = try await client.execute(uri: "/api/papers/\(paper)", method: .get)
        return try #require(try json(response)["upvotes"] as? Int)
    }

    @Test func votingTwiceCountsOnceAndWithdrawingWorks() async throws {
        try await CommunitySite.with { client, store in
            let hub = try #require(try await store.paper(ArxivID(Self.paper)!)).upvotes
            let token = try await CommunitySite.apiToken(client, "ann")
            let first = try await apiVote(client, token, .post)
            #expect(first.status == .ok)
            #expect(try json(first)["upvotes"] as? Int == hub + 1 && json(first)["voted"] as? Bool == true)
            let again = try await apiVote(client, token, .post)
            #expect(try json(again)["upvotes"] as? Int == hub + 1)
            #expect(try await shownUpvotes(client) == hub + 1)
            let withdrawn = try await apiVote(client, token, .delete)
            #expect(try json(withdrawn)["upvotes"] as? Int == hub && json(withdrawn)["voted"] as? Bool == false)
            #expect(try json(try await apiVote(client, token, .delete))["upvotes"] as? Int == hub)
            #expect(try await shownUpvotes(client) == hub)

            let unknown = try await apiVote(client, token, .post, paper: "2101.00001")
            #expect(unknown.status == .notFound)
            let invalid = try await apiVote(client, token, .post, paper: "not-an-id")
            #expect(invalid.status == .badRequest)
            #expect(try (json(invalid)["error"] as? String)?.contains("id: ") == true)
            // Old-style ids travel in two segments.
            let old = try await apiVote(client, token, .post, paper: TestSite.plainID)
            #expect(old.status == .ok)
            #expect(try json(old)["upvotes"] as? Int == 1)
        }
    }

    @Test func twoHundredConcurrentVotersEndWithTheExactCount() async throws {
        try await CommunitySite.with { client, store in
            let id = ArxivID(Self.paper)!
            let hub = try #require(try await store.paper(id)).upvotes
            // 200 accounts, each with a token, made straight in the store: bcrypt 200 times
            // would only slow the test down, and sign-up has its own tests.
            var tokens: [String] = []
            for n in 0..<200 {
                let user = try await store.createUser(
                    NewUser(username: "voter\(n)", email: "voter\(n)@example.org", passwordHash: "$2b$04$unused"), at: Date())
                let token = SecretToken.make()
                _ = try await store.createAPIToken(userID: user.id, name: "t", tokenDigest: SecretToken.digest(token), prefix: "", at: Date())
                tokens.append(token)
            }
            func everyone(_ method: HTTPRequest.Method, _ voters: ArraySlice<String>, times: Int = 1) async throws {
                try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                    for token in voters { for _ in 0..<times { group.addTask { try await apiVote(client, token, method).status } } }
                    for try await status in group { #expect(status == .ok) }
                }
            }
            try await everyone(.post, tokens[...])
            #expect(try await store.paper(id)?.upvotes == hub + 200)
            try await everyone(.post, tokens[...], times: 2)  // each voting twice more, at once
            #expect(try await shownUpvotes(client) == hub + 200)
            try await everyone(.delete, tokens[..<100])
            #expect(try await store.paper(id)?.upvotes == hub + 100)
        }
    }

    @Test func reimportingHubCountsKeepsLocalVotes() async throws {
        let catalog = try await TestSite.catalog()
        let id = ArxivID(Self.paper)!
        let hub = try #require(try await catalog.paper(id)).upvotes
        try await CommunitySite.with(catalog: catalog) { client, store in
            for name in ["ann", "bob", "carol"] {
                let token = try await CommunitySite.apiToken(client, name)
                #expect(try await apiVote(client, token, .post).status == .ok)
            }
            #expect(try await shownUpvotes(client) == hub + 3)
            func reimport(_ upvotes: Int) async throws {
                var record = PaperRecord(id: id)
                record.upvotes = upvotes
                record.title = "EnvHarness: Awakening Static Worlds for Agent Learning"
                _ = try await store.apply([.upsert(record)], checkpoint: nil)
            }
            try await reimport(hub)  // the same Hub data again
            #expect(try await shownUpvotes(client) == hub + 3)
            try await reimport(hub + 10)  // the Hub's count grew
            #expect(try await shownUpvotes(client) == hub + 13)
            let listed = try await client.execute(uri: "/api/daily_papers?date=2026-08-21&limit=100", method: .get)
            let items = try #require(try JSONSerialization.jsonObject(with: Data(listed.body.readableBytesView)) as? [[String: Any]])
            let item = try #require(items.first { ($0["paper"] as? [String: Any])?["id"] as? String == Self.paper })
            #expect((item["paper"] as? [String: Any])?["upvotes"] as? Int == hub + 13)
            let dave = try await CommunitySite.apiToken(client, "dave")
            #expect(try json(try await apiVote(client, dave, .post))["upvotes"] as? Int == hub + 14)
        }
    }

    @Test func pageButtonsVoteWithAndWithoutJavaScript() async throws {
        try await CommunitySite.with { client, store in
            let hub = try #require(try await store.paper(ArxivID(Self.paper)!)).upvotes
            // Anonymous readers see the count, no form, and the page is cached.
            let anonymous = String(buffer: try await client.execute(uri: "/papers/\(Self.paper)", method: .get).body)
            #expect(anonymous.contains("<div class=\"votes\">\(hub)<small>upvotes</small></div>"))
            #expect(!anonymous.contains("/upvote") && !anonymous.contains("<script>"))

            let jar = try await CommunitySite.signUp(client, "ann")
            let page = String(buffer: try await CommunitySite.get(client, "/papers/\(Self.paper)", jar: jar).body)
            #expect(page.contains("action=\"/papers/\(Self.paper)/upvote\""))
            #expect(page.contains("name=\"vote\" value=\"1\"") && page.contains("aria-pressed=\"false\""))
            #expect(page.contains("<script>") && page.contains("fetch(f.action"))
            let csrf = try #require(CommunitySite.csrfToken(in: page))

            // No JavaScript: the form posts and the browser goes back to the page.
            let plain = try await CommunitySite.post(
                client, "/papers/\(Self.paper)/upvote", [("csrf_token", csrf), ("vote", "1"), ("return", "/papers/\(Self.paper)")], jar: jar)
            #expect(plain.status == .seeOther && plain.headers[.location] == "/papers/\(Self.paper)")
            let after = String(buffer: try await CommunitySite.get(client, "/papers/\(Self.paper)", jar: jar).body)
            #expect(after.contains("<span class=\"count\">\(hub + 1)</span>") && after.contains("aria-pressed=\"true\""))
            #expect(after.contains("name=\"vote\" value=\"0\""))
            // Anonymous pages were cached before the vote; the vote emptied the cache.
            let anonymousAfter = String(buffer: try await client.execute(uri: "/papers/\(Self.paper)", method: .get).body)
            #expect(anonymousAfter.contains("<div class=\"votes\">\(hub + 1)<small>upvotes</small></div>"))
            #expect(!anonymousAfter.contains("href=\"/account\""), "a signed-in page never lands in the shared cache")

            // The feed card shows the same state.
            let feed = String(buffer: try await CommunitySite.get(client, "/papers/date/2026-08-21", jar: jar).body)
            #expect(feed.contains("aria-pressed=\"true\""))

            // The script's request: same form, JSON answer.
            let fetched = try await CommunitySite.post(
                client, "/papers/\(Self.paper)/upvote", [("csrf_token", csrf), ("vote", "0")], jar: jar, headers: [.accept: "application/json"])
            #expect(fetched.status == .ok)
            #expect(try json(fetched)["upvotes"] as? Int == hub && json(fetched)["voted"] as? Bool == false)

            // Refusals store nothing.
            let forged = try await CommunitySite.post(client, "/papers/\(Self.paper)/upvote", [("vote", "1")], jar: jar)
            #expect(forged.status == .forbidden)
            let badValue = try await CommunitySite.post(client, "/papers/\(Self.paper)/upvote", [("csrf_token", csrf), ("vote", "2")], jar: jar)
            #expect(badValue.status == .badRequest && String(buffer: badValue.body).contains("vote: "))
            let offsite = try await CommunitySite.post(
                client, "/papers/\(Self.paper)/upvote", [("csrf_token", csrf), ("vote", "1"), ("return", "https://evil.example/")], jar: jar)
            #expect(offsite.headers[.location] == "/papers/\(Self.paper)")
            let anonymousVote = try await CommunitySite.post(client, "/papers/\(Self.paper)/upvote", [("vote", "1")], jar: CookieJar())
            #expect(anonymousVote.status == .seeOther && anonymousVote.headers[.location]?.hasPrefix("/login?next=") == true)
            #expect(try await store.paper(ArxivID(Self.paper)!)?.upvotes == hub + 1)
        }
    }

    @Test func votesAreRateLimitedPerUser() async throws {
        try await CommunitySite.with({ $0.voteLimit = RateLimit(3, per: .seconds(60)) }) { client, _ in
            let ann = try await CommunitySite.apiToken(client, "ann")
            let bob = try await CommunitySite.apiToken(client, "bob")
            for _ in 0..<3 { #expect(try await apiVote(client, ann, .post).status == .ok) }
            let refused = try await apiVote(client, ann, .delete)
            #expect(refused.status == .tooManyRequests)
            #expect(refused.headers[.retryAfter].flatMap { Int($0) }.map { (1...60).contains($0) } == true)
            #expect(try await apiVote(client, bob, .post).status == .ok, "each user has a budget of their own")
            #expect(try await shownUpvotes(client) >= 2)
        }
    }
}
