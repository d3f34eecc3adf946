import Catalog
import CatalogSQLite
import Community
import Foundation
import Hummingbird
import HummingbirdTesting
import PaperboyServer
import Testing

/// A browser for the in-process router: keeps the cookies the site sets and sends them back.
final class CookieJar: @unchecked Sendable {
    private let lock = NSLock()
    private var cookies: [String: String] = [:]

    subscript(name: String) -> String? { lock.withLock { cookies[name] } }

    func take(_ response: TestResponse) {
        for line in response.headers[values: .setCookie] {
            let pair = line.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(pair[0]), value = pair.count > 1 ? String(pair[1]) : ""
            lock.withLock { if value.isEmpty { cookies[name] = nil } else { cookies[name] = value } }
        }
    }

    var header: HTTPFields {
        let line = lock.withLock { cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        return line.isEmpty ? [:] : [.cookie: line]
    }
}

/// Sign-up, log-in and log-out, sessions, CSRF, API tokens and the limits, through the real
/// router over a real SQLite catalog.
enum CommunitySite {
    static func configuration(_ change: (inout CommunityConfiguration) -> Void = { _ in }) -> ServerConfiguration {
        var configuration = ServerConfiguration(publicBaseURL: "https://papers.example.org/")
        configuration.community.passwordCost = 4  // bcrypt's least: the tests sign up hundreds of times
        configuration.community.signUpLimit = RateLimit(10_000, per: .seconds(3_600))
        configuration.community.logInLimit = RateLimit(10_000, per: .seconds(60))
        configuration.community.voteLimit = RateLimit(10_000, per: .seconds(60))
        change(&configuration.community)
        return configuration
    }

    static func with(
        catalog: SiteStore? = nil, _ change: (inout CommunityConfiguration) -> Void = { _ in },
        _ body: @escaping @Sendable (any TestClientProtocol, SiteStore) async throws -> Void
    ) async throws {
        let store: SiteStore
        if let catalog { store = catalog } else { store = try await TestSite.catalog() }
        let app = buildApplication(configuration: configuration(change), catalog: store, logger: quietLogger, now: { TestSite.now })
        try await app.test(.router) { client in try await body(client, store) }
    }

