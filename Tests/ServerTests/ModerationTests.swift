import Catalog
import CatalogSQLite
import Community
import Foundation
import Hummingbird
import HummingbirdTesting
import PaperboyServer
import Testing

/// Moderation through the JSON API (`POST`/`DELETE /api/comments/{id}/hide`,
/// `PUT`/`DELETE /api/users/{name}/ban`): who may, what each refusal says, that a refusal
/// stores nothing, and that the pages and counts follow what the API did.
@Suite struct ModerationTests {
    static let paper = "2608.19880"

    func site(_ body: @escaping @Sendable (any TestClientProtocol, SiteStore) async throws -> Void) async throws {
        try await CommunitySite.with({ $0.commentLimit = RateLimit(10_000, per: .seconds(60)) }, body)
    }

    /// An account of `role` made in the store (no form makes curators) with a personal API
    /// token; answers the token.
    func member(_ store: SiteStore, _ name: String, role: Role) async throws -> String {
        let user = try await store.createUser(
            NewUser(username: name, email: "\(name)@example.org", passwordHash: PasswordHasher(cost: 4).hash("correct horse battery"), role: role),
            at: Date())
        let token = SecretToken.make()
        _ = try await store.createAPIToken(
            userID: user.id, name: "moderation", tokenDigest: SecretToken.digest(token), prefix: String(token.prefix(8)), at: Date())
        return token
    }

    /// A browser signed in as `name` through the log-in form.
    func browser(_ client: any TestClientProtocol, _ name: String) async throws -> CookieJar {
        let jar = CookieJar()
        let page = try await CommunitySite.get(client, "/login", jar: jar)
        let csrf = try #require(CommunitySite.csrfToken(in: String(buffer: page.body)))
        let response = try await CommunitySite.post(
            client, "/login", [("csrf_token", csrf), ("login", name), ("password", "correct horse battery")], jar: jar)
        #expect(response.status == .seeOther)
        return jar
    }

