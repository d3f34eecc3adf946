import Catalog
import CatalogSQLite
import Community
import Foundation
import Hummingbird
import HummingbirdTesting
import PaperboyServer
import Testing

/// Comments through the page forms and the API, over a real SQLite catalog: threads, editing
/// and deleting one's own, escaping and links, the limits, moderation, bans and `numComments`.
@Suite struct CommentTests {
    static let paper = "2608.19880"

    /// A site whose comment limit will not get in the way, unless a test lowers it.
    func site(
        _ change: @escaping (inout CommunityConfiguration) -> Void = { _ in },
        _ body: @escaping @Sendable (any TestClientProtocol, SiteStore) async throws -> Void
    ) async throws {
        try await CommunitySite.with({ community in
            community.commentLimit = RateLimit(10_000, per: .seconds(60))
            change(&community)
        }, body)
    }

    func json(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
    }

    /// The page's CSRF token for a signed-in browser.
    func csrf(_ client: any TestClientProtocol, _ jar: CookieJar, paper: String = paper) async throws -> String {
        let page = try await CommunitySite.get(client, "/papers/\(paper)", jar: jar)
        return try #require(CommunitySite.csrfToken(in: String(buffer: page.body)))
    }

    /// Posts a comment through the page's form; answers the response.
    func comment(
        _ client: any TestClientProtocol, _ jar: CookieJar, _ text: String, parent: Int64? = nil, paper: String = paper
    ) async throws -> TestResponse {
        let token = try await csrf(client, jar, paper: paper)
        var fields = [("csrf_token", token), ("text", text)]
        if let parent { fields.append(("parent", String(parent))) }
        return try await CommunitySite.post(client, "/papers/\(paper)/comments", fields, jar: jar)
    }

    /// Posts a comment that must be accepted; answers its id, from the redirect's fragment.
    func commentID(_ client: any TestClientProtocol, _ jar: CookieJar, _ text: String, parent: Int64? = nil) async throws -> Int64 {
        let response = try await comment(client, jar, text, parent: parent)
        #expect(response.status == .seeOther, "\(String(buffer: response.body))")
        let location = try #require(response.headers[.location])
        #expect(location.hasPrefix("/papers/\(Self.paper)#comment-"))
        return try #require(Int64(location.split(separator: "-").last ?? ""))
    }

    func apiPost(_ client: any TestClientProtocol, _ token: String, _ body: String, paper: String = paper) async throws -> TestResponse {
        try await client.execute(
            uri: "/api/papers/\(paper)/comments", method: .post,
            headers: [.authorization: "Bearer \(token)", .contentType: "application/json"], body: ByteBuffer(string: body))
    }

