import Catalog
import CatalogSQLite
import Community
import Foundation
import Hummingbird
import HummingbirdTesting
import PaperboyServer
import Testing
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Collections through the pages, the forms and the API, over a real SQLite catalog: saving from
/// the paper page, privacy (404, never 403, for someone else's private collection), the public
/// page and its RSS feed, escaping, CSRF, the caps, body sizes, Bearer tokens and rate limits.
@Suite struct CollectionTests {
    static let paper = "2608.19880"

    /// A site whose collection limits will not get in the way, unless a test lowers them.
    func site(
        _ change: @escaping (inout CommunityConfiguration) -> Void = { _ in },
        _ body: @escaping @Sendable (any TestClientProtocol, SiteStore) async throws -> Void
    ) async throws {
        try await CommunitySite.with({ community in
            community.collectionCreateLimit = RateLimit(10_000, per: .seconds(3_600))
            community.collectionAddLimit = RateLimit(10_000, per: .seconds(60))
            change(&community)
        }, body)
    }

    func json(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
    }

    /// The CSRF token of a signed-in browser, from any page it is shown.
    func csrf(_ client: any TestClientProtocol, _ jar: CookieJar) async throws -> String {
        let page = try await CommunitySite.get(client, "/collections", jar: jar)
        return try #require(CommunitySite.csrfToken(in: String(buffer: page.body)))
    }

    func userID(_ store: SiteStore, _ name: String) async throws -> Int64 {
        try #require(try await store.userForLogin(name)).user.id
    }

    /// Creates a collection through the `/collections` form; answers its id, from the redirect.
    func create(
        _ client: any TestClientProtocol, _ jar: CookieJar, _ name: String, visibility: String? = nil, description: String? = nil,
        paper: String? = nil
    ) async throws -> Int64 {
        let response = try await postCreate(client, jar, name, visibility: visibility, description: description, paper: paper)
        #expect(response.status == .seeOther, "\(String(buffer: response.body))")
        let location = try #require(response.headers[.location])
        #expect(location.hasPrefix("/collections/"))
        return try #require(Int64(location.dropFirst("/collections/".count)))
    }

    func postCreate(
        _ client: any TestClientProtocol, _ jar: CookieJar, _ name: String, visibility: String? = nil, description: String? = nil,
        paper: String? = nil, extra: [(String, String)] = []
    ) async throws -> TestResponse {
        var fields = [("csrf_token", try await csrf(client, jar)), ("name", name)]
        if let visibility { fields.append(("visibility", visibility)) }
        if let description { fields.append(("description", description)) }
        if let paper { fields.append(("paper", paper)) }
        return try await CommunitySite.post(client, "/collections", fields + extra, jar: jar)
    }

    func add(_ client: any TestClientProtocol, _ jar: CookieJar, _ collection: Int64, _ paper: String) async throws -> TestResponse {
        try await CommunitySite.post(
            client, "/collections/\(collection)/papers", [("csrf_token", try await csrf(client, jar)), ("paper", paper)], jar: jar)
    }

    /// A personal API token for the account signed in as `jar`, made on its account page.
    func token(_ client: any TestClientProtocol, _ jar: CookieJar) async throws -> String {
        let account = try await CommunitySite.get(client, "/account", jar: jar)
        let csrf = try #require(CommunitySite.csrfToken(in: String(buffer: account.body)))
        let made = try await CommunitySite.post(client, "/account/tokens", [("csrf_token", csrf), ("name", "script")], jar: jar)
        let html = String(buffer: made.body)
        let start = try #require(html.range(of: "<code class=\"token\">"))
        return String(html[start.upperBound...].prefix(while: { $0 != "<" }))
    }

