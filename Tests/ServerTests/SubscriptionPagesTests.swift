import Catalog
import CatalogSQLite
import Digests
import Foundation
import Hummingbird
import HummingbirdTesting
import Mail
import PaperboyServer
import Testing

/// Keeps the emails the site sends, in order, so tests can open their links. (The real SMTP
/// path is tested in MailTests and Tests/clients/test_digests.py against aiosmtpd.)
final class RecordingTransport: MailTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [MailMessage] = []
    var fails = false

    func send(_ message: MailMessage) async throws {
        if lock.withLock({ fails }) { throw MailNotSent(reason: "451 relay busy (test)") }
        lock.withLock { messages.append(message) }
    }

    var sent: [MailMessage] { lock.withLock { messages } }

    /// The first link in the last message's text to a path starting with `path`.
    func link(_ path: String) -> String? {
        guard let text = sent.last?.textBody, let start = text.range(of: "https://papers.example.org" + path) else { return nil }
        let url = String(text[start.lowerBound...].prefix(while: { !$0.isWhitespace }))
        return String(url.dropFirst("https://papers.example.org".count))
    }
}

/// Subscribing from the site: the form, double opt-in by a signed link, the preferences page,
/// one-click unsubscribe, and every refusal storing and sending nothing.
@Suite struct SubscriptionPagesTests {
    static func with(
        clientLimit: RateLimit = RateLimit(1_000, per: .seconds(3_600)),
        _ body: @escaping @Sendable (any TestClientProtocol, SiteStore, RecordingTransport) async throws -> Void
    ) async throws {
        let store = try await TestSite.catalog()
        let transport = RecordingTransport()
        var configuration = CommunitySite.configuration()
        var digests = DigestSiteConfiguration(transport: transport, from: try EmailAddress("digest@papers.example.org", displayName: "Paperboy"))
        digests.clientLimit = clientLimit
        configuration.digests = digests
        let app = buildApplication(configuration: configuration, catalog: store, logger: quietLogger, now: { TestSite.now })
        try await app.test(.router) { client in try await body(client, store, transport) }
    }

    static func subscribe(
        _ client: any TestClientProtocol, _ fields: [(String, String)], jar: CookieJar = CookieJar()
    ) async throws -> TestResponse {
        let page = try await CommunitySite.get(client, "/subscribe?email=ignored%40example.org", jar: jar)
        let token = try #require(CommunitySite.csrfToken(in: String(buffer: page.body)))
        return try await CommunitySite.post(client, "/subscribe", [("csrf_token", token)] + fields, jar: jar)
    }