    static func form(_ fields: [(String, String)]) -> ByteBuffer {
        func encode(_ s: String) -> String {
            s.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        }
        return ByteBuffer(string: fields.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&"))
    }

    /// The value of the hidden CSRF field in a page.
    static func csrfToken(in html: String) -> String? {
        guard let range = html.range(of: "name=\"csrf_token\" value=\"") else { return nil }
        return String(html[range.upperBound...].prefix(while: { $0 != "\"" }))
    }

    static func post(
        _ client: any TestClientProtocol, _ uri: String, _ fields: [(String, String)], jar: CookieJar, headers extra: HTTPFields = [:]
    ) async throws -> TestResponse {
        var headers = jar.header
        headers[.contentType] = "application/x-www-form-urlencoded"
        headers.append(contentsOf: extra)
        let response = try await client.execute(uri: uri, method: .post, headers: headers, body: form(fields))
        jar.take(response)
        return response
    }

    static func get(_ client: any TestClientProtocol, _ uri: String, jar: CookieJar) async throws -> TestResponse {
        let response = try await client.execute(uri: uri, method: .get, headers: jar.header)
        jar.take(response)
        return response
    }

    /// Signs up through the form, as a browser would; answers the browser's cookies.
    static func signUp(_ client: any TestClientProtocol, _ username: String, headers: HTTPFields = [:]) async throws -> CookieJar {
        let jar = CookieJar()
        let page = try await get(client, "/signup", jar: jar)
        let token = try #require(csrfToken(in: String(buffer: page.body)))
        let response = try await post(
            client, "/signup", [("csrf_token", token), ("username", username), ("email", "\(username)@example.org"),
                                ("password", "correct horse battery")], jar: jar, headers: headers)
        #expect(response.status == .seeOther, "\(String(buffer: response.body))")
        return jar
    }

    /// A personal API token for a new user, made through the account page.
    static func apiToken(_ client: any TestClientProtocol, _ username: String) async throws -> String {
        let jar = try await signUp(client, username)
        let account = try await get(client, "/account", jar: jar)
        let token = try #require(csrfToken(in: String(buffer: account.body)))
        let made = try await post(client, "/account/tokens", [("csrf_token", token), ("name", "script")], jar: jar)
        #expect(made.status == .created)
        let html = String(buffer: made.body)
        let start = try #require(html.range(of: "<code class=\"token\">"))
        return String(html[start.upperBound...].prefix(while: { $0 != "<" }))
    }
}

@Suite struct AccountTests {
    @Test func signUpLogOutAndLogInWithAnHttpOnlySession() async throws {
        try await CommunitySite.with { client, store in
            let jar = CookieJar()
            let form = try await CommunitySite.get(client, "/signup", jar: jar)
            #expect(form.status == .ok)
            let csrfCookie = try #require(form.headers[values: .setCookie].first { $0.hasPrefix("paperboy_csrf=") })
            #expect(csrfCookie.contains("HttpOnly") && csrfCookie.contains("SameSite=Lax"))
            let token = try #require(CommunitySite.csrfToken(in: String(buffer: form.body)))

            let created = try await CommunitySite.post(
                client, "/signup", [("csrf_token", token), ("username", "Ann_Author"), ("email", "ann@example.org"),
                                    ("password", "correct horse battery")], jar: jar)
            #expect(created.status == .seeOther)
            let cookie = try #require(created.headers[values: .setCookie].first { $0.hasPrefix("paperboy_session=") })
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Secure"))
            let session = try #require(jar["paperboy_session"])
            // The database keeps the token's digest and the password's bcrypt hash, never either secret.
            #expect(try await store.session(tokenDigest: session, now: Date()) == nil)
            #expect(try await store.session(tokenDigest: SecretToken.digest(session), now: Date())?.user.username == "Ann_Author")
            let account = try #require(try await store.userForLogin("ANN@example.org"))
            #expect(account.passwordHash.hasPrefix("$2b$04$") && !account.passwordHash.contains("horse"))
            #expect(account.user.role == .user)

            let papers = try await CommunitySite.get(client, "/papers/date/2026-08-21", jar: jar)
            let html = String(buffer: papers.body)
            #expect(html.contains("<a href=\"/account\">Ann_Author</a>"))
            #expect(papers.headers[.cacheControl] == "private, no-cache")
            let pageToken = try #require(CommunitySite.csrfToken(in: html))

            let out = try await CommunitySite.post(client, "/logout", [("csrf_token", pageToken)], jar: jar)
            #expect(out.status == .seeOther)
            #expect(jar["paperboy_session"] == nil)
            #expect(try await store.session(tokenDigest: SecretToken.digest(session), now: Date()) == nil)
            // The old cookie, replayed, is nobody's.
            let replayed = try await client.execute(uri: "/account", method: .get, headers: [.cookie: "paperboy_session=\(session)"])
            #expect(replayed.status == .found && replayed.headers[.location] == "/login?next=/account")

            let login = try await CommunitySite.get(client, "/login?next=/account", jar: jar)
            let loginToken = try #require(CommunitySite.csrfToken(in: String(buffer: login.body)))
            let wrong = try await CommunitySite.post(
                client, "/login", [("csrf_token", loginToken), ("login", "ann_author"), ("password", "wrong horse battery"), ("next", "/account")], jar: jar)
            #expect(wrong.status == .unauthorized)
            #expect(String(buffer: wrong.body).contains("Wrong username, email or password."))
            #expect(jar["paperboy_session"] == nil)
            let right = try await CommunitySite.post(
                client, "/login", [("csrf_token", loginToken), ("login", "ann@example.org"), ("password", "correct horse battery"), ("next", "/account")], jar: jar)
            #expect(right.status == .seeOther && right.headers[.location] == "/account")
            let page = try await CommunitySite.get(client, "/account", jar: jar)
            #expect(page.status == .ok && String(buffer: page.body).contains("ann@example.org"))
            // A log-in form cannot send people to another site afterwards.
            let offsite = try await CommunitySite.post(
                client, "/login", [("csrf_token", loginToken), ("login", "ann_author"), ("password", "correct horse battery"), ("next", "//evil.example")], jar: CookieJar())
            #expect(offsite.status == .forbidden, "no CSRF cookie in a fresh browser")
        }
    }