    func api(
        _ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, token: String?, body: String? = nil
    ) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
    }

    func stored(_ store: SiteStore, _ id: Int64) async throws -> [String] {
        try await store.papers(inCollection: id, limit: 1_000, offset: 0).map(\.paper.id.value)
    }

    // MARK: Saving from the paper page

    @Test func savingFromThePaperPageAddsAndRemovesPapers() async throws {
        try await site { client, store in
            let ann = try await CommunitySite.signUp(client, "ann")
            let annID = try await userID(store, "ann")
            let anonymous = String(buffer: try await client.execute(uri: "/papers/\(Self.paper)", method: .get).body)
            #expect(!anonymous.contains("Save to a collection"), "anonymous readers get no save control")

            // No collection yet: the paper page offers to start one with this paper.
            var page = String(buffer: try await CommunitySite.get(client, "/papers/\(Self.paper)", jar: ann).body)
            #expect(page.contains("<section class=\"collections\" id=\"collections\"><h2>Save to a collection</h2>"))
            #expect(page.contains("<input type=\"hidden\" name=\"paper\" value=\"\(Self.paper)\">"))
            let created = try await postCreate(
                client, ann, "  Reading list  ", paper: Self.paper, extra: [("return", "/papers/\(Self.paper)#collections")])
            #expect(created.status == .seeOther && created.headers[.location] == "/papers/\(Self.paper)#collections")
            let mine = try await store.collections(ownerID: annID, marking: ArxivID(Self.paper))
            #expect(mine.count == 1 && mine[0].holdsPaper && mine[0].collection.name == "Reading list", "the name is trimmed")
            #expect(mine[0].collection.isPublic == false, "private unless asked")
            let id = mine[0].collection.id

            // The page now shows the paper saved, with a button that takes it out.
            page = String(buffer: try await CommunitySite.get(client, "/papers/\(Self.paper)", jar: ann).body)
            #expect(page.contains("action=\"/collections/\(id)/papers/remove\""))
            #expect(page.contains("✓ Saved in <a href=\"/collections/\(id)\">Reading list</a>"))

            // Saving another paper, and the first again (no change), then an old-style id.
            #expect(try await add(client, ann, id, TestSite.hostileID).status == .seeOther)
            #expect(try await add(client, ann, id, Self.paper).status == .seeOther)
            let oldStyle = try await add(client, ann, id, TestSite.plainID)
            #expect(oldStyle.status == .seeOther && oldStyle.headers[.location] == "/collections/\(id)")
            #expect(try await stored(store, id) == [TestSite.plainID, TestSite.hostileID, Self.paper], "most recently added first, once each")
            #expect(try await store.collection(id: id)?.paperCount == 3)
            let plainPage = String(buffer: try await CommunitySite.get(client, "/papers/\(TestSite.plainID)", jar: ann).body)
            #expect(plainPage.contains("✓ Saved in <a href=\"/collections/\(id)\">Reading list</a>"))

            // The owner's page lists the papers, each with a button to take it out.
            let collectionPage = String(buffer: try await CommunitySite.get(client, "/collections/\(id)", jar: ann).body)
            let order = [TestSite.plainID, TestSite.hostileID, Self.paper].map { collectionPage.range(of: "href=\"/papers/\($0)\"")?.lowerBound }
            #expect(order.allSatisfy { $0 != nil } && order.compactMap { $0 } == order.compactMap { $0 }.sorted())
            #expect(collectionPage.occurrences(of: "action=\"/collections/\(id)/papers/remove\"") == 3)
            #expect(collectionPage.contains("A private collection by"))

            let token = try await csrf(client, ann)
            let removed = try await CommunitySite.post(
                client, "/collections/\(id)/papers/remove", [("csrf_token", token), ("paper", Self.paper), ("return", "/papers/\(Self.paper)#collections")],
                jar: ann)
            #expect(removed.status == .seeOther && removed.headers[.location] == "/papers/\(Self.paper)#collections")
            #expect(try await stored(store, id) == [TestSite.plainID, TestSite.hostileID])
            page = String(buffer: try await CommunitySite.get(client, "/papers/\(Self.paper)", jar: ann).body)
            #expect(page.contains("action=\"/collections/\(id)/papers\"") && !page.contains("✓ Saved in"))

            // Renaming, describing and deleting through the forms.
            let renamed = try await CommunitySite.post(
                client, "/collections/\(id)/edit", [("csrf_token", token), ("name", "Agents"), ("description", "Papers on agents.")], jar: ann)
            #expect(renamed.status == .seeOther)
            #expect(try await store.collection(id: id)?.name == "Agents")
            #expect(try await store.collection(id: id)?.description == "Papers on agents.")
            let cleared = try await CommunitySite.post(client, "/collections/\(id)/edit", [("csrf_token", token), ("description", "")], jar: ann)
            #expect(cleared.status == .seeOther)
            #expect(try await store.collection(id: id)?.description == nil)
            #expect(try await store.collection(id: id)?.name == "Agents")
            let deleted = try await CommunitySite.post(client, "/collections/\(id)/delete", [("csrf_token", token)], jar: ann)
            #expect(deleted.status == .seeOther && deleted.headers[.location] == "/collections")
            #expect(try await store.collection(id: id) == nil)
            #expect(try await stored(store, id).isEmpty, "the list goes with the collection")
            #expect(try await store.paper(ArxivID(Self.paper)!) != nil, "the papers stay")
        }
    }

    // MARK: Privacy

    @Test func privateCollectionsAreNotFoundForEveryoneButTheirOwner() async throws {
        try await site { client, store in
            let ann = try await CommunitySite.signUp(client, "ann")
            let bob = try await CommunitySite.signUp(client, "bob")
            let secret = try await create(client, ann, "Secret plans", paper: Self.paper)
            let open = try await create(client, ann, "Open list", visibility: "public", paper: Self.paper)
            let missing = secret + open + 100

            let nobody = try await client.get("/collections/\(missing)")
            #expect(nobody.status == .notFound)
            for jar in [CookieJar(), bob] {
                let answer = try await CommunitySite.get(client, "/collections/\(secret)", jar: jar)
                let text = String(buffer: answer.body)
                #expect(answer.status == .notFound, "not 403: nobody learns the collection exists")
                #expect(!text.contains("Secret plans") && text.contains("There is no collection \(secret)."))
                let feed = try await CommunitySite.get(client, "/collections/\(secret)/feed.rss", jar: jar)
                #expect(feed.status == .notFound)
            }
            let own = try await CommunitySite.get(client, "/collections/\(secret)", jar: ann)
            #expect(own.status == .ok && String(buffer: own.body).contains("Secret plans"))
            #expect(try await CommunitySite.get(client, "/collections/\(secret)/feed.rss", jar: ann).status == .notFound, "only public ones have a feed")
            #expect(try await client.get("/collections/\(open)").status == .ok)

            // Changing it: someone else's private collection is missing, a public one forbidden.
            let bobToken = try await csrf(client, bob)
            let intoSecret = try await CommunitySite.post(client, "/collections/\(secret)/papers", [("csrf_token", bobToken), ("paper", TestSite.hostileID)], jar: bob)
            #expect(intoSecret.status == .notFound && !String(buffer: intoSecret.body).contains("Secret plans"))
            let intoOpen = try await CommunitySite.post(client, "/collections/\(open)/papers", [("csrf_token", bobToken), ("paper", TestSite.hostileID)], jar: bob)
            #expect(intoOpen.status == .forbidden)
            let deleteOpen = try await CommunitySite.post(client, "/collections/\(open)/delete", [("csrf_token", bobToken)], jar: bob)
            #expect(deleteOpen.status == .forbidden)
            #expect(try await stored(store, secret) == [Self.paper])
            #expect(try await stored(store, open) == [Self.paper])

            // Through the API, the same.
            let annAPI = try await token(client, ann)
            let bobAPI = try await token(client, bob)
            #expect(try await api(client, .get, "/api/collections/\(secret)", token: nil).status == .notFound)
            #expect(try await api(client, .get, "/api/collections/\(secret)", token: bobAPI).status == .notFound)
            #expect(try await api(client, .patch, "/api/collections/\(secret)", token: bobAPI, body: "{\"name\": \"Mine\"}").status == .notFound)
            #expect(try await api(client, .patch, "/api/collections/\(open)", token: bobAPI, body: "{\"name\": \"Mine\"}").status == .forbidden)
            let ownAPI = try await api(client, .get, "/api/collections/\(secret)", token: annAPI)
            #expect(try ownAPI.status == .ok && json(ownAPI)["name"] as? String == "Secret plans" && json(ownAPI)["public"] as? Bool == false)

            // Lists of someone's collections show the public ones, the owner's own token all.
            let listPage = String(buffer: try await client.execute(uri: "/users/ANN/collections", method: .get).body)
            #expect(listPage.contains("Open list") && !listPage.contains("Secret plans"))
            let publicList = try await api(client, .get, "/api/users/ann/collections", token: nil)
            let names = try #require(try JSONSerialization.jsonObject(with: Data(publicList.body.readableBytesView)) as? [[String: Any]]).compactMap { $0["name"] as? String }
            #expect(names == ["Open list"])
            let ownList = try await api(client, .get, "/api/users/ann/collections", token: annAPI)
            let allNames = try #require(try JSONSerialization.jsonObject(with: Data(ownList.body.readableBytesView)) as? [[String: Any]]).compactMap { $0["name"] as? String }
            #expect(Set(allNames) == ["Open list", "Secret plans"])
            #expect(try await api(client, .get, "/api/users/nobody_here/collections", token: nil).status == .notFound)
            #expect(try await client.get("/users/nobody_here/collections").status == .notFound)

            // Made public, the page and the feed open to all; made private again, they close.
            let annToken = try await csrf(client, ann)
            #expect(try await CommunitySite.post(client, "/collections/\(secret)/edit", [("csrf_token", annToken), ("visibility", "public")], jar: ann).status == .seeOther)
            #expect(try await client.get("/collections/\(secret)").status == .ok)
            #expect(try await client.get("/collections/\(secret)/feed.rss").status == .ok)
            #expect(try await CommunitySite.post(client, "/collections/\(secret)/edit", [("csrf_token", annToken), ("visibility", "private")], jar: ann).status == .seeOther)
            #expect(try await client.get("/collections/\(secret)").status == .notFound)
            #expect(try await client.get("/collections/\(secret)/feed.rss").status == .notFound)
        }
    }

    // MARK: The public page and its feed

    /// The feed's channel title and its items' titles and links, as an XML parser reads them.
    struct ParsedFeed {
        var channelTitle = ""
        var itemTitles: [String] = []
        var itemLinks: [String] = []
        var pubDates: [String] = []
    }

    func parseRSS(_ text: String) throws -> ParsedFeed {
        final class Reader: NSObject, XMLParserDelegate {
            var feed = ParsedFeed()
            var path: [String] = []
            var text = ""
            func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
                path.append(name)
                text = ""
            }
            func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }
            func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
                switch (path.dropLast().last, name) {
                case ("channel", "title"): feed.channelTitle = text
                case ("item", "title"): feed.itemTitles.append(text)
                case ("item", "link"): feed.itemLinks.append(text)
                case ("item", "pubDate"): feed.pubDates.append(text)
                default: break
                }
                path.removeLast()
                text = ""
            }
        }
        let parser = XMLParser(data: Data(text.utf8))
        let reader = Reader()
        parser.delegate = reader
        #expect(parser.parse(), "well-formed XML: \(parser.parserError.map { "\($0)" } ?? "")")
        return reader.feed
    }

    @Test func aPublicCollectionHasAnEscapedPageAndAWellFormedRSSFeed() async throws {
        try await site { client, store in
            let ann = try await CommunitySite.signUp(client, "ann")
            let hostileName = "<script>alert('name')</script> & \"Friends\""
            let id = try await create(
                client, ann, hostileName, visibility: "public", description: "<img src=x onerror=alert(1)> see https://example.org/list",
                paper: Self.paper)
            #expect(try await add(client, ann, id, TestSite.hostileID).status == .seeOther)

            let page = try await client.get("/collections/\(id)")
            #expect(page.status == .ok)
            #expect(!page.body.contains("<script>alert('name')") && !page.body.contains("<img src=x"))
            #expect(page.body.contains("<h1>&lt;script&gt;alert(&#39;name&#39;)&lt;/script&gt; &amp; &quot;Friends&quot;</h1>"))
            #expect(page.body.contains("&lt;img src=x onerror=alert(1)&gt; see <a href=\"https://example.org/list\" rel=\"nofollow ugc noopener\">"))
            #expect(page.body.contains("A public collection by <a href=\"/users/ann/collections\">ann</a>"))
            #expect(page.body.contains("href=\"/collections/\(id)/feed.rss\""))
            #expect(!page.body.contains("action=\"/collections/\(id)/edit\""), "no forms for readers who do not own it")
            #expect(!page.body.contains(TestSite.hostileTitle), "the hostile paper's title is escaped too")

            let feed = try await client.get("/collections/\(id)/feed.rss")
            #expect(feed.status == .ok && feed.headers[.contentType] == "application/rss+xml; charset=utf-8")
            #expect(!feed.body.contains("<script>") && !feed.body.contains("<img src"))
            let parsed = try parseRSS(feed.body)
            #expect(parsed.channelTitle == "\(hostileName) · a collection by ann", "the parser reads back exactly the text typed")
            let paperTitle = try #require(try await store.paper(ArxivID(Self.paper)!)).title
            #expect(parsed.itemTitles == [TestSite.hostileTitle, paperTitle])
            #expect(parsed.itemLinks == ["https://papers.example.org/papers/\(TestSite.hostileID)", "https://papers.example.org/papers/\(Self.paper)"])
            #expect(parsed.pubDates.count == 2 && parsed.pubDates.allSatisfy { $0.hasSuffix(" GMT") })
            #expect(feed.body.contains("<atom:link href=\"https://papers.example.org/collections/\(id)/feed.rss\" rel=\"self\""))

            // Listed on the owner's public list, escaped there as well.
            let list = try await client.get("/users/ann/collections")
            #expect(list.body.contains("&lt;script&gt;alert(&#39;name&#39;)") && !list.body.contains("<script>alert('name')"))
            // The API gives the text back as typed, in JSON.
            let answer = try json(try await api(client, .get, "/api/collections/\(id)", token: nil))
            #expect(answer["name"] as? String == hostileName && answer["paperCount"] as? Int == 2)
            #expect(answer["feed"] as? String == "/collections/\(id)/feed.rss")
            let papers = try #require(answer["papers"] as? [[String: Any]])
            #expect(papers.compactMap { ($0["paper"] as? [String: Any])?["id"] as? String } == [TestSite.hostileID, Self.paper])
        }
    }

    // MARK: Bad input

    @Test func formsWithoutTheCSRFTokenAreRefusedAndStoreNothing() async throws {
        try await site { client, store in
            let ann = try await CommunitySite.signUp(client, "ann")
            let annID = try await userID(store, "ann")
            let forged = try await CommunitySite.post(client, "/collections", [("name", "Forged"), ("paper", Self.paper)], jar: ann)
            #expect(forged.status == .forbidden && String(buffer: forged.body).contains("csrf_token"))
            let wrong = try await CommunitySite.post(client, "/collections", [("csrf_token", String(repeating: "0", count: 64)), ("name", "Forged")], jar: ann)
            #expect(wrong.status == .forbidden)
            #expect(try await store.collections(ownerID: annID, marking: nil).isEmpty)

            let id = try await create(client, ann, "Real")
            for path in ["/collections/\(id)/papers", "/collections/\(id)/papers/remove", "/collections/\(id)/edit", "/collections/\(id)/delete"] {
                let answer = try await CommunitySite.post(client, path, [("paper", Self.paper), ("name", "Renamed")], jar: ann)
                #expect(answer.status == .forbidden, "\(path)")
            }
            let kept = try #require(try await store.collection(id: id))
            #expect(kept.name == "Real" && kept.paperCount == 0)

            // Anonymous posts go to the log-in page; anonymous readers of /collections too.
            let anonymous = try await CommunitySite.post(client, "/collections", [("name", "x")], jar: CookieJar())
            #expect(anonymous.status == .seeOther && anonymous.headers[.location]?.hasPrefix("/login?next=") == true)
            let mine = try await client.get("/collections")
            #expect(mine.status == .found && mine.headers[.location]?.hasPrefix("/login") == true)
        }
    }

    @Test func limitsAndMalformedInputAreRefusedClearly() async throws {
        try await site({ community in
            community.collectionLimits = CollectionLimits(maxCollectionsPerUser: 2, maxPapersPerCollection: 2)
            community.maxFormBytes = 4_096
        }) { client, store in
            let ann = try await CommunitySite.signUp(client, "ann")
            let annID = try await userID(store, "ann")

            let tooLong = try await postCreate(client, ann, String(repeating: "é", count: CollectionText.maxNameCharacters + 1))
            #expect(tooLong.status == .unprocessableContent && String(buffer: tooLong.body).contains("name: the name has 101 characters; at most 100"))
            let blank = try await postCreate(client, ann, "   ")
            #expect(blank.status == .unprocessableContent && String(buffer: blank.body).contains("name: give the collection a name"))
            let longDescription = try await postCreate(client, ann, "ok", description: String(repeating: "d", count: 1_001))
            #expect(longDescription.status == .unprocessableContent && String(buffer: longDescription.body).contains("description: "))
            let badVisibility = try await postCreate(client, ann, "ok", visibility: "everyone")
            #expect(badVisibility.status == .badRequest && String(buffer: badVisibility.body).contains("visibility: "))
            let badPaper = try await postCreate(client, ann, "ok", paper: "not-an-id")
            #expect(badPaper.status == .badRequest && String(buffer: badPaper.body).contains("paper: "))
            let unknownPaper = try await postCreate(client, ann, "ok", paper: "2101.00001")
            #expect(unknownPaper.status == .notFound)
            let huge = try await postCreate(client, ann, String(repeating: "x", count: 8_000))
            #expect(huge.status == .contentTooLarge)
            #expect(try await store.collections(ownerID: annID, marking: nil).isEmpty, "nothing refused was stored")

            let exactly = try await create(client, ann, String(repeating: "é", count: CollectionText.maxNameCharacters))
            let second = try await create(client, ann, "Second")
            let third = try await postCreate(client, ann, "Third")
            #expect(third.status == .unprocessableContent && String(buffer: third.body).contains("max_collections_per_user"))
            #expect(try await store.collections(ownerID: annID, marking: nil).count == 2)
            let collectionsPage = String(buffer: try await CommunitySite.get(client, "/collections", jar: ann).body)
            #expect(!collectionsPage.contains("action=\"/collections\""), "no form to start a third")

            #expect(try await add(client, ann, second, Self.paper).status == .seeOther)
            #expect(try await add(client, ann, second, TestSite.hostileID).status == .seeOther)
            let full = try await add(client, ann, second, TestSite.plainID)
            #expect(full.status == .unprocessableContent && String(buffer: full.body).contains("max_papers_per_collection"))
            #expect(try await add(client, ann, second, Self.paper).status == .seeOther, "saving a paper already there is no refusal")
            #expect(try await stored(store, second).count == 2)

            let badID = try await add(client, ann, 0, Self.paper)
            #expect(badID.status == .badRequest)
            let words = try await CommunitySite.post(client, "/collections/abc/papers", [("csrf_token", try await csrf(client, ann)), ("paper", Self.paper)], jar: ann)
            #expect(words.status == .badRequest && String(buffer: words.body).contains("id: &#39;abc&#39; is not a collection number"))
            #expect(try await client.get("/collections/abc").status == .notFound)
            #expect(try await add(client, ann, exactly, "2101.00001").status == .notFound)

            // The API refuses the same things with the same words, in JSON.
            let token = try await self.token(client, ann)
            let apiThird = try await api(client, .post, "/api/collections", token: token, body: "{\"name\": \"Third\"}")
            #expect(try apiThird.status == .unprocessableContent && json(apiThird)["rule"] as? String == "max_collections_per_user")
            let apiFull = try await api(client, .post, "/api/collections/\(second)/papers/\(TestSite.plainID)", token: token)
            #expect(try apiFull.status == .unprocessableContent && json(apiFull)["rule"] as? String == "max_papers_per_collection")
            let apiLong = try await api(client, .patch, "/api/collections/\(second)", token: token, body: "{\"name\": \"\(String(repeating: "n", count: 101))\"}")
            #expect(try apiLong.status == .unprocessableContent && json(apiLong)["rule"] as? String == "name")
            let apiHuge = try await api(client, .patch, "/api/collections/\(second)", token: token, body: "{\"description\": \"\(String(repeating: "d", count: 8_000))\"}")
            #expect(apiHuge.status == .contentTooLarge)
            let notJSON = try await api(client, .post, "/api/collections", token: token, body: "name=x")
            #expect(try notJSON.status == .badRequest && (json(notJSON)["error"] as? String)?.hasPrefix("body: ") == true)
            let wrongType = try await api(client, .patch, "/api/collections/\(second)", token: token, body: "{\"public\": 1}")
            #expect(try wrongType.status == .badRequest && json(wrongType)["error"] as? String == "public: must be true or false.")
            let nothing = try await api(client, .patch, "/api/collections/\(second)", token: token, body: "{}")
            #expect(nothing.status == .unprocessableContent)
            let apiBadID = try await api(client, .get, "/api/collections/12abc", token: nil)
            #expect(try apiBadID.status == .badRequest && (json(apiBadID)["error"] as? String)?.hasPrefix("id: ") == true)
            let apiBadPaper = try await api(client, .post, "/api/collections/\(exactly)/papers/not-an-id", token: token)
            #expect(apiBadPaper.status == .badRequest)
            #expect(try await store.collection(id: second)?.name == "Second", "nothing refused was stored")
        }
    }

    // MARK: The API

    @Test func theAPIWorksWithPersonalTokensAndRefusesRevokedOnes() async throws {
        try await site { client, store in
            let ann = try await CommunitySite.signUp(client, "ann")
            let annID = try await userID(store, "ann")
            let token = try await self.token(client, ann)

            let created = try await api(
                client, .post, "/api/collections", token: token,
                body: "{\"name\": \"Via API\", \"description\": \"Scripted.\", \"public\": true, \"paperId\": \"\(Self.paper)\"}")
            #expect(created.status == .created)
            let id = try #require(try json(created)["id"] as? Int)
            #expect(created.headers[.location] == "/api/collections/\(id)")
            #expect(try json(created)["paperCount"] as? Int == 1 && json(created)["public"] as? Bool == true)
            #expect(try (json(created)["owner"] as? [String: Any])?["name"] as? String == "ann")

            let added = try await api(client, .post, "/api/collections/\(id)/papers/\(TestSite.plainID)", token: token)
            #expect(try added.status == .ok && json(added)["paperCount"] as? Int == 2, "old-style ids with their slash")
            let again = try await api(client, .post, "/api/collections/\(id)/papers/\(TestSite.plainID)", token: token)
            #expect(try again.status == .ok && json(again)["paperCount"] as? Int == 2, "saving twice changes nothing")
            let removed = try await api(client, .delete, "/api/collections/\(id)/papers/\(Self.paper)", token: token)
            #expect(try removed.status == .ok && json(removed)["paperCount"] as? Int == 1)
            #expect(try await stored(store, Int64(id)) == [TestSite.plainID])

            let patched = try await api(client, .patch, "/api/collections/\(id)", token: token, body: "{\"name\": \"Renamed\", \"description\": null, \"public\": false}")
            #expect(try patched.status == .ok && json(patched)["name"] as? String == "Renamed")
            #expect(try json(patched)["description"] == nil && json(patched)["public"] as? Bool == false && json(patched)["feed"] == nil)
            let read = try json(try await api(client, .get, "/api/collections/\(id)", token: token))
            let papers = try #require(read["papers"] as? [[String: Any]])
            #expect(papers.count == 1 && (papers[0]["paper"] as? [String: Any])?["id"] as? String == TestSite.plainID && papers[0]["addedAt"] is String)

            // No token, an unknown one, a revoked one: 401 and nothing changes.
            let none = try await api(client, .post, "/api/collections", token: nil, body: "{\"name\": \"x\"}")
            #expect(none.status == .unauthorized && none.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            #expect(try await api(client, .post, "/api/collections", token: "pb_not-a-token", body: "{\"name\": \"x\"}").status == .unauthorized)
            let listed = try await store.apiTokens(userID: annID)
            #expect(try await store.revokeAPIToken(id: listed[0].id, userID: annID, at: Date()))
            let revoked = try await api(client, .post, "/api/collections", token: token, body: "{\"name\": \"After revoking\"}")
            #expect(try revoked.status == .unauthorized && (json(revoked)["error"] as? String)?.contains("revoked") == true)
            #expect(try await api(client, .delete, "/api/collections/\(id)", token: token).status == .unauthorized)
            #expect(try await api(client, .post, "/api/collections/\(id)/papers/\(Self.paper)", token: token).status == .unauthorized)
            #expect(try await api(client, .get, "/api/collections/\(id)", token: token).status == .unauthorized, "a revoked token is not read as anonymous")
            #expect(try await store.collections(ownerID: annID, marking: nil).count == 1)

            let fresh = try await self.token(client, ann)
            let deleted = try await api(client, .delete, "/api/collections/\(id)", token: fresh)
            #expect(deleted.status == .noContent)
            #expect(try await api(client, .get, "/api/collections/\(id)", token: fresh).status == .notFound)
        }
    }

    // MARK: Rate limits

    @Test func aBannedUserCannotNameOrDescribeCollections() async throws {
        try await site { client, store in
            let eve = try await CommunitySite.signUp(client, "eve")
            let kept = try await create(client, eve, "Before the ban", visibility: "public")
            let eveID = try await userID(store, "eve")
            let curator = try await store.createUser(
                NewUser(username: "mod", email: "mod@example.org", passwordHash: "x", role: .curator), at: Date())
            try await store.setBan(userID: eveID, moderatorID: curator.id, reason: "spam", at: Date())
            let refused = try await postCreate(client, eve, "Buy cheap pills", visibility: "public")
            #expect(refused.status == .forbidden)
            #expect(String(buffer: refused.body).contains("spam"))
            let token = try #require(CommunitySite.csrfToken(in: String(buffer: try await CommunitySite.get(client, "/collections", jar: eve).body)))
            let renamed = try await CommunitySite.post(
                client, "/collections/\(kept)/edit", [("csrf_token", token), ("name", "Buy cheap pills")], jar: eve)
            #expect(renamed.status == .forbidden)
            #expect(try await store.collection(id: kept)?.name == "Before the ban")
            #expect(try await store.collections(ownerID: eveID, marking: nil).count == 1)
        }
    }

    @Test func creatingAndSavingAreRateLimitedWithRetryAfter() async throws {
        try await site({ community in
            community.collectionCreateLimit = RateLimit(2, per: .seconds(3_600))
            community.collectionAddLimit = RateLimit(2, per: .seconds(60))
        }) { client, store in
            let ann = try await CommunitySite.signUp(client, "ann")
            let annID = try await userID(store, "ann")
            let first = try await create(client, ann, "One")
            _ = try await create(client, ann, "Two")
            let third = try await postCreate(client, ann, "Three")
            #expect(third.status == .tooManyRequests)
            let wait = try #require(third.headers[.retryAfter].flatMap { Int($0) })
            #expect(wait >= 1 && wait <= 3_600)
            #expect(String(buffer: third.body).contains("Too many new collections"))
            #expect(try await store.collections(ownerID: annID, marking: nil).count == 2)

            let token = try await self.token(client, ann)
            let apiThird = try await api(client, .post, "/api/collections", token: token, body: "{\"name\": \"Three\"}")
            #expect(apiThird.status == .tooManyRequests && apiThird.headers[.retryAfter] != nil)

            #expect(try await add(client, ann, first, Self.paper).status == .seeOther)
            #expect(try await api(client, .post, "/api/collections/\(first)/papers/\(TestSite.hostileID)", token: token).status == .ok)
            let limited = try await api(client, .post, "/api/collections/\(first)/papers/\(TestSite.plainID)", token: token)
            #expect(limited.status == .tooManyRequests)
            #expect(try #require(limited.headers[.retryAfter].flatMap { Int($0) }) >= 1)
            #expect(try await stored(store, first).count == 2)
            // Each account has its own allowance.
            let bob = try await CommunitySite.signUp(client, "bob")
            _ = try await create(client, bob, "Bob's")
        }
    }

    // MARK: The store under concurrency

    @Test func theStoreKeepsCapsAndOneEntryPerPaperUnderConcurrentRequests() async throws {
        let store = try await TestSite.catalog()
        let user = try await store.createUser(NewUser(username: "racer", email: "racer@example.org", passwordHash: "x"), at: Date())
        let limits = CollectionLimits(maxCollectionsPerUser: 5, maxPapersPerCollection: 3)
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for n in 0..<20 {
                group.addTask {
                    let draft = try! CollectionDraft(name: "List \(n)", description: nil, isPublic: false)
                    return (try? await store.createCollection(ownerID: user.id, draft, firstPaper: nil, limits: limits, at: Date())) != nil
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 }.count == 5)
        #expect(try await store.collections(ownerID: user.id, marking: nil).count == 5)

        let id = try #require(try await store.collections(ownerID: user.id, marking: nil).first).collection.id
        let papers = try await store.papers(PaperQuery(featuredOn: "2026-08-21", limit: 6)).map(\.id)
        #expect(papers.count == 6)
        await withTaskGroup(of: Void.self) { group in
            for paper in papers + papers + [papers[0], papers[0]] {
                group.addTask { _ = try? await store.addPaper(paper, toCollection: id, ownerID: user.id, limits: limits, at: Date()) }
            }
        }
        let saved = try await store.papers(inCollection: id, limit: 100, offset: 0)
        #expect(saved.count == 3 && Set(saved.map(\.paper.id)).count == 3, "the cap holds and each paper is there once")
        #expect(try await store.collection(id: id)?.paperCount == 3)
    }
}
