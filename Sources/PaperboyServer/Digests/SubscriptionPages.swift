import Community
import Digests
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Mail

/// Subscribing to the email digest, no account needed, and everything the emails link to:
///
/// - `GET /subscribe?email=` (the box on every page lands here): the choices, with the address
///   filled in; `POST /subscribe` records a pending subscription and mails a confirmation link.
/// - `GET /digest/confirm/{token}`: the double opt-in; the subscription goes live.
/// - `GET /digest/unsubscribe/{token}`: a page with one button; `POST` to the same address
///   unsubscribes, and is also the RFC 8058 one-click target of `List-Unsubscribe-Post`, which
///   mail programs post without cookies (the signed token is the authority, as the RFC intends).
/// - `GET`/`POST /digest/preferences/{token}`: change frequency and topics, or leave.
///
/// Links are signed and expire (`SubscriptionLinks`); a tampered or expired one is refused
/// with the reason and changes nothing. Forms carry the CSRF token of the browser's cookie.
struct SubscriptionPages: Sendable {
    let store: any SubscriptionStore
    /// The relay and limits for new subscriptions; nil: the site sends no email, but the links
    /// of emails sent by `paperboy digest send` still work.
    let settings: DigestSiteConfiguration?
    let sessions: SessionCookies
    let signer: SubscriptionLinkSigner
    let notices: SubscriptionNotices?
    let clientLimiter: RateLimiter
    let trustForwardedFor: Bool
    let maxFormBytes: Int
    let logger: Logger

    init(
        store: any SubscriptionStore, settings: DigestSiteConfiguration?, sessions: SessionCookies, baseURL: String,
        community: CommunityConfiguration, logger: Logger
    ) {
        self.store = store
        self.settings = settings
        self.sessions = sessions
        signer = SubscriptionLinkSigner(store: store, baseURL: baseURL)
        notices = settings.map { SubscriptionNotices(from: $0.from) }
        clientLimiter = RateLimiter(settings?.clientLimit ?? RateLimit(10, per: .seconds(3_600)))
        trustForwardedFor = community.trustForwardedFor
        maxFormBytes = community.maxFormBytes
        self.logger = logger
    }

    // MARK: Subscribing

    func form(_ request: Request) -> BufferedResponse {
        let email = String((QueryString(request)["email"] ?? "").prefix(254))
        return sessions.withCSRFCookie(request) { token in
            subscribePage(token: token, email: email, frequency: .daily, topics: "", forMe: false, problem: nil)
        }
    }

