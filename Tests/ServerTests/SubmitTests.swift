import Catalog
import CatalogSQLite
import Community
import Foundation
import Hummingbird
import HummingbirdTesting
import PaperboyServer
import Testing
import TestSupport

/// Submitting papers to the daily feed through the API and the `/submit` page, over the demo
/// catalog with the clock pinned to 2026-08-21T18:00Z, and from a local server that plays a
/// recorded arXiv API answer: every id form, every rule by name, overrides, bad input, limits.
@Suite struct SubmitTests {
    static let password = "correct horse battery"

    /// A site whose rules are hf.co's; `change` adjusts them (the other limits are lifted).
    static func with(
        catalog given: SiteStore? = nil, now: Double = TestSite.now, arxivAPIURL: String? = nil,
        _ change: (inout CommunityConfiguration) -> Void = { _ in },
        _ body: @escaping @Sendable (any TestClientProtocol, SiteStore) async throws -> Void
    ) async throws {
        let store: SiteStore
        if let given { store = given } else { store = try await TestSite.catalog() }
        var configuration = CommunitySite.configuration {
            $0.submitLimit = RateLimit(10_000, per: .seconds(60))
            change(&$0)
        }
        configuration.arxivAPIURL = arxivAPIURL
        // The local stand-in answers at once, but a CI run of every suite at once on two cores once
        // kept it from being scheduled for ten seconds: the ten-second time-out made a 404 a 502.
        configuration.arxivAPITimeout = .seconds(120)
        let app = buildApplication(configuration: configuration, catalog: store, logger: quietLogger, now: { now })
        try await app.test(.router) { client in try await body(client, store) }
    }

    /// An account made straight in the store (with a real, cheap bcrypt hash, so it can log in
    /// through the form) and a personal API token for it.
    static func account(_ store: SiteStore, _ name: String, role: Role = .user) async throws -> (user: User, token: String) {
        let hash = PasswordHasher(cost: 4).hash(password)
        let user = try await store.createUser(NewUser(username: name, email: "\(name)@example.org", passwordHash: hash, role: role), at: Date())
        let token = "pb_" + SecretToken.make()
        _ = try await store.createAPIToken(userID: user.id, name: "script", tokenDigest: SecretToken.digest(token), prefix: String(token.prefix(9)), at: Date())
        return (user, token)
    }