    @Test func subscribeConfirmChangeAndLeave() async throws {
        try await Self.with { client, store, transport in
            let form = try await client.get("/subscribe?email=ann%40example.org")
            #expect(form.status == .ok)
            #expect(form.body.contains("value=\"ann@example.org\""))
            let answer = try await Self.subscribe(client, [("email", "ann@example.org"), ("frequency", "weekly"), ("topics", "cs.CL, diffusion")])
            #expect(answer.status == .ok)
            #expect(String(buffer: answer.body).contains("Check your inbox"))
            #expect(transport.sent.count == 1)
            #expect(transport.sent[0].to.map(\.address) == ["ann@example.org"])
            #expect(transport.sent[0].subject.contains("Confirm"))
            // Nothing goes out to a pending subscription.
            #expect(try await store.planDigests(for: DigestPeriod("weekly:2026-W48")!, at: Date()) == 0)

            let confirm = try #require(transport.link("/digest/confirm/"))
            let confirmed = try await client.get(confirm)
            #expect(confirmed.status == .ok)
            #expect(confirmed.body.contains("You are subscribed"))
            let subscription = try #require(try await store.subscription(email: "ann@example.org"))
            #expect(subscription.status == .active)
            #expect(subscription.frequency == .weekly)
            #expect(subscription.topics.categories == ["cs.CL"] && subscription.topics.keywords == ["diffusion"])

            // The confirmation page links to the preferences.
            let start = try #require(confirmed.body.range(of: "https://papers.example.org/digest/preferences/"))
            let preferences = String(confirmed.body[start.lowerBound...].prefix(while: { $0 != "\"" })).replacingOccurrences(of: "https://papers.example.org", with: "")
            let jar = CookieJar()
            let page = try await CommunitySite.get(client, preferences, jar: jar)
            #expect(page.status == .ok)
            let csrf = try #require(CommunitySite.csrfToken(in: String(buffer: page.body)))
            let saved = try await CommunitySite.post(client, preferences, [("csrf_token", csrf), ("frequency", "daily"), ("topics", "stat.ML")], jar: jar)
            #expect(saved.status == .ok)
            #expect(try await store.subscription(email: "ann@example.org")?.frequency == .daily)
            #expect(try await store.subscription(email: "ann@example.org")?.topics.text == "stat.ML")

            // One-click unsubscribe, as a mail program posts it (RFC 8058): no cookie, no CSRF field.
            let html = String(buffer: saved.body)
            let unsubscribeStart = try #require(html.range(of: "/digest/unsubscribe/"))
            let unsubscribe = String(html[unsubscribeStart.lowerBound...].prefix(while: { $0 != "\"" }))
            let left = try await client.execute(
                uri: unsubscribe, method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "List-Unsubscribe=One-Click"))
            #expect(left.status == .ok)
            #expect(try await store.subscription(email: "ann@example.org")?.status == .unsubscribed)
        }
    }

    @Test func subscribingAnActiveAddressAgainMailsItsOwnerAndChangesNothing() async throws {
        try await Self.with { client, store, transport in
            _ = try await Self.subscribe(client, [("email", "bob@example.org"), ("frequency", "daily")])
            _ = try await client.get(try #require(transport.link("/digest/confirm/")))
            let again = try await Self.subscribe(client, [("email", "bob@example.org"), ("frequency", "weekly"), ("topics", "hep-th")])
            // The page says the same as for a new address; only the email tells the owner.
            #expect(String(buffer: again.body).contains("Check your inbox"))
            #expect(transport.sent.count == 2)
            #expect(transport.sent[1].subject.contains("already subscribed"))
            #expect(transport.link("/digest/preferences/") != nil)
            let subscription = try #require(try await store.subscription(email: "bob@example.org"))
            #expect(subscription.frequency == .daily && subscription.topics.isEmpty)
        }
    }

    @Test func badInputIsRefusedNamingTheFieldAndNothingIsSentOrStored() async throws {
        try await Self.with { client, store, transport in
            for (email, field) in [("eve@example.org\r\nBcc: victim@example.org", "email"), ("not-an-address", "email"), ("<script>@x", "email")] {
                let answer = try await Self.subscribe(client, [("email", email), ("frequency", "daily")])
                #expect(answer.status == .badRequest)
                let html = String(buffer: answer.body)
                #expect(html.contains("\(field):"))
                #expect(!html.contains("<script>@x"))
            }
            let frequency = try await Self.subscribe(client, [("email", "a@example.org"), ("frequency", "hourly")])
            #expect(frequency.status == .badRequest)
            #expect(String(buffer: frequency.body).contains("frequency:"))
            let topics = try await Self.subscribe(client, [("email", "a@example.org"), ("topics", String(repeating: "x", count: 70))])
            #expect(String(buffer: topics.body).contains("topics:"))
            // Without the CSRF token.
            let forged = try await CommunitySite.post(client, "/subscribe", [("email", "a@example.org")], jar: CookieJar())
            #expect(forged.status == .forbidden)
            #expect(transport.sent.isEmpty)
            #expect(try await store.subscriptionCounts().isEmpty)
        }
    }

    @Test func tamperedAndExpiredLinksChangeNothing() async throws {
        try await Self.with { client, store, transport in
            _ = try await Self.subscribe(client, [("email", "cy@example.org")])
            let confirm = try #require(transport.link("/digest/confirm/"))
            let id = try #require(try await store.subscription(email: "cy@example.org")).id
            // Another id under the same signature, a damaged signature, the wrong purpose.
            let forged = confirm.replacingOccurrences(of: "/c\(id)-", with: "/c\(id + 1)-")
            for bad in [forged, String(confirm.dropLast(3)) + "AAA", confirm.replacingOccurrences(of: "/confirm/c", with: "/confirm/u"), "/digest/confirm/garbage"] {
                let answer = try await client.get(bad)
                #expect(answer.status == .badRequest, "\(bad)")
                #expect(answer.body.contains("Nothing was changed"))
            }
            let links = SubscriptionLinks(secret: try await store.linkSigningSecret(), baseURL: "https://papers.example.org")
            let expired = links.token(.confirm, subscription: id, now: Date().addingTimeInterval(-4 * 86_400))
            let old = try await client.get("/digest/confirm/\(expired)")
            #expect(old.status == .gone)
            #expect(old.body.contains("expired"))
            let stolen = links.token(.unsubscribe, subscription: id, now: Date()).replacingOccurrences(of: "u\(id)-", with: "u\(id)0-")
            let unsubscribe = try await client.execute(uri: "/digest/unsubscribe/\(stolen)", method: .post)
            #expect(unsubscribe.status == .badRequest)
            #expect(try await store.subscription(id: id)?.status == .pending)
        }
    }

    @Test func aFloodOfRequestsIsRefusedWith429() async throws {
        try await Self.with { client, store, transport in
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<12 {
                let answer = try await Self.subscribe(client, [("email", "flood@example.org")])
                statuses.append(answer.status)
                if answer.status == .tooManyRequests { #expect(answer.headers[.retryAfter] != nil) }
            }
            // Three confirmation emails per address a day; the rest are refused and not sent.
            #expect(statuses.filter { $0 == .ok }.count == 3)
            #expect(statuses.filter { $0 == .tooManyRequests }.count == 9)
            #expect(transport.sent.count == 3)
            #expect(try await store.subscriptionCounts()[.pending] == 1)
        }
        try await Self.with(clientLimit: RateLimit(2, per: .seconds(3_600))) { client, _, transport in
            for i in 0..<2 { #expect(try await Self.subscribe(client, [("email", "n\(i)@example.org")]).status == .ok) }
            let third = try await Self.subscribe(client, [("email", "n3@example.org")])
            #expect(third.status == .tooManyRequests)
            #expect(transport.sent.count == 2)
        }
    }

    @Test func signedInReadersMayAskForPapersPickedForThem() async throws {
        try await Self.with { client, store, transport in
            let anonymous = try await Self.subscribe(client, [("email", "anon@example.org"), ("for_me", "on")])
            #expect(anonymous.status == .badRequest)
            #expect(String(buffer: anonymous.body).contains("for_me:"))
            let jar = try await CommunitySite.signUp(client, "reader")
            let form = try await CommunitySite.get(client, "/subscribe", jar: jar)
            #expect(String(buffer: form.body).contains("name=\"for_me\""))
            let answer = try await Self.subscribe(client, [("email", "reader@example.org"), ("for_me", "on")], jar: jar)
            #expect(answer.status == .ok)
            let subscription = try #require(try await store.subscription(email: "reader@example.org"))
            #expect(subscription.forMe && subscription.userID != nil)
            #expect(transport.sent.count == 1)
        }
    }

    @Test func withoutARelayThePageOffersFeedsAndTheEmailsLinksStillWork() async throws {
        let store = try await TestSite.catalog()
        // A subscription made by `digest subscribe`, its links mailed by `digest send` from cron.
        let request = try SubscriptionRequest.make(email: "cron@example.org", frequency: "daily", topics: "")
        guard case .needsConfirmation(let pending) = try await store.subscribe(request, at: Date(), limit: (3, 86_400)) else {
            Issue.record("expected a pending subscription"); return
        }
        _ = try await store.confirmSubscription(id: pending.id, at: Date())
        let links = SubscriptionLinks(secret: try await store.linkSigningSecret(), baseURL: "https://papers.example.org")
        let app = buildApplication(configuration: CommunitySite.configuration(), catalog: store, logger: quietLogger, now: { TestSite.now })
        try await app.test(.router) { client in
            let page = try await client.get("/subscribe?email=x%40example.org")
            #expect(page.status == .ok)
            #expect(page.body.contains("sends no email"))
            #expect(page.body.contains("/feeds/daily.rss"))
            #expect(try await client.execute(uri: "/subscribe", method: .post).status != .ok)
            let left = try await client.execute(uri: "/digest/unsubscribe/\(links.token(.unsubscribe, subscription: pending.id, now: Date()))", method: .post)
            #expect(left.status == .ok)
            #expect(try await store.subscription(id: pending.id)?.status == .unsubscribed)
        }
    }

    @Test func aRelayFailureIsReportedNotHidden() async throws {
        try await Self.with { client, _, transport in
            transport.fails = true
            let answer = try await Self.subscribe(client, [("email", "dee@example.org")])
            #expect(answer.status == .serviceUnavailable)
            #expect(String(buffer: answer.body).contains("could not send"))
        }
    }
}