    func subscribe(_ request: Request, _ context: PaperboyRequestContext) async throws -> BufferedResponse {
        guard let settings, let notices else {
            return HTML.page(title: "No email here", body: "<h1>No email digests here</h1><p>This server sends no email.</p>", status: .notFound)
        }
        if let wait = clientLimiter.admit(ClientAddress.of(request, context, trustForwardedFor: trustForwardedFor)) {
            return AccountPages.tooManyRequests(wait, what: "subscribe requests from this address")
        }
        let form: FormFields
        switch try await CheckedForm.read(request, limit: maxFormBytes) {
        case .refused(let answer): return answer
        case .accepted(let checked): form = checked
        }
        let token = form[CSRF.fieldName] ?? ""
        let email = form["email"] ?? "", topics = form["topics"] ?? ""
        let frequency = DigestFrequency(rawValue: form["frequency"] ?? "") ?? .daily
        let forMe = form["for_me"] == "on"
        let subscription: SubscriptionRequest
        do {
            subscription = try SubscriptionRequest.make(
                email: email, frequency: form["frequency"], topics: topics, userID: Viewer.current?.user.id, forMe: forMe)
        } catch {
            return subscribePage(
                token: token, email: String(email.prefix(254)), frequency: frequency, topics: String(topics.prefix(2_000)), forMe: forMe,
                problem: error.description, status: .badRequest)
        }
        let now = Date()
        let outcome = try await store.subscribe(subscription, at: now, limit: (settings.requestsPerAddress, settings.addressWindow))
        let links = try await signer.get()
        let notice: MailMessage
        switch outcome {
        case .tooManyRequests(let retryAfter):
            var answer = HTML.page(
                title: "Too many requests",
                body: """
                    <h1>Too many requests</h1><p>This address was asked to subscribe \(settings.requestsPerAddress) times \
                    lately. Nothing was sent or saved. Check the inbox for the emails already sent, or try again in \
                    \(retryAfter) seconds.</p>
                    """,
                status: .tooManyRequests)
            answer.headers[.retryAfter] = String(retryAfter)
            return answer
        case .needsConfirmation(let pending):
            notice = try notices.confirmation(to: pending, confirmURL: links.url(.confirm, subscription: pending.id, now: now), date: now)
        case .alreadyActive(let active):
            notice = try notices.alreadySubscribed(active, preferencesURL: links.url(.preferences, subscription: active.id, now: now), date: now)
        }
        do {
            try await settings.transport.send(notice)
        } catch {
            logger.error("confirmation email not sent", metadata: ["error": "\(error)"])
            return HTML.page(
                title: "Email not sent",
                body: """
                    <h1>We could not send the email</h1><p>The mail server did not take the confirmation email for \
                    <strong>\(HTML.escape(subscription.email))</strong> just now. Please try again in a few minutes.</p>
                    """,
                status: .serviceUnavailable)
        }
        // The same answer whether the address was new or already subscribed: the page must not
        // tell a stranger who is on the list. The email says which.
        return HTML.page(
            title: "Check your inbox",
            body: """
                <h1>Check your inbox</h1>
                <p>We sent an email to <strong>\(HTML.escape(subscription.email))</strong>. Open the link in it to confirm: \
                no digest is sent until you do. The link works for three days.</p>
                """)
    }

    private func subscribePage(
        token: String, email: String, frequency: DigestFrequency, topics: String, forMe: Bool, problem: String?,
        status: HTTPResponse.Status = .ok
    ) -> BufferedResponse {
        var body = "<h1>Trending papers in your inbox</h1>"
        if let problem { body += "<p class=\"notice\" role=\"alert\">\(HTML.escape(problem))</p>" }
        body += """
            <p>A short email with the most upvoted papers of the day or the week: title, authors, the gist of the \
            abstract and links. No account needed; every email has a one-click unsubscribe link.</p>
            <form class="account" method="post" action="/subscribe">\(CSRF.field(token))
            <label>Email <input type="email" name="email" required maxlength="254" value="\(HTML.escape(email))" autocomplete="email"></label>
            <fieldset><legend>How often</legend>
            <label><input type="radio" name="frequency" value="daily"\(frequency == .daily ? " checked" : "")> Daily, \
            on weekday mornings: the previous weekday's papers</label>
            <label><input type="radio" name="frequency" value="weekly"\(frequency == .weekly ? " checked" : "")> Weekly, \
            on Monday mornings: the week's papers</label>
            </fieldset>
            <label>Only about (optional) <input name="topics" maxlength="1200" value="\(HTML.escape(topics))" \
            placeholder="cs.CL, diffusion, &quot;state space&quot;"></label>
            <p class="meta">arXiv categories (cs.CL, stat.ML) and keywords, separated by commas. A paper is included \
            when it is in one of the categories or mentions one of the words. Leave empty for everything.</p>
            """
        if Viewer.current != nil {
            body += """
                <label><input type="checkbox" name="for_me"\(forMe ? " checked" : "")> Pick them for me: rank by \
                closeness to the papers I upvoted and saved</label>
                """
        }
        body += """
            <button type="submit">Subscribe</button>
            </form>
            <p>Rather use a feed reader? <a href="/feeds/daily.rss">Daily papers (RSS)</a> · \
            <a href="/feeds/trending.rss">Trending (RSS)</a> · <a href="/feeds/daily.atom">Atom</a></p>
            """
        return HTML.page(title: "Subscribe", body: body, status: status)
    }

