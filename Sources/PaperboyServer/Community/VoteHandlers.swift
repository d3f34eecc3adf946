import Catalog
import Community
import Foundation
import Hummingbird

/// Upvotes: the form on paper pages and feed cards (a plain POST that comes back to the page,
/// or, from the page's script, an answer in JSON that updates the count in place), and
/// `POST`/`DELETE /api/papers/{id}/upvote` with a personal API token.
struct VoteHandlers: Sendable {
    let store: any CommunityStore
    let configuration: CommunityConfiguration
    let limiter: RateLimiter

    init(store: any CommunityStore, configuration: CommunityConfiguration) {
        self.store = store
        self.configuration = configuration
        limiter = RateLimiter(configuration.voteLimit)
    }

    /// `POST /papers/{id}/upvote` from a form: `vote` 1 adds the vote, 0 withdraws it.
    func formVote(_ request: Request, id text: String) async throws -> BufferedResponse {
        let wantsJSON = request.headers[.accept]?.contains("application/json") == true
        let form: FormFields
        do { form = try await FormFields.read(request, limit: configuration.maxFormBytes) } catch let error as FormFields.TooLarge {
            return wantsJSON ? DailyPapersAPI.error("The form sent more than \(error.limit) bytes.", status: .contentTooLarge) : AccountPages.tooLarge(error)
        }
        func refuse(_ message: String, _ status: HTTPResponse.Status) -> BufferedResponse {
            if wantsJSON { return DailyPapersAPI.error(message, status: status) }
            return HTML.page(title: "Vote not counted", body: "<h1>Vote not counted</h1><p>\(HTML.escape(message))</p>", status: status)
        }
        guard let viewer = Viewer.current else {
            if wantsJSON { return DailyPapersAPI.error("Log in to vote.", status: .unauthorized) }
            return .seeOther("/login?next=\(HTML.queryValue("/papers/\(text)"))")
        }
        guard CSRF.accepts(form, request) else {
            return wantsJSON ? DailyPapersAPI.error("The form's csrf_token is missing or out of date; reload the page.", status: .forbidden) : CSRF.refused
        }
        guard let id = ArxivID(text) else { return refuse("id: '\(text.prefix(80))' is not an arXiv id.", .badRequest) }
        let voted: Bool
        switch form["vote"] {
        case "1": voted = true
        case "0": voted = false
        case let other: return refuse("vote: '\((other ?? "").prefix(20))' must be 1 (upvote) or 0 (withdraw the upvote).", .badRequest)
        }
        if let wait = limiter.admit("user:\(viewer.user.id)") {
            var answer = refuse("Too many votes; try again in \(RateLimiter.seconds(wait)) seconds.", .tooManyRequests)
            answer.headers[.retryAfter] = String(RateLimiter.seconds(wait))
            return answer
        }
        if let ban = try await (store as? any CommentStore)?.ban(userID: viewer.user.id) {
            return refuse(CommentError.banned(ban).description, .forbidden)
        }
        guard let tally = try await store.setVote(userID: viewer.user.id, paper: id, voted: voted, at: Date()) else {
            return refuse("\(id) is not in this catalog.", .notFound)
        }
        if wantsJSON { return Self.json(tally) }
        return .seeOther(AccountPages.localPath(form["return"]) ?? "/papers/\(id.value)")
    }

    /// `POST` (vote) or `DELETE` (withdraw) `/api/papers/{id}/upvote`, with `Authorization: Bearer`.
    func apiVote(_ request: Request, id text: String, voted: Bool) async throws -> BufferedResponse {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            return Self.unauthorized("Send a personal API token: Authorization: Bearer TOKEN (make one on /account).")
        }
        let token = header.dropFirst("bearer ".count).trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty, token.utf8.count <= 200, let user = try await store.user(apiTokenDigest: SecretToken.digest(token)) else {
            return Self.unauthorized("The API token is unknown or has been revoked.")
        }
        guard let id = ArxivID(text) else { return DailyPapersAPI.error("id: '\(text.prefix(80))' is not an arXiv id", status: .badRequest) }
        if let wait = limiter.admit("user:\(user.id)") {
            var answer = DailyPapersAPI.error("Too many votes; try again in \(RateLimiter.seconds(wait)) seconds.", status: .tooManyRequests)
            answer.headers[.retryAfter] = String(RateLimiter.seconds(wait))
            return answer
        }
        if let ban = try await (store as? any CommentStore)?.ban(userID: user.id) {
            return DailyPapersAPI.error(CommentError.banned(ban).description, status: .forbidden)
        }
        guard let tally = try await store.setVote(userID: user.id, paper: id, voted: voted, at: Date()) else {
            return DailyPapersAPI.error("Paper not found", status: .notFound)
        }
        return Self.json(tally)
    }

    static func json(_ tally: VoteTally) -> BufferedResponse {
        var json = JSONWriter(capacity: 64)
        json.object { o in
            o.field("upvotes", tally.upvotes)
            o.key("voted")
            o.bool(tally.voted)
        }
        var answer = DailyPapersAPI.json(json.bytes)
        answer.headers[.cacheControl] = "no-store"
        return answer
    }

    static func unauthorized(_ message: String) -> BufferedResponse {
        var answer = DailyPapersAPI.error(message, status: .unauthorized)
        answer.headers[.wwwAuthenticate] = "Bearer realm=\"paperboy\""
        return answer
    }
}