    func call(
        _ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, token: String?, body: String? = nil
    ) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
    }

    func json(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
    }

    func error(_ response: TestResponse) throws -> String {
        try #require(try json(response)["error"] as? String)
    }

    /// Posts a comment by API; answers its id.
    func comment(_ client: any TestClientProtocol, _ token: String, _ text: String) async throws -> Int64 {
        let body = String(decoding: try JSONSerialization.data(withJSONObject: ["text": text]), as: UTF8.self)
        let response = try await call(client, .post, "/api/papers/\(Self.paper)/comments", token: token, body: body)
        #expect(response.status == .created, "\(String(buffer: response.body))")
        return Int64(try #require(try json(response)["id"] as? Int))
    }

    func numComments(_ client: any TestClientProtocol) async throws -> Int {
        try #require(try json(try await client.execute(uri: "/api/papers/\(Self.paper)", method: .get))["numComments"] as? Int)
    }

    func anonymousPage(_ client: any TestClientProtocol) async throws -> String {
        String(buffer: try await client.execute(uri: "/papers/\(Self.paper)", method: .get).body)
    }

    @Test func curatorsAndAdminsHideAndShowCommentsByAPI() async throws {
        try await site { client, store in
            let bob = try await member(store, "bob", role: .user)
            let ann = try await member(store, "ann", role: .user)
            let cora = try await member(store, "cora", role: .curator)
            let ada = try await member(store, "ada", role: .admin)
            let spam = try await comment(client, bob, "Cheap watches at http://spam.example")
            _ = try await comment(client, ann, "A real question about the method.")
            let count = try await numComments(client)
            _ = try await anonymousPage(client)  // cached now: hiding must replace it
            let hide = "/api/comments/\(spam)/hide"
            func stillVisible() async throws {
                #expect(try await store.comment(id: spam)?.hidden == nil)
                #expect(try await numComments(client) == count)
            }

            // Refusals, each with its status and a message that says what to do; none stores anything.
            let anonymous = try await call(client, .post, hide, token: nil, body: "{\"reason\": \"spam\"}")
            #expect(anonymous.status == .unauthorized && anonymous.headers[.wwwAuthenticate] != nil)
            #expect(try error(anonymous).contains("Authorization: Bearer"))
            #expect(try await call(client, .post, hide, token: "not-a-token", body: "{\"reason\": \"spam\"}").status == .unauthorized)
            let byUser = try await call(client, .post, hide, token: ann, body: "{\"reason\": \"spam\"}")
            #expect(try byUser.status == .forbidden && error(byUser).contains("Only curators and admins"))
            let badReason = try await call(client, .post, hide, token: cora, body: "{\"reason\": \"boring\"}")
            #expect(badReason.status == .unprocessableContent)
            #expect(try error(badReason) == "reason: 'boring' is not one of spam, abuse, off-topic, resolved.")
            let noReason = try await call(client, .post, hide, token: cora, body: "{}")
            #expect(try noReason.status == .unprocessableContent && error(noReason).contains("spam, abuse, off-topic, resolved"))
            let notJSON = try await call(client, .post, hide, token: cora, body: "reason=spam")
            #expect(try notJSON.status == .badRequest && error(notJSON).contains("JSON object"))
            let unknown = try await call(client, .post, "/api/comments/987654/hide", token: cora, body: "{\"reason\": \"spam\"}")
            #expect(try unknown.status == .notFound && error(unknown) == "There is no comment 987654.")
            #expect(try await call(client, .post, "/api/comments/abc/hide", token: cora, body: "{\"reason\": \"spam\"}").status == .badRequest)
            try await stillVisible()

            // A curator hides it: the reason replaces the text for everyone and the count drops.
            let hidden = try await call(client, .post, hide, token: cora, body: "{\"reason\": \"off-topic\"}")
            #expect(hidden.status == .ok)
            let answer = try json(hidden)
            #expect(answer["id"] as? Int == Int(spam) && answer["text"] == nil)
            #expect((answer["hidden"] as? [String: Any])?["reason"] as? String == "off-topic")
            let stored = try #require(try await store.comment(id: spam)?.hidden)
            #expect(stored.reason == .offTopic && stored.moderator == "cora")
            #expect(try await numComments(client) == count - 1)
            let page = try await anonymousPage(client)
            #expect(page.contains("Hidden by a moderator: off-topic") && !page.contains("Cheap watches"))

            // Showing it again: refused to a plain user, done by an admin.
            #expect(try await call(client, .delete, hide, token: ann).status == .forbidden)
            #expect(try await store.comment(id: spam)?.hidden != nil)
            #expect(try await call(client, .delete, hide, token: nil).status == .unauthorized)
            #expect(try await call(client, .delete, "/api/comments/987654/hide", token: ada).status == .notFound)
            let shown = try await call(client, .delete, hide, token: ada)
            #expect(try shown.status == .ok && json(shown)["text"] as? String == "Cheap watches at http://spam.example")
            #expect(try await store.comment(id: spam)?.hidden == nil)
            #expect(try await numComments(client) == count)
            #expect(try await anonymousPage(client).contains("Cheap watches"))
        }
    }

    @Test func curatorsBanAndLiftBansByAPI() async throws {
        try await site { client, store in
            let bob = try await member(store, "bob", role: .user)
            let ann = try await member(store, "ann", role: .user)
            let cora = try await member(store, "cora", role: .curator)
            _ = try await member(store, "carl", role: .curator)
            let ada = try await member(store, "ada", role: .admin)
            let bobID = try #require(try await store.user(username: "bob")).id
            _ = try await comment(client, bob, "Before the ban.")
            let ban = "/api/users/bob/ban"
            func notBanned() async throws { #expect(try await store.ban(userID: bobID) == nil) }

            #expect(try await call(client, .put, ban, token: nil, body: "{\"reason\": \"spam\"}").status == .unauthorized)
            let byUser = try await call(client, .put, ban, token: ann, body: "{\"reason\": \"spam\"}")
            #expect(try byUser.status == .forbidden && error(byUser).contains("ann, is a user"))
            for body in ["{}", "{\"reason\": \"   \"}", "{\"reason\": \"two\\nlines\"}", "{\"reason\": \"\(String(repeating: "x", count: 201))\"}"] {
                let refused = try await call(client, .put, ban, token: cora, body: body)
                #expect(refused.status == .unprocessableContent, "\(body)")
                #expect(try error(refused).contains("1 to 200 characters on one line"))
            }
            #expect(try await call(client, .put, ban, token: cora, body: "[1]").status == .badRequest)
            let nobody = try await call(client, .put, "/api/users/nobody_here/ban", token: cora, body: "{\"reason\": \"spam\"}")
            #expect(try nobody.status == .notFound && error(nobody).contains("nobody_here"))
            // Curators cannot ban their peers or admins: that is for an admin.
            let peer = try await call(client, .put, "/api/users/carl/ban", token: cora, body: "{\"reason\": \"x\"}")
            #expect(try peer.status == .forbidden && error(peer).contains("ask an admin"))
            #expect(try await call(client, .put, "/api/users/ada/ban", token: cora, body: "{\"reason\": \"x\"}").status == .forbidden)
            let carlID = try #require(try await store.user(username: "carl")).id
            #expect(try await store.ban(userID: carlID) == nil)
            try await notBanned()

            // Any case of the name finds the account; the answer says who, why and by whom.
            let banned = try await call(client, .put, "/api/users/BOB/ban", token: cora, body: "{\"reason\": \"  spam links  \"}")
            #expect(banned.status == .ok)
            let answer = try json(banned)
            #expect((answer["user"] as? [String: Any])?["name"] as? String == "bob")
            #expect(answer["banned"] as? Bool == true && answer["reason"] as? String == "spam links" && answer["moderator"] as? String == "cora")
            #expect(answer["bannedAt"] is String)
            #expect(try await store.ban(userID: bobID)?.reason == "spam links")
            let refused = try await call(client, .post, "/api/papers/\(Self.paper)/comments", token: bob, body: "{\"text\": \"After the ban.\"}")
            #expect(try refused.status == .forbidden && error(refused).contains("banned by cora: spam links"))

            // Lifting: not by a plain user; by a curator, after which bob takes part again.
            #expect(try await call(client, .delete, ban, token: ann).status == .forbidden)
            #expect(try await call(client, .delete, ban, token: nil).status == .unauthorized)
            #expect(try await store.ban(userID: bobID) != nil)
            #expect(try await call(client, .delete, "/api/users/nobody_here/ban", token: cora).status == .notFound)
            let lifted = try await call(client, .delete, ban, token: cora)
            #expect(try lifted.status == .ok && json(lifted)["banned"] as? Bool == false && json(lifted)["reason"] == nil)
            try await notBanned()
            _ = try await comment(client, bob, "Sorry about that.")

            // An admin may ban a curator.
            let curatorBanned = try await call(client, .put, "/api/users/carl/ban", token: ada, body: "{\"reason\": \"rogue edits\"}")
            #expect(try curatorBanned.status == .ok && json(curatorBanned)["moderator"] as? String == "ada")
        }
    }

    @Test func thePagesOfferToUndoWhatTheAPIDid() async throws {
        try await site { client, store in
            let bob = try await member(store, "bob", role: .user)
            let cora = try await member(store, "cora", role: .curator)
            let spam = try await comment(client, bob, "Cheap watches")
            #expect(try await call(client, .post, "/api/comments/\(spam)/hide", token: cora, body: "{\"reason\": \"spam\"}").status == .ok)
            #expect(try await call(client, .put, "/api/users/bob/ban", token: cora, body: "{\"reason\": \"spam\"}").status == .ok)

            let jar = try await browser(client, "cora")
            let page = String(buffer: try await CommunitySite.get(client, "/papers/\(Self.paper)", jar: jar).body)
            #expect(page.contains("banned: spam") && page.contains("Show again") && page.contains("Lift bob's ban"))
            #expect(page.contains("name=\"reason\" value=\"none\"") && page.contains("name=\"ban\" value=\"0\""))
            let csrf = try #require(CommunitySite.csrfToken(in: page))
            let shown = try await CommunitySite.post(client, "/comments/\(spam)/hide", [("csrf_token", csrf), ("reason", "none")], jar: jar)
            #expect(shown.status == .seeOther)
            let lifted = try await CommunitySite.post(client, "/comments/\(spam)/ban", [("csrf_token", csrf), ("ban", "0")], jar: jar)
            #expect(lifted.status == .seeOther)
            #expect(try await store.comment(id: spam)?.hidden == nil)
            let bobID = try #require(try await store.user(username: "bob")).id
            #expect(try await store.ban(userID: bobID) == nil)
        }
    }
}