    // MARK: Links from the emails

    func confirm(token: String) async throws -> BufferedResponse {
        try await withLink(token, .confirm) { id, links in
            guard let subscription = try await store.confirmSubscription(id: id, at: Date()) else {
                return linkProblem("This subscription was cancelled since the email was sent. Subscribe again to get the digest.", status: .gone)
            }
            let preferences = links.url(.preferences, subscription: subscription.id, now: Date())
            return HTML.page(
                title: "Subscribed",
                body: """
                    <h1>You are subscribed</h1>
                    <p><strong>\(HTML.escape(subscription.email))</strong> will get \(HTML.escape(SubscriptionNotices.describe(subscription))).</p>
                    <p><a href="\(HTML.escape(preferences))">Change the preferences</a> at any time; every email has this \
                    link and a one-click unsubscribe.</p>
                    """)
        }
    }

    func unsubscribeForm(token: String) async throws -> BufferedResponse {
        try await withLink(token, .unsubscribe) { id, _ in
            guard let subscription = try await store.subscription(id: id) else { return linkProblem("There is no such subscription.", status: .notFound) }
            if subscription.status == .unsubscribed { return unsubscribedPage(subscription) }
            return HTML.page(
                title: "Unsubscribe",
                body: """
                    <h1>Unsubscribe</h1>
                    <p>Stop sending the digest to <strong>\(HTML.escape(subscription.email))</strong>?</p>
                    <form method="post" action="/digest/unsubscribe/\(HTML.escape(token))"><button type="submit">Unsubscribe</button></form>
                    """)
        }
    }

    /// Both the page's button and RFC 8058's one-click POST (`List-Unsubscribe=One-Click`).
    func unsubscribe(_ request: Request, token: String) async throws -> BufferedResponse {
        try await withLink(token, .unsubscribe) { id, _ in
            guard let subscription = try await store.unsubscribe(id: id, at: Date()) else {
                return linkProblem("There is no such subscription.", status: .notFound)
            }
            logger.info("unsubscribed", metadata: ["subscription": "\(id)"])
            return unsubscribedPage(subscription)
        }
    }

    private func unsubscribedPage(_ subscription: Subscription) -> BufferedResponse {
        HTML.page(
            title: "Unsubscribed",
            body: """
                <h1>Unsubscribed</h1>
                <p><strong>\(HTML.escape(subscription.email))</strong> will get no more digests. Changed your mind? \
                <a href="/subscribe?email=\(HTML.escape(HTML.queryValue(subscription.email)))">Subscribe again</a>.</p>
                """)
    }

    func preferencesForm(_ request: Request, token: String) async throws -> BufferedResponse {
        try await withLink(token, .preferences) { id, links in
            guard let subscription = try await store.subscription(id: id) else { return linkProblem("There is no such subscription.", status: .notFound) }
            return sessions.withCSRFCookie(request) { csrf in
                preferencesPage(subscription, links: links, token: token, csrf: csrf, topics: subscription.topics.text, problem: nil, saved: false)
            }
        }
    }

    func savePreferences(_ request: Request, token: String) async throws -> BufferedResponse {
        try await withLink(token, .preferences) { id, links in
            let form: FormFields
            switch try await CheckedForm.read(request, limit: maxFormBytes) {
            case .refused(let answer): return answer
            case .accepted(let checked): form = checked
            }
            guard let subscription = try await store.subscription(id: id) else { return linkProblem("There is no such subscription.", status: .notFound) }
            let csrf = form[CSRF.fieldName] ?? ""
            let topicsText = form["topics"] ?? ""
            let frequency: DigestFrequency
            let topics: DigestTopics
            do {
                guard let chosen = DigestFrequency(rawValue: form["frequency"] ?? "") else {
                    throw SubscriptionError.invalid(field: "frequency", "must be daily or weekly")
                }
                frequency = chosen
                topics = try DigestTopics(parsing: topicsText)
            } catch {
                return preferencesPage(
                    subscription, links: links, token: token, csrf: csrf, topics: String(topicsText.prefix(2_000)), problem: "\(error)", saved: false,
                    status: .badRequest)
            }
            guard let updated = try await store.updateSubscription(
                id: id, frequency: frequency, topics: topics, forMe: form["for_me"] == "on", at: Date()) else {
                return linkProblem("There is no such subscription.", status: .notFound)
            }
            return preferencesPage(updated, links: links, token: token, csrf: csrf, topics: updated.topics.text, problem: nil, saved: true)
        }
    }