    /// Papers with arXiv metadata only, first version two days before the pinned clock.
    static func addFresh(_ store: SiteStore, _ ids: [String]) async throws {
        var changes: [CatalogChange] = []
        for text in ids {
            var record = PaperRecord(id: try #require(ArxivID(text)))
            record.version = 1
            record.title = "Fresh paper \(text)"
            record.abstract = "Plain arXiv metadata, never featured."
            record.authors = ["Ann Author"]
            record.categories = ["cs.LG"]
            record.published = "2026-08-19T09:00:00Z"
            changes.append(.upsert(record))
        }
        _ = try await store.apply(changes, checkpoint: nil)
    }

    static func apiSubmit(
        _ client: any TestClientProtocol, _ token: String?, _ fields: [String: Any], contentType: String = "application/json"
    ) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: contentType]
        if let token { headers[.authorization] = "Bearer \(token)" }
        let body = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: fields))
        return try await client.execute(uri: "/api/papers/submit", method: .post, headers: headers, body: body)
    }

    static func json(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
    }

    static func logIn(_ client: any TestClientProtocol, _ name: String) async throws -> CookieJar {
        let jar = CookieJar()
        let form = try await CommunitySite.get(client, "/login", jar: jar)
        let token = try #require(CommunitySite.csrfToken(in: String(buffer: form.body)))
        let answer = try await CommunitySite.post(
            client, "/login", [("csrf_token", token), ("login", name), ("password", password), ("next", "/submit")], jar: jar)
        #expect(answer.status == .seeOther)
        return jar
    }

    @Test func everyIdAndURLFormSubmits() async throws {
        let forms = [
            ("2608.00001", "2608.00001"), ("2608.00002v2", "2608.00002"), ("arxiv:2608.00003", "2608.00003"),
            ("https://arxiv.org/abs/2608.00004v3", "2608.00004"), ("https://arxiv.org/pdf/2608.00005", "2608.00005"),
            ("https://huggingface.co/papers/2608.00006", "2608.00006"), ("hep-th/0608001", "hep-th/0608001"),
            ("https://arxiv.org/abs/hep-th/0608002v2", "hep-th/0608002"),
        ]
        try await Self.with({ $0.submissionRules.dailyCapPerUser = nil }) { client, store in
            try await Self.addFresh(store, forms.map(\.1))
            let ann = try await Self.account(store, "ann")
            for (text, id) in forms {
                let answer = try await Self.apiSubmit(client, ann.token, ["paper_id": text])
                #expect(answer.status == .created, "\(text): \(String(buffer: answer.body))")
                #expect(try Self.json(answer)["id"] as? String == id)
                #expect(answer.headers[.location] == "/api/papers/\(id)")
                #expect(try await store.paper(ArxivID(id)!)?.featuredDate == "2026-08-21")
            }
        }
    }

    @Test func aSubmittedPaperIsFeaturedTodayWithItsSubmitter() async throws {
        try await Self.with { client, store in
            let id = "2608.00011"
            try await Self.addFresh(store, [id])
            let ann = try await Self.account(store, "ann")
            let answer = try await Self.apiSubmit(client, ann.token, ["paper_id": id, "comment": "Read section 3."])
            #expect(answer.status == .created)
            // The Hub's paper shape, featured today, by ann, with her upvote.
            let paper = try Self.json(answer)
            #expect(paper["submittedOnDailyAt"] as? String == "2026-08-21T00:00:00.000Z")
            #expect((paper["submittedOnDailyBy"] as? [String: Any])?["user"] as? String == "ann")
            #expect(paper["upvotes"] as? Int == 1)
            let stored = try #require(try await store.paper(ArxivID(id)!))
            #expect(stored.featuredDate == "2026-08-21" && stored.submittedBy == "ann" && stored.upvotes == 1)
            let recorded = try await store.submissions(paper: ArxivID(id)!)
            #expect(recorded.count == 1)
            #expect(recorded.first?.username == "ann" && recorded.first?.comment == "Read section 3." && recorded.first?.overridden == false)
            #expect(recorded.first.map { abs($0.createdAt.timeIntervalSince1970 - TestSite.now * 86_400) < 1 } == true, "the server's clock")

            // The day's page and the API list it (the submission emptied the cached answers).
            let day = try await client.get("/papers/date/2026-08-21")
            #expect(day.body.contains("Fresh paper \(id)"))
            let listed = try await client.execute(uri: "/api/daily_papers?date=2026-08-21&limit=100", method: .get)
            let items = try #require(try JSONSerialization.jsonObject(with: Data(listed.body.readableBytesView)) as? [[String: Any]])
            let item = try #require(items.first { ($0["paper"] as? [String: Any])?["id"] as? String == id })
            #expect((item["submittedBy"] as? [String: Any])?["user"] as? String == "ann")
            let submitted = try await client.execute(uri: "/api/daily_papers?submitter=ann", method: .get)
            #expect(String(buffer: submitted.body).contains("\"id\":\"\(id)\""))
        }
    }

    @Test func eachRuleRefusesByNameAndStoresNothing() async throws {
        try await Self.with({ $0.submissionRules.dailyCapPerUser = 2 }) { client, store in
            try await Self.addFresh(store, ["2608.00021", "2608.00022", "2608.00023"])
            let ann = try await Self.account(store, "ann")
            let featured = try #require(try await store.paper(ArxivID(UpvoteTests.paper)!))
            let versionBefore = try await store.contentVersion()

            func refused(_ id: String, _ rule: String) async throws {
                let answer = try await Self.apiSubmit(client, ann.token, ["paper_id": id])
                #expect(answer.status == .unprocessableContent, "\(id)")
                let body = try Self.json(answer)
                #expect(body["rule"] as? String == rule)
                #expect((body["error"] as? String)?.isEmpty == false)
                #expect(try await store.submissions(paper: ArxivID(id)!).isEmpty)
            }
            try await refused(UpvoteTests.paper, "not_featured_before")
            #expect(try await store.paper(featured.id) == featured, "the featured paper is untouched")
            try await refused(TestSite.plainID, "max_age_days")  // first version 2026-07-01
            #expect(try await store.paper(ArxivID(TestSite.plainID)!)?.featuredDate == nil)
            #expect(try await store.contentVersion() == versionBefore, "refusals change nothing")

            #expect(try await Self.apiSubmit(client, ann.token, ["paper_id": "2608.00021"]).status == .created)
            #expect(try await Self.apiSubmit(client, ann.token, ["paper_id": "2608.00022"]).status == .created)
            try await refused("2608.00023", "daily_cap_per_user")
            #expect(try await store.paper(ArxivID("2608.00023")!)?.featuredDate == nil)
            // The cap is per user.
            let bob = try await Self.account(store, "bob")
            #expect(try await Self.apiSubmit(client, bob.token, ["paper_id": "2608.00023"]).status == .created)
        }
    }

    @Test func curatorsOverrideTheRulesAndUsersMayNot() async throws {
        try await Self.with({ $0.submissionRules.dailyCapPerUser = 1 }) { client, store in
            try await Self.addFresh(store, ["2608.00031"])
            let ann = try await Self.account(store, "ann")
            let cleo = try await Self.account(store, "cleo", role: .curator)

            // A banned account cannot submit (a submission carries its upvote).
            let bob = try await Self.account(store, "bob")
            try await store.setBan(userID: bob.user.id, moderatorID: cleo.user.id, reason: "spam", at: Date())
            #expect(try await Self.apiSubmit(client, bob.token, ["paper_id": "2608.00031"]).status == .forbidden)

            let asked = try await Self.apiSubmit(client, ann.token, ["paper_id": "2608.00031", "override": true])
            #expect(asked.status == .forbidden)
            #expect(try Self.json(asked)["rule"] as? String == "override_not_allowed")
            #expect(try await store.paper(ArxivID("2608.00031")!)?.featuredDate == nil)

            // Without asking, a curator meets the rules like anyone, and is told they may override.
            let plain = try await Self.apiSubmit(client, cleo.token, ["paper_id": TestSite.plainID])
            #expect(plain.status == .unprocessableContent)
            #expect(try (Self.json(plain)["error"] as? String)?.contains("override=true") == true)
            let old = try await Self.apiSubmit(client, cleo.token, ["paper_id": TestSite.plainID, "override": true])
            #expect(old.status == .created)
            #expect(try await store.submissions(paper: ArxivID(TestSite.plainID)!).first?.overridden == true)
            // Past the cap of 1, and a paper featured before (now featured today again).
            let again = try await Self.apiSubmit(client, cleo.token, ["paper_id": UpvoteTests.paper, "override": "true"])
            #expect(again.status == .created)
            let paper = try #require(try await store.paper(ArxivID(UpvoteTests.paper)!))
            #expect(paper.featuredDate == "2026-08-21" && paper.submittedBy == "cleo")
        }
    }

    @Test func badInputIsRefusedNamingTheFieldAndStoresNothing() async throws {
        try await Self.with({ $0.maxFormBytes = 1_024 }) { client, store in
            try await Self.addFresh(store, ["2608.00041"])
            let ann = try await Self.account(store, "ann")
            let versionBefore = try await store.contentVersion()

            for bad in ["not-a-paper", "https://example.org/abs/2608.00041", ""] {
                let answer = try await Self.apiSubmit(client, ann.token, ["paper_id": bad])
                #expect(answer.status == .badRequest)
                #expect(try (Self.json(answer)["error"] as? String)?.hasPrefix("paper_id: ") == true)
            }
            let missing = try await Self.apiSubmit(client, ann.token, ["comment": "no id"])
            #expect(missing.status == .badRequest)
            #expect(try (Self.json(missing)["error"] as? String)?.hasPrefix("paper_id: ") == true)
            let number = try await Self.apiSubmit(client, ann.token, ["paper_id": 2608.00041])
            #expect(number.status == .badRequest)
            #expect(try (Self.json(number)["error"] as? String)?.hasPrefix("paper_id: ") == true)
            let long = try await Self.apiSubmit(client, ann.token, ["paper_id": "2608.00041", "comment": String(repeating: "é", count: 600)])
            #expect(long.status == .contentTooLarge)
            let wordy = try await Self.apiSubmit(client, ann.token, ["paper_id": "2608.00041", "override": "maybe"])
            #expect(wordy.status == .badRequest)
            #expect(try (Self.json(wordy)["error"] as? String)?.hasPrefix("override: ") == true)
            let notJSON = try await client.execute(
                uri: "/api/papers/submit", method: .post,
                headers: [.authorization: "Bearer \(ann.token)", .contentType: "application/json"], body: ByteBuffer(string: "{paper_id"))
            #expect(notJSON.status == .badRequest)

            // Tokens: none, unknown, revoked.
            let anonymous = try await Self.apiSubmit(client, nil, ["paper_id": "2608.00041"])
            #expect(anonymous.status == .unauthorized && anonymous.headers[.wwwAuthenticate] != nil)
            #expect(try await Self.apiSubmit(client, "pb_" + SecretToken.make(), ["paper_id": "2608.00041"]).status == .unauthorized)
            let listed = try #require(try await store.apiTokens(userID: ann.user.id).first)
            #expect(try await store.revokeAPIToken(id: listed.id, userID: ann.user.id, at: Date()))
            #expect(try await Self.apiSubmit(client, ann.token, ["paper_id": "2608.00041"]).status == .unauthorized)

            #expect(try await store.paper(ArxivID("2608.00041")!)?.featuredDate == nil)
            #expect(try await store.submissions(paper: ArxivID("2608.00041")!).isEmpty)
            #expect(try await store.contentVersion() == versionBefore)
        }
    }

    @Test func aFormEncodedBodyWorksToo() async throws {
        try await Self.with { client, store in
            try await Self.addFresh(store, ["2608.00051"])
            let ann = try await Self.account(store, "ann")
            let answer = try await client.execute(
                uri: "/api/papers/submit", method: .post,
                headers: [.authorization: "Bearer \(ann.token)", .contentType: "application/x-www-form-urlencoded"],
                body: CommunitySite.form([("paper_id", "arXiv:2608.00051"), ("comment", "via curl -d")]))
            #expect(answer.status == .created)
            #expect(try await store.submissions(paper: ArxivID("2608.00051")!).first?.comment == "via curl -d")
        }
    }

    @Test func submissionsAreRateLimitedPerUser() async throws {
        try await Self.with({ $0.submitLimit = RateLimit(2, per: .seconds(60)) }) { client, store in
            let ann = try await Self.account(store, "ann")
            for _ in 0..<2 { #expect(try await Self.apiSubmit(client, ann.token, ["paper_id": "nonsense"]).status == .badRequest) }
            let refused = try await Self.apiSubmit(client, ann.token, ["paper_id": "2608.00061"])
            #expect(refused.status == .tooManyRequests)
            #expect(refused.headers[.retryAfter].flatMap { Int($0) }.map { (1...60).contains($0) } == true)
            let bob = try await Self.account(store, "bob")
            #expect(try await Self.apiSubmit(client, bob.token, ["paper_id": "nonsense"]).status == .badRequest, "each user has a budget")
        }
    }

    @Test func theSubmitPageWorksForSignedInReadersOnly() async throws {
        try await Self.with { client, store in
            try await Self.addFresh(store, ["2608.00071", "2608.00072"])
            _ = try await Self.account(store, "ann")
            _ = try await Self.account(store, "cleo", role: .curator)

            let anonymous = try await client.get("/submit")
            #expect(anonymous.status == .ok && anonymous.body.contains("href=\"/login?next=/submit\""))
            #expect(!anonymous.body.contains("name=\"paper_id\"") && !anonymous.body.contains("href=\"/submit\">Submit a paper"))
            let anonymousPost = try await CommunitySite.post(client, "/submit", [("paper_id", "2608.00071")], jar: CookieJar())
            #expect(anonymousPost.status == .seeOther && anonymousPost.headers[.location] == "/login?next=/submit")

            let jar = try await Self.logIn(client, "ann")
            let form = String(buffer: try await CommunitySite.get(client, "/submit", jar: jar).body)
            #expect(form.contains("<a href=\"/submit\">Submit a paper</a>"), "the header links the page")
            #expect(form.contains("name=\"paper_id\"") && !form.contains("name=\"override\""), "no override box for plain users")
            let csrf = try #require(CommunitySite.csrfToken(in: form))

            let forged = try await CommunitySite.post(client, "/submit", [("paper_id", "2608.00071")], jar: jar)
            #expect(forged.status == .forbidden)
            #expect(try await store.paper(ArxivID("2608.00071")!)?.featuredDate == nil)

            let refused = try await CommunitySite.post(client, "/submit", [("csrf_token", csrf), ("paper_id", TestSite.plainID)], jar: jar)
            #expect(refused.status == .unprocessableContent)
            #expect(String(buffer: refused.body).contains("(rule: max_age_days)"))
            #expect(String(buffer: refused.body).contains("value=\"\(TestSite.plainID)\""), "the form keeps what was typed")
            let invalid = try await CommunitySite.post(client, "/submit", [("csrf_token", csrf), ("paper_id", "nope")], jar: jar)
            #expect(invalid.status == .badRequest && String(buffer: invalid.body).contains("paper_id: "))

            let done = try await CommunitySite.post(
                client, "/submit", [("csrf_token", csrf), ("paper_id", "https://arxiv.org/abs/2608.00071v1"), ("comment", "Nice")], jar: jar)
            #expect(done.status == .seeOther && done.headers[.location] == "/papers/2608.00071")
            let page = String(buffer: try await CommunitySite.get(client, "/papers/2608.00071", jar: jar).body)
            #expect(page.contains("<a href=\"/users/ann\">ann</a>") && page.contains("aria-pressed=\"true\""))

            let curator = try await Self.logIn(client, "cleo")
            let curatorForm = String(buffer: try await CommunitySite.get(client, "/submit", jar: curator).body)
            #expect(curatorForm.contains("name=\"override\""))
            let curatorCSRF = try #require(CommunitySite.csrfToken(in: curatorForm))
            let overridden = try await CommunitySite.post(
                client, "/submit", [("csrf_token", curatorCSRF), ("paper_id", TestSite.plainID), ("override", "true")], jar: curator)
            #expect(overridden.status == .seeOther)
            #expect(try await store.paper(ArxivID(TestSite.plainID)!)?.submittedBy == "cleo")
        }
    }

    // MARK: Papers the catalog lacks, from the arXiv API

    /// 2025-10-17T12:00Z: the day after the recorded answer's first paper (2510.14968,
    /// first version 2025-10-16T17:59:37Z).
    static let arxivNow = Double(DateText.daysFromCivil(2025, 10, 17)) + 0.5

    /// A local server that answers every arXiv API query with the recorded Atom page.
    static func withRecordedArxiv(_ body: @escaping @Sendable (_ url: String, _ requested: @escaping @Sendable () -> [String]) async throws -> Void) async throws {
        let recorded = try Data(contentsOf: URL(fileURLWithPath: TestSupport.sample("arxiv_api_atom_query_cat-cs.RO_2025-10-17.xml")))
        let log = RequestLog()
        let router = Router()
        router.get("/api/query") { request, _ -> Response in
            log.add(request.uri.description)
            // An id the recording has: the recording; any other: arXiv's answer for an unknown id, an empty feed.
            let text = request.uri.description.contains("2510.14968") ? String(decoding: recorded, as: UTF8.self) : Self.emptyFeed
            return Response(status: .ok, headers: [.contentType: "application/atom+xml"], body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        let arxiv = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: quietLogger)
        try await arxiv.test(.live) { client in
            let port = try #require(client.port)
            try await body("http://127.0.0.1:\(port)/api/query", { log.all })
        }
    }

    static let emptyFeed = """
        <?xml version="1.0" encoding="UTF-8"?>
        <feed xmlns="http://www.w3.org/2005/Atom">
          <title type="html">ArXiv Query: id_list=2510.99999</title>
          <id>http://arxiv.org/api/unknown</id>
          <opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">0</opensearch:totalResults>
        </feed>
        """

    @Test func aPaperTheCatalogLacksComesFromTheArxivAPI() async throws {
        try await Self.withRecordedArxiv { url, requested in
            let catalog = try await SiteDatabase.fresh()
            try await Self.with(catalog: catalog, now: Self.arxivNow, arxivAPIURL: url) { client, store in
                let ann = try await Self.account(store, "ann")
                let answer = try await Self.apiSubmit(client, ann.token, ["paper_id": "https://huggingface.co/papers/2510.14968"])
                #expect(answer.status == .created, "\(String(buffer: answer.body))")
                #expect(try (Self.json(answer)["title"] as? String)?.hasPrefix("RDD: Retrieval-Based Demonstration Decomposer") == true)
                #expect(requested().count == 1 && requested().first?.contains("id_list=2510.14968") == true)
                let stored = try #require(try await store.paper(ArxivID("2510.14968")!))
                #expect(stored.featuredDate == "2025-10-17" && stored.submittedBy == "ann")
                #expect(stored.published == "2025-10-16T17:59:37Z" && stored.authors.first == "Mingxuan Yan")

                // An id arXiv does not know: 404 naming arXiv, nothing stored.
                let unknown = try await Self.apiSubmit(client, ann.token, ["paper_id": "2510.99999"])
                #expect(unknown.status == .notFound)
                #expect(try (Self.json(unknown)["error"] as? String)?.contains("arXiv has no paper 2510.99999") == true)
                #expect(try await store.paper(ArxivID("2510.99999")!) == nil)
                #expect(try await store.paperCount() == 1)
            }
        }
    }

    @Test func anUnavailableArxivIsA502AndStoresNothing() async throws {
        // arXiv's answer when it is overloaded, every time: the fetcher tries twice and gives up.
        let router = Router()
        router.get("/api/query") { _, _ -> Response in
            Response(status: .serviceUnavailable, headers: [.retryAfter: "1"], body: .init(byteBuffer: ByteBuffer(string: "busy")))
        }
        let arxiv = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: quietLogger)
        try await arxiv.test(.live) { arxivClient in
            let url = "http://127.0.0.1:\(try #require(arxivClient.port))/api/query"
            let catalog = try await SiteDatabase.fresh()
            try await Self.with(catalog: catalog, now: Self.arxivNow, arxivAPIURL: url) { client, store in
                let ann = try await Self.account(store, "ann")
                let answer = try await Self.apiSubmit(client, ann.token, ["paper_id": "2510.14968"])
                #expect(answer.status == .badGateway)
                #expect(try (Self.json(answer)["error"] as? String)?.contains("arXiv API could not be reached") == true)
                #expect(try await store.paperCount() == 0)
                #expect(try await store.submissions(paper: ArxivID("2510.14968")!).isEmpty)
            }
        }
    }

    // MARK: Why a paper is trending

    @Test func thePaperPageExplainsItsTrendingScoreWithItsNumbers() async throws {
        try await TestSite.with { client in
            let catalog = try await TestSite.catalog()
            let paper = try #require(try await catalog.paper(ArxivID(UpvoteTests.paper)!))
            #expect(paper.featuredDate == "2026-08-21")
            // Featured at midnight, the clock at 18:00: 18 hours.
            let score = TrendingScore.score(upvotes: paper.upvotes, featuredDay: "2026-08-21", now: TestSite.now)
            let expected = "Trending score \(String(format: "%.3g", score)) = \(paper.upvotes) upvotes / (18 hours since featured + 2)^1.5"
            let page = try await client.get("/papers/\(UpvoteTests.paper)")
            #expect(page.body.contains(expected), "\(expected)")
            // Its place on the trending list is the one the trending page gives it.
            let trending = try await client.execute(uri: "/api/daily_papers?sort=trending&week=2026-W34&limit=100", method: .get)
            #expect(trending.status == .ok)
            let rankLine = try #require(page.body.range(of: "; ranks #"))
            let rank = Int(page.body[rankLine.upperBound...].prefix(while: \.isNumber))
            let trendingPage = try await client.get("/papers/trending")
            let order = trendingPage.body.components(separatedBy: "href=\"/papers/").dropFirst()
                .map { String($0.prefix(while: { $0 != "\"" })) }.filter { ArxivID($0) != nil }
            var seen: [String] = []
            for id in order where !seen.contains(id) { seen.append(id) }
            if let rank, rank <= seen.count { #expect(seen[rank - 1] == UpvoteTests.paper) }
            #expect(rank != nil)

            // sort=trending on the day, week and month pages, and the trending feed.
            for path in ["/papers/date/2026-08-21", "/papers/week/2026-W34", "/papers/month/2026-08"] {
                let sorted = try await client.get("\(path)?sort=trending")
                #expect(sorted.status == .ok && sorted.body.contains("<strong>Trending</strong>"), "\(path)")
            }
            #expect(try await client.get("/feeds/trending.rss").status == .ok)

            // A paper never featured has no score, and no line.
            let plain = try await client.get("/papers/\(TestSite.plainID)")
            #expect(!plain.body.contains("Trending score"))
        }
    }
}

/// What the recorded arXiv server was asked, in order.
final class RequestLog: @unchecked Sendable {
    private let lock = NSLock()
    private var uris: [String] = []

    func add(_ uri: String) { lock.withLock { uris.append(uri) } }
    var all: [String] { lock.withLock { uris } }
}