    func jsonText(_ text: String) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: ["text": text]), as: UTF8.self)
    }

    func numComments(_ client: any TestClientProtocol) async throws -> Int {
        try #require(try json(try await client.execute(uri: "/api/papers/\(Self.paper)", method: .get))["numComments"] as? Int)
    }

    func hubComments(_ store: SiteStore) async throws -> Int {
        try #require(try await store.paper(ArxivID(Self.paper)!)).numComments
    }

    func anonymousPage(_ client: any TestClientProtocol) async throws -> String {
        String(buffer: try await client.execute(uri: "/papers/\(Self.paper)", method: .get).body)
    }

    /// An account of the given role made in the store (no sign-up form makes curators), then
    /// logged in through the form.
    func member(_ client: any TestClientProtocol, _ store: SiteStore, _ name: String, role: Role) async throws -> CookieJar {
        _ = try await store.createUser(
            NewUser(username: name, email: "\(name)@example.org", passwordHash: PasswordHasher(cost: 4).hash("correct horse battery"), role: role),
            at: Date())
        let jar = CookieJar()
        let page = try await CommunitySite.get(client, "/login", jar: jar)
        let token = try #require(CommunitySite.csrfToken(in: String(buffer: page.body)))
        let response = try await CommunitySite.post(
            client, "/login", [("csrf_token", token), ("login", name), ("password", "correct horse battery")], jar: jar)
        #expect(response.status == .seeOther)
        return jar
    }

    @Test func commentsAndRepliesShowAsAThreadOldestFirst() async throws {
        try await site { client, store in
            let hub = try await hubComments(store)
            let ann = try await CommunitySite.signUp(client, "ann")
            let bob = try await CommunitySite.signUp(client, "bob")
            let first = try await commentID(client, ann, "First thoughts on the method.")
            let reply = try await commentID(client, bob, "A reply to ann.", parent: first)
            let second = try await commentID(client, ann, "A second comment on the paper.")
            let nested = try await commentID(client, ann, "Answering bob.", parent: reply)
            let carol = try await CommunitySite.apiToken(client, "carol")
            let viaAPI = try await apiPost(client, carol, "{\"text\": \"Another reply to ann, by API.\", \"parentId\": \(first)}")
            #expect(viaAPI.status == .created)
            let lateReply = try #require(try json(viaAPI)["id"] as? Int)
            #expect(try json(viaAPI)["parentId"] as? Int == Int(first))

            // Replies under their parent, oldest first within a level, indented by depth.
            let page = try await anonymousPage(client)
            let order = [first, reply, nested, Int64(lateReply), second].map { page.range(of: "id=\"comment-\($0)\"")?.lowerBound }
            #expect(order.allSatisfy { $0 != nil })
            #expect(order.compactMap { $0 } == order.compactMap { $0 }.sorted())
            #expect(page.contains("<li class=\"comment d0\" id=\"comment-\(first)\">"))
            #expect(page.contains("<li class=\"comment d1\" id=\"comment-\(reply)\">"))
            #expect(page.contains("<li class=\"comment d2\" id=\"comment-\(nested)\">"))
            #expect(page.contains("<strong>bob</strong>") && page.contains("just now"))
            #expect(page.contains("Comments (5)"))
            // Anonymous readers get a log-in link, no forms.
            #expect(page.contains("to comment.") && !page.contains("action=\"/papers/\(Self.paper)/comments\""))
            let signedIn = String(buffer: try await CommunitySite.get(client, "/papers/\(Self.paper)", jar: bob).body)
            #expect(signedIn.contains("action=\"/papers/\(Self.paper)/comments\"") && signedIn.contains("name=\"parent\" value=\"\(first)\""))
            #expect(signedIn.contains("action=\"/comments/\(reply)/edit\"") && !signedIn.contains("action=\"/comments/\(first)/edit\""))

            let thread = try json(try await client.execute(uri: "/api/papers/\(Self.paper)/comments", method: .get))
            let comments = try #require(thread["comments"] as? [[String: Any]])
            #expect(comments.compactMap { $0["id"] as? Int } == [first, reply, nested, Int64(lateReply), second].map { Int($0) })
            #expect(comments.compactMap { $0["depth"] as? Int } == [0, 1, 2, 1, 0])
            #expect((comments[1]["author"] as? [String: Any])?["name"] as? String == "bob")
            #expect(thread["numComments"] as? Int == hub + 5)
            #expect(try await numComments(client) == hub + 5)

            // A reply must name a comment of the same paper.
            let elsewhere = try await apiPost(client, carol, "{\"text\": \"x\", \"parentId\": \(first)}", paper: "2608.99999")
            #expect(try elsewhere.status == .badRequest && (json(elsewhere)["error"] as? String)?.contains("parentId: ") == true)
            #expect(try await numComments(client) == hub + 5)
        }
    }

    @Test func authorsEditTheirOwnCommentsAndNobodyElses() async throws {
        try await site { client, store in
            let ann = try await CommunitySite.signUp(client, "ann")
            let bob = try await CommunitySite.signUp(client, "bob")
            let id = try await commentID(client, ann, "Original text.")

            let bobToken = try await csrf(client, bob)
            let forged = try await CommunitySite.post(client, "/comments/\(id)/edit", [("csrf_token", bobToken), ("text", "Bob was here")], jar: bob)
            #expect(forged.status == .forbidden && String(buffer: forged.body).contains("someone else"))
            let bobAPI = try await CommunitySite.apiToken(client, "bobby")
            let patched = try await client.execute(
                uri: "/api/comments/\(id)", method: .patch, headers: [.authorization: "Bearer \(bobAPI)"], body: ByteBuffer(string: jsonText("Bob again")))
            #expect(patched.status == .forbidden)
            let deleted = try await client.execute(uri: "/api/comments/\(id)", method: .delete, headers: [.authorization: "Bearer \(bobAPI)"])
            #expect(deleted.status == .forbidden)
            #expect(try await store.comment(id: id)?.body == "Original text.")

            let annToken = try await csrf(client, ann)
            let edited = try await CommunitySite.post(client, "/comments/\(id)/edit", [("csrf_token", annToken), ("text", "Better text.")], jar: ann)
            #expect(edited.status == .seeOther && edited.headers[.location] == "/papers/\(Self.paper)#comment-\(id)")
            let page = try await anonymousPage(client)
            #expect(page.contains("Better text.") && !page.contains("Original text.") && page.contains(" · edited"))

            let stored = try #require(try await store.comment(id: id))
            #expect(stored.editedAt != nil && stored.body == "Better text.")
            let badID = try await CommunitySite.post(client, "/comments/abc/edit", [("csrf_token", annToken), ("text", "x")], jar: ann)
            #expect(badID.status == .badRequest && String(buffer: badID.body).contains("id: "))
            let missing = try await client.execute(
                uri: "/api/comments/999999", method: .patch, headers: [.authorization: "Bearer \(bobAPI)"], body: ByteBuffer(string: jsonText("x")))
            #expect(missing.status == .notFound)
        }
    }

    @Test func deletingKeepsAPlaceholderOnlyWhileRepliesHangFromIt() async throws {
        try await site { client, store in
            let hub = try await hubComments(store)
            let ann = try await CommunitySite.signUp(client, "ann")
            let bob = try await CommunitySite.signUp(client, "bob")
            let withReplies = try await commentID(client, ann, "Will be deleted, has a reply.")
            let reply = try await commentID(client, bob, "The reply stays.", parent: withReplies)
            let alone = try await commentID(client, ann, "Will be deleted, alone.")
            #expect(try await numComments(client) == hub + 3)

            let token = try await csrf(client, ann)
            for id in [withReplies, alone] {
                let response = try await CommunitySite.post(client, "/comments/\(id)/delete", [("csrf_token", token)], jar: ann)
                #expect(response.status == .seeOther)
            }
            let page = try await anonymousPage(client)
            #expect(page.contains("<li class=\"comment d0\" id=\"comment-\(withReplies)\"><p class=\"meta\">[deleted]</p></li>"))
            #expect(!page.contains("id=\"comment-\(alone)\""))
            #expect(!page.contains("Will be deleted") && page.contains("The reply stays."))
            #expect(page.contains("<li class=\"comment d1\" id=\"comment-\(reply)\">"))
            #expect(try await numComments(client) == hub + 1)
            #expect(try await store.comment(id: alone)?.body == "", "a deleted comment's text is gone from the database too")

            // No replying to a deleted comment, no deleting twice.
            let late = try await comment(client, bob, "Too late", parent: withReplies)
            #expect(late.status == .badRequest && String(buffer: late.body).contains("was deleted"))
            let again = try await CommunitySite.post(client, "/comments/\(alone)/delete", [("csrf_token", token)], jar: ann)
            #expect(again.status == .conflict)

            // Through the API: one's own only.
            let bobAPI = try await CommunitySite.apiToken(client, "bob2")
            let own = try await apiPost(client, bobAPI, jsonText("Mine to delete"))
            let ownID = try #require(try json(own)["id"] as? Int)
            #expect(try await numComments(client) == hub + 2)
            let gone = try await client.execute(uri: "/api/comments/\(ownID)", method: .delete, headers: [.authorization: "Bearer \(bobAPI)"])
            #expect(try gone.status == .ok && json(gone)["deleted"] as? Bool == true && json(gone)["text"] == nil)
            #expect(try await numComments(client) == hub + 1)
            let thread = try json(try await client.execute(uri: "/api/papers/\(Self.paper)/comments", method: .get))
            let comments = try #require(thread["comments"] as? [[String: Any]])
            #expect(comments.count == 2 && comments[0]["deleted"] as? Bool == true && comments[0]["author"] == nil)
        }
    }

    @Test func textIsEscapedWithLinksAndLineBreaksKept() async throws {
        try await site { client, _ in
            let ann = try await CommunitySite.signUp(client, "ann")
            let text = """
                <script>alert(1)</script> <img src=x onerror=alert(2)>
                Code at https://github.com/example/repo?a=1&b="2". Also (see http://example.org/wiki/Foo_(bar)).
                javascript:alert(3) and https://evil.example/"><script>alert(4)</script>
                """
            _ = try await commentID(client, ann, text)
            let page = try await anonymousPage(client)
            #expect(!page.contains("<script>alert") && !page.contains("<img src=x"))
            #expect(page.contains("&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(2)&gt;<br>"))
            #expect(page.contains(
                "<a href=\"https://github.com/example/repo?a=1&amp;b=\" rel=\"nofollow ugc noopener\">https://github.com/example/repo?a=1&amp;b=</a>&quot;2&quot;."))
            #expect(page.contains("(see <a href=\"http://example.org/wiki/Foo_(bar)\" rel=\"nofollow ugc noopener\">http://example.org/wiki/Foo_(bar)</a>)."))
            #expect(!page.contains("href=\"javascript"))
            #expect(page.contains("<a href=\"https://evil.example/\" rel=\"nofollow ugc noopener\">https://evil.example/</a>&quot;&gt;&lt;script&gt;"))
        }
    }

    @Test func badInputIsRefusedClearlyAndNothingIsStored() async throws {
        try await site({ $0.maxCommentBytes = 32 * 1_024 }) { client, store in
            let hub = try await hubComments(store)
            let ann = try await CommunitySite.signUp(client, "ann")
            let token = try await csrf(client, ann)
            let long = String(repeating: "é", count: CommentText.maxCharacters + 1)
            let tooLong = try await comment(client, ann, long)
            #expect(tooLong.status == .contentTooLarge)
            #expect(String(buffer: tooLong.body).contains("text: the comment has 5001 characters; at most 5000"))
            #expect(String(buffer: tooLong.body).contains("<textarea"), "the text comes back, so nothing typed is lost")
            let exactly = try await comment(client, ann, String(repeating: "é", count: CommentText.maxCharacters))
            #expect(exactly.status == .seeOther, "5000 characters fit, even at two bytes each")
            let huge = try await CommunitySite.post(
                client, "/papers/\(Self.paper)/comments", [("csrf_token", token), ("text", String(repeating: "x", count: 40_000))], jar: ann)
            #expect(huge.status == .contentTooLarge)
            let empty = try await comment(client, ann, "  \n ")
            #expect(empty.status == .badRequest && String(buffer: empty.body).contains("text: the comment is empty"))
            let noCSRF = try await CommunitySite.post(client, "/papers/\(Self.paper)/comments", [("text", "forged")], jar: ann)
            #expect(noCSRF.status == .forbidden)
            let badPaper = try await CommunitySite.post(client, "/papers/not-an-id/comments", [("csrf_token", token), ("text", "x")], jar: ann)
            #expect(badPaper.status == .badRequest && String(buffer: badPaper.body).contains("id: "))
            let unknownPaper = try await CommunitySite.post(client, "/papers/2101.00001/comments", [("csrf_token", token), ("text", "x")], jar: ann)
            #expect(unknownPaper.status == .notFound)
            let badParent = try await comment(client, ann, "x", parent: 987_654)
            #expect(badParent.status == .badRequest)
            let anonymous = try await CommunitySite.post(client, "/papers/\(Self.paper)/comments", [("text", "x")], jar: CookieJar())
            #expect(anonymous.status == .seeOther && anonymous.headers[.location]?.hasPrefix("/login?next=") == true)

            // The API: tokens, JSON, sizes.
            let apiToken = try await CommunitySite.apiToken(client, "bob")
            #expect(try await apiPost(client, apiToken, jsonText(long)).status == .contentTooLarge)
            let notJSON = try await apiPost(client, apiToken, "text=hello")
            #expect(try notJSON.status == .badRequest && (json(notJSON)["error"] as? String)?.contains("JSON object") == true)
            let noToken = try await client.execute(uri: "/api/papers/\(Self.paper)/comments", method: .post, body: ByteBuffer(string: jsonText("x")))
            #expect(noToken.status == .unauthorized && noToken.headers[.wwwAuthenticate] != nil)
            let bob = try #require(try await store.userForLogin("bob")).user
            let listed = try #require(try await store.apiTokens(userID: bob.id).first)
            #expect(try await store.revokeAPIToken(id: listed.id, userID: bob.id, at: Date()))
            let revoked = try await apiPost(client, apiToken, jsonText("after revoking"))
            #expect(try revoked.status == .unauthorized && (json(revoked)["error"] as? String)?.contains("revoked") == true)
            #expect(try await client.execute(uri: "/api/papers/x!/comments", method: .get).status == .badRequest)

            #expect(try await store.comments(on: ArxivID(Self.paper)!).count == 1, "only the comment of exactly 5000 characters")
            #expect(try await numComments(client) == hub + 1)
        }
    }

    @Test func curatorsHideCommentsWithAReasonThatEveryoneSees() async throws {
        try await site { client, store in
            let hub = try await hubComments(store)
            let ann = try await CommunitySite.signUp(client, "ann")
            let bob = try await CommunitySite.signUp(client, "bob")
            let spam = try await commentID(client, bob, "Buy cheap watches")
            _ = try await commentID(client, ann, "A real comment.")
            #expect(try await numComments(client) == hub + 2)
            _ = try await anonymousPage(client)  // cached now: hiding must replace it

            // A plain user cannot moderate.
            let annToken = try await csrf(client, ann)
            let refused = try await CommunitySite.post(client, "/comments/\(spam)/hide", [("csrf_token", annToken), ("reason", "spam")], jar: ann)
            #expect(refused.status == .forbidden)
            let annPage = String(buffer: try await CommunitySite.get(client, "/papers/\(Self.paper)", jar: ann).body)
            #expect(!annPage.contains("action=\"/comments/\(spam)/hide\""))

            let cora = try await member(client, store, "cora", role: .curator)
            let curatorPage = String(buffer: try await CommunitySite.get(client, "/papers/\(Self.paper)", jar: cora).body)
            #expect(curatorPage.contains("action=\"/comments/\(spam)/hide\"") && curatorPage.contains("<option value=\"off-topic\">"))
            let token = try #require(CommunitySite.csrfToken(in: curatorPage))
            let badReason = try await CommunitySite.post(client, "/comments/\(spam)/hide", [("csrf_token", token), ("reason", "boring")], jar: cora)
            #expect(badReason.status == .badRequest && String(buffer: badReason.body).contains("reason: "))
            let hidden = try await CommunitySite.post(client, "/comments/\(spam)/hide", [("csrf_token", token), ("reason", "spam")], jar: cora)
            #expect(hidden.status == .seeOther)

            for page in [try await anonymousPage(client), String(buffer: try await CommunitySite.get(client, "/papers/\(Self.paper)", jar: ann).body)] {
                #expect(page.contains("Hidden by a moderator: spam") && !page.contains("Buy cheap watches"))
                #expect(page.contains("A real comment."))
            }
            let moderatorView = String(buffer: try await CommunitySite.get(client, "/papers/\(Self.paper)", jar: cora).body)
            #expect(moderatorView.contains("Hidden by a moderator: spam") && moderatorView.contains("Buy cheap watches"))
            #expect(moderatorView.contains("Hidden by cora"))
            #expect(try await numComments(client) == hub + 1)
            let thread = try json(try await client.execute(uri: "/api/papers/\(Self.paper)/comments", method: .get))
            let first = try #require((thread["comments"] as? [[String: Any]])?.first)
            #expect((first["hidden"] as? [String: Any])?["reason"] as? String == "spam" && first["text"] == nil)

            let shown = try await CommunitySite.post(client, "/comments/\(spam)/hide", [("csrf_token", token), ("reason", "none")], jar: cora)
            #expect(shown.status == .seeOther)
            #expect(try await numComments(client) == hub + 2)
            #expect(try await anonymousPage(client).contains("Buy cheap watches"))
        }
    }

    @Test func aBanStopsCommentsAndVotesAndSaysWhy() async throws {
        try await site { client, store in
            let bob = try await CommunitySite.signUp(client, "bob")
            let bobToken = try await CommunitySite.apiToken(client, "bobapi")
            let bobAPIUser = try #require(try await store.userForLogin("bobapi")).user
            let bobsComment = try await commentID(client, bob, "Something rude")
            let apiComment = try #require(try json(try await apiPost(client, bobToken, jsonText("Also rude")))["id"] as? Int)

            let cora = try await member(client, store, "cora", role: .curator)
            let page = String(buffer: try await CommunitySite.get(client, "/papers/\(Self.paper)", jar: cora).body)
            #expect(page.contains("action=\"/comments/\(bobsComment)/ban\""))
            let token = try #require(CommunitySite.csrfToken(in: page))
            let noReason = try await CommunitySite.post(client, "/comments/\(bobsComment)/ban", [("csrf_token", token), ("ban", "1"), ("reason", " ")], jar: cora)
            #expect(noReason.status == .badRequest && String(buffer: noReason.body).contains("reason: "))
            for id in [bobsComment, Int64(apiComment)] {
                let banned = try await CommunitySite.post(
                    client, "/comments/\(id)/ban", [("csrf_token", token), ("ban", "1"), ("reason", "<b>insults</b>")], jar: cora)
                #expect(banned.status == .seeOther)
            }
            #expect(try await store.ban(userID: bobAPIUser.id)?.moderator == "cora")

            // Banned: no comments, no votes, with the reason, escaped.
            let refused = try await comment(client, bob, "One more")
            #expect(refused.status == .forbidden)
            #expect(String(buffer: refused.body).contains("banned by cora: &lt;b&gt;insults&lt;/b&gt;"))
            let bobPage = String(buffer: try await CommunitySite.get(client, "/papers/\(Self.paper)", jar: bob).body)
            #expect(bobPage.contains("Your account was banned by cora") && !bobPage.contains("id=\"new-comment\""))
            let bobCSRF = try #require(CommunitySite.csrfToken(in: bobPage))
            let vote = try await CommunitySite.post(client, "/papers/\(Self.paper)/upvote", [("csrf_token", bobCSRF), ("vote", "1")], jar: bob)
            #expect(vote.status == .forbidden && String(buffer: vote.body).contains("banned"))
            let apiRefused = try await apiPost(client, bobToken, jsonText("via API"))
            #expect(try apiRefused.status == .forbidden && (json(apiRefused)["error"] as? String)?.contains("banned") == true)
            let apiVote = try await client.execute(uri: "/api/papers/\(Self.paper)/upvote", method: .post, headers: [.authorization: "Bearer \(bobToken)"])
            #expect(apiVote.status == .forbidden)
            let before = try await numComments(client)
            #expect(try await store.comments(on: ArxivID(Self.paper)!).count == 2)

            // Curators cannot ban their peers or admins; a plain user cannot ban anyone.
            let admin = try await member(client, store, "ada", role: .admin)
            let adaComment = try await commentID(client, admin, "Admin here.")
            let upward = try await CommunitySite.post(
                client, "/comments/\(adaComment)/ban", [("csrf_token", token), ("ban", "1"), ("reason", "x")], jar: cora)
            #expect(upward.status == .forbidden && String(buffer: upward.body).contains("ask an admin"))
            let ann = try await CommunitySite.signUp(client, "ann")
            let annToken = try await csrf(client, ann)
            let byUser = try await CommunitySite.post(
                client, "/comments/\(adaComment)/ban", [("csrf_token", annToken), ("ban", "1"), ("reason", "x")], jar: ann)
            #expect(byUser.status == .forbidden)

            // Lifting the ban lets bob take part again.
            let lifted = try await CommunitySite.post(client, "/comments/\(bobsComment)/ban", [("csrf_token", token), ("ban", "0")], jar: cora)
            #expect(lifted.status == .seeOther)
            #expect(try await comment(client, bob, "Sorry about that.").status == .seeOther)
            #expect(try await numComments(client) == before + 2, "ada's comment and bob's apology")
        }
    }

    @Test func numCommentsStaysExactUnderConcurrencyAndReimports() async throws {
        try await site { client, store in
            let id = ArxivID(Self.paper)!
            let hub = try await hubComments(store)
            var tokens: [String] = []
            for n in 0..<30 {
                let user = try await store.createUser(
                    NewUser(username: "writer\(n)", email: "writer\(n)@example.org", passwordHash: "$2b$04$unused"), at: Date())
                let token = SecretToken.make()
                _ = try await store.createAPIToken(userID: user.id, name: "t", tokenDigest: SecretToken.digest(token), prefix: "", at: Date())
                tokens.append(token)
            }
            let ids = try await withThrowingTaskGroup(of: Int.self) { group in
                for token in tokens { group.addTask { try json(try await apiPost(client, token, jsonText("Concurrent comment")))["id"] as? Int ?? 0 } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(ids.filter { $0 > 0 }.count == 30)
            #expect(try await numComments(client) == hub + 30)

            // Deleting (concurrently) and hiding take exactly their comments off the count.
            let comments = try await store.comments(on: id)
            func commentOf(_ n: Int) throws -> Int64 { try #require(comments.first { $0.author == "writer\(n)" }).id }
            let deletions = try (0..<10).map { n in (tokens[n], try commentOf(n)) }
            try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for (token, own) in deletions {
                    group.addTask { try await client.execute(uri: "/api/comments/\(own)", method: .delete, headers: [.authorization: "Bearer \(token)"]).status }
                }
                for try await status in group { #expect(status == .ok) }
            }
            let curator = try await store.createUser(NewUser(username: "cur", email: "cur@example.org", passwordHash: "x", role: .curator), at: Date())
            for n in [1, 10, 11, 12, 13] {
                _ = try await store.moderateComment(id: try commentOf(n), moderatorID: curator.id, reason: .offTopic, at: Date())
            }
            // writer1's comment was deleted already: hiding it changes nothing; writer10-13 leave the count.
            #expect(try await numComments(client) == hub + 16)
            #expect(try await store.paper(id)?.numComments == hub + 16)

            // A re-import with the Hub's own count keeps the local comments; a higher one is added to them.
            func reimport(_ count: Int) async throws {
                var record = PaperRecord(id: id)
                record.numComments = count
                record.title = try #require(try await store.paper(id)).title
                _ = try await store.apply([.upsert(record)], checkpoint: nil)
            }
            try await reimport(hub)
            #expect(try await numComments(client) == hub + 16)
            try await reimport(hub + 40)
            #expect(try await numComments(client) == hub + 56)
            let extra = try await apiPost(client, tokens[20], jsonText("After the re-import"))
            #expect(extra.status == .created)
            #expect(try await numComments(client) == hub + 57)
        }
    }

    @Test func commentsAreRateLimitedPerUser() async throws {
        try await site({ $0.commentLimit = RateLimit(2, per: .seconds(60)) }) { client, store in
            let ann = try await CommunitySite.signUp(client, "ann")
            _ = try await commentID(client, ann, "One")
            _ = try await commentID(client, ann, "Two")
            let third = try await comment(client, ann, "Three")
            #expect(third.status == .tooManyRequests)
            #expect(third.headers[.retryAfter].flatMap { Int($0) }.map { (1...60).contains($0) } == true)
            #expect(String(buffer: third.body).contains("Too many comments"))

            let bob = try await CommunitySite.apiToken(client, "bob")
            #expect(try await apiPost(client, bob, jsonText("One")).status == .created)
            #expect(try await apiPost(client, bob, jsonText("Two")).status == .created)
            let refused = try await apiPost(client, bob, jsonText("Three"))
            #expect(refused.status == .tooManyRequests && refused.headers[.retryAfter] != nil)
            #expect(try await store.comments(on: ArxivID(Self.paper)!).count == 4)
        }
    }
}