    @Test func formsWithoutTheirCSRFTokenAreRefusedAndStoreNothing() async throws {
        try await CommunitySite.with { client, store in
            let jar = CookieJar()
            _ = try await CommunitySite.get(client, "/signup", jar: jar)
            let fields = [("username", "mallory"), ("email", "m@example.org"), ("password", "correct horse battery")]
            let missing = try await CommunitySite.post(client, "/signup", fields, jar: jar)
            #expect(missing.status == .forbidden)
            #expect(String(buffer: missing.body).contains("csrf_token"))
            let wrong = try await CommunitySite.post(client, "/signup", fields + [("csrf_token", String(repeating: "0", count: 64))], jar: jar)
            #expect(wrong.status == .forbidden)
            #expect(try await store.userCount() == 0)

            // Signed in, the session's token is the one that counts, not the pre-login cookie's.
            let ann = try await CommunitySite.signUp(client, "ann")
            let account = try await CommunitySite.get(client, "/account", jar: ann)
            let token = try #require(CommunitySite.csrfToken(in: String(buffer: account.body)))
            let forged = try await CommunitySite.post(client, "/account/tokens", [("name", "x")], jar: ann)
            #expect(forged.status == .forbidden)
            let logout = try await CommunitySite.post(client, "/logout", [("csrf_token", "nope")], jar: ann)
            #expect(logout.status == .forbidden)
            let user = try #require(try await store.userForLogin("ann")).user
            #expect(try await store.apiTokens(userID: user.id).isEmpty)
            #expect(try await CommunitySite.post(client, "/account/tokens", [("csrf_token", token), ("name", "ok")], jar: ann).status == .created)
        }
    }

    @Test func badInputIsRefusedNamingTheFieldAndEscaped() async throws {
        try await CommunitySite.with { client, store in
            let jar = CookieJar()
            let page = try await CommunitySite.get(client, "/signup", jar: jar)
            let token = try #require(CommunitySite.csrfToken(in: String(buffer: page.body)))
            func signUp(_ username: String, _ email: String, _ password: String) async throws -> (HTTPResponse.Status, String) {
                let r = try await CommunitySite.post(
                    client, "/signup", [("csrf_token", token), ("username", username), ("email", email), ("password", password)], jar: jar)
                return (r.status, String(buffer: r.body))
            }
            let script = try await signUp("<script>alert(1)</script>", "<script>x@y.z", "correct horse battery")
            #expect(script.0 == .badRequest)
            #expect(script.1.contains("username: may hold only"))
            #expect(!script.1.contains("<script>alert(1)") && script.1.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            let email = try await signUp("ann", "not-an-address", "correct horse battery")
            #expect(email.0 == .badRequest && email.1.contains("email: "))
            let short = try await signUp("ann", "ann@example.org", "short")
            #expect(short.0 == .badRequest && short.1.contains("password: is too short"))
            let weak = try await signUp("ann", "ann@example.org", "password12345")
            #expect(weak.0 == .badRequest && weak.1.contains("password: is too weak"))
            #expect(try await store.userCount() == 0)

            _ = try await CommunitySite.signUp(client, "ann")  // another browser
            let taken = try await signUp("ANN", "other@example.org", "correct horse battery")
            #expect(taken.0 == .conflict && taken.1.contains("username: &#39;ANN&#39; is taken"))
            let email2 = try await signUp("bob", "Ann@Example.org", "correct horse battery")
            #expect(email2.0 == .conflict && email2.1.contains("email: "))
            #expect(try await store.userCount() == 1)

            let huge = try await CommunitySite.post(
                client, "/signup", [("csrf_token", token), ("username", "carol"), ("email", "c@example.org"),
                                    ("password", "correct horse battery"), ("padding", String(repeating: "x", count: 20_000))], jar: jar)
            #expect(huge.status == .contentTooLarge)
            #expect(try await store.userCount() == 1)
        }
    }