    private func preferencesPage(
        _ subscription: Subscription, links: SubscriptionLinks, token: String, csrf: String, topics: String, problem: String?, saved: Bool,
        status: HTTPResponse.Status = .ok
    ) -> BufferedResponse {
        var body = "<h1>Digest preferences</h1><p>For <strong>\(HTML.escape(subscription.email))</strong>: "
        switch subscription.status {
        case .active: body += "subscribed.</p>"
        case .pending: body += "waiting for the confirmation link to be opened.</p>"
        case .unsubscribed: body += "unsubscribed; <a href=\"/subscribe?email=\(HTML.escape(HTML.queryValue(subscription.email)))\">subscribe again</a>.</p>"
        case .suspended: body += "suspended, because the address refused our emails several times. Subscribe again to restart.</p>"
        }
        if saved { body += "<p class=\"notice\" role=\"status\">Saved.</p>" }
        if let problem { body += "<p class=\"notice\" role=\"alert\">\(HTML.escape(problem))</p>" }
        let action = "/digest/preferences/\(HTML.escape(token))"
        body += """
            <form class="account" method="post" action="\(action)">\(CSRF.field(csrf))
            <fieldset><legend>How often</legend>
            <label><input type="radio" name="frequency" value="daily"\(subscription.frequency == .daily ? " checked" : "")> Daily (weekdays)</label>
            <label><input type="radio" name="frequency" value="weekly"\(subscription.frequency == .weekly ? " checked" : "")> Weekly (Mondays)</label>
            </fieldset>
            <label>Only about <input name="topics" maxlength="1200" value="\(HTML.escape(topics))" placeholder="cs.CL, diffusion"></label>
            """
        if subscription.userID != nil {
            body += "<label><input type=\"checkbox\" name=\"for_me\"\(subscription.forMe ? " checked" : "")> Pick them for me</label>"
        }
        body += "<button type=\"submit\">Save</button></form>"
        if subscription.status == .active || subscription.status == .pending {
            body += """
                <form method="post" action="/digest/unsubscribe/\(HTML.escape(links.token(.unsubscribe, subscription: subscription.id, now: Date())))">
                <button type="submit" class="secondary">Unsubscribe</button></form>
                """
        }
        return HTML.page(title: "Digest preferences", body: body, status: status)
    }

    // MARK: Tokens

    /// Runs `body` with the subscription a link acts for, once the token is checked; a
    /// tampered, misdirected or expired link gets a page saying so and nothing else happens.
    private func withLink(
        _ token: String, _ purpose: SubscriptionLinks.Purpose,
        _ body: (Int64, SubscriptionLinks) async throws -> BufferedResponse
    ) async throws -> BufferedResponse {
        let links = try await signer.get()
        let id: Int64
        do {
            id = try links.verify(token, for: purpose, now: Date())
        } catch {
            let status: HTTPResponse.Status = if case .expired = error { .gone } else { .badRequest }
            return linkProblem("This link cannot be used: \(error.description). Nothing was changed.", status: status)
        }
        return try await body(id, links)
    }

    private func linkProblem(_ message: String, status: HTTPResponse.Status) -> BufferedResponse {
        HTML.page(
            title: "Link not valid",
            body: "<h1>This link cannot be used</h1><p>\(HTML.escape(message))</p><p><a href=\"/subscribe\">Subscribe</a></p>",
            status: status)
    }
}