    @Test func signUpAndLogInAreRateLimitedPerAddress() async throws {
        try await CommunitySite.with({ community in
            community.signUpLimit = RateLimit(2, per: .seconds(3_600))
            community.logInLimit = RateLimit(3, per: .seconds(60))
            community.trustForwardedFor = true
        }) { client, store in
            let here: HTTPFields = [.init("X-Forwarded-For")!: "192.0.2.1"]
            let there: HTTPFields = [.init("X-Forwarded-For")!: "198.51.100.7, 10.0.0.1"]
            _ = try await CommunitySite.signUp(client, "user1", headers: here)
            _ = try await CommunitySite.signUp(client, "user2", headers: here)
            let jar = CookieJar()
            let page = try await CommunitySite.get(client, "/signup", jar: jar)
            let token = try #require(CommunitySite.csrfToken(in: String(buffer: page.body)))
            let third = try await CommunitySite.post(
                client, "/signup", [("csrf_token", token), ("username", "user3"), ("email", "u3@example.org"), ("password", "correct horse battery")],
                jar: jar, headers: here)
            #expect(third.status == .tooManyRequests)
            let retry = try #require(third.headers[.retryAfter].flatMap { Int($0) })
            #expect((3_500...3_600).contains(retry))
            #expect(try await store.userCount() == 2)
            _ = try await CommunitySite.signUp(client, "user3", headers: there)  // another address has its own budget

            for attempt in 1...4 {
                let r = try await CommunitySite.post(
                    client, "/login", [("csrf_token", token), ("login", "user1"), ("password", "wrong horse battery")], jar: jar, headers: here)
                #expect(r.status == (attempt <= 3 ? .unauthorized : .tooManyRequests))
                if attempt == 4 { #expect(r.headers[.retryAfter] != nil) }
            }
        }
    }

    @Test func apiTokensAreShownOnceStoredHashedAndRevocable() async throws {
        try await CommunitySite.with { client, store in
            let jar = try await CommunitySite.signUp(client, "ann")
            let page = try await CommunitySite.get(client, "/account", jar: jar)
            let csrf = try #require(CommunitySite.csrfToken(in: String(buffer: page.body)))
            #expect(try await CommunitySite.post(client, "/account/tokens", [("csrf_token", csrf), ("name", "")], jar: jar).status == .badRequest)
            let made = try await CommunitySite.post(client, "/account/tokens", [("csrf_token", csrf), ("name", "<b>laptop</b>")], jar: jar)
            #expect(made.status == .created)
            let html = String(buffer: made.body)
            #expect(html.contains("&lt;b&gt;laptop&lt;/b&gt;"))
            let start = try #require(html.range(of: "<code class=\"token\">"))
            let token = String(html[start.upperBound...].prefix(while: { $0 != "<" }))
            #expect(token.hasPrefix("pb_") && token.count == 67)
            let listed = String(buffer: try await CommunitySite.get(client, "/account", jar: jar).body)
            #expect(!listed.contains(token), "shown once")
            #expect(try await store.user(apiTokenDigest: token) == nil)
            let user = try #require(try await store.user(apiTokenDigest: SecretToken.digest(token)))

            let vote: @Sendable (String?) async throws -> HTTPResponse.Status = { bearer in
                var headers: HTTPFields = [:]
                if let bearer { headers[.authorization] = "Bearer \(bearer)" }
                return try await client.execute(uri: "/api/papers/2608.19880/upvote", method: .post, headers: headers).status
            }
            #expect(try await vote(token) == .ok)
            #expect(try await vote(nil) == .unauthorized)
            #expect(try await vote("pb_" + String(repeating: "0", count: 64)) == .unauthorized)

            let tokens = try await store.apiTokens(userID: user.id)
            let revoke = try await CommunitySite.post(client, "/account/tokens/\(tokens[0].id)/revoke", [("csrf_token", csrf)], jar: jar)
            #expect(revoke.status == .seeOther)
            #expect(try await vote(token) == .unauthorized)
            #expect(String(buffer: try await CommunitySite.get(client, "/account", jar: jar).body).contains("revoked"))
            // Someone else cannot revoke Ann's tokens.
            let bob = try await CommunitySite.signUp(client, "bob")
            let bobPage = try await CommunitySite.get(client, "/account", jar: bob)
            let bobCSRF = try #require(CommunitySite.csrfToken(in: String(buffer: bobPage.body)))
            let annTokens = try await store.apiTokens(userID: user.id)
            let notBobs = try await CommunitySite.post(client, "/account/tokens/\(annTokens[0].id)/revoke", [("csrf_token", bobCSRF)], jar: bob)
            #expect(notBobs.status == .notFound)
            let badID = try await CommunitySite.post(client, "/account/tokens/abc/revoke", [("csrf_token", bobCSRF)], jar: bob)
            #expect(badID.status == .badRequest && String(buffer: badID.body).contains("id: "))
        }
    }
}
