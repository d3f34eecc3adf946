import Catalog
import Community
import Foundation
import Hummingbird
import NIOCore

/// Comments: the forms under a paper (comment, reply, edit, delete; hide and ban for
/// moderators), each a plain POST that comes back to the thread, and the JSON API
/// (`GET`/`POST /api/papers/{id}/comments`, `PATCH`/`DELETE /api/comments/{id}`, Bearer token);
/// moderation's API is `ModerationHandlers`.
/// Every refusal says what to fix and stores nothing; the store has the last word on
/// ownership, bans and threads.
struct CommentHandlers: Sendable {
    let store: any CommentStore
    let community: any CommunityStore
    let catalog: any CatalogStore
    let configuration: CommunityConfiguration
    let limiter: RateLimiter

    init(store: any CommentStore, community: any CommunityStore, catalog: any CatalogStore, configuration: CommunityConfiguration) {
        self.store = store
        self.community = community
        self.catalog = catalog
        self.configuration = configuration
        limiter = RateLimiter(configuration.commentLimit)
    }

    // MARK: Forms

    /// `POST /papers/{id}/comments`: `text`, and `parent` for a reply.
    func formPost(_ request: Request, paper text: String) async throws -> BufferedResponse {
        let viewer: Viewer, form: FormFields
        switch try await signedInForm(request, returnTo: "/papers/\(text)#comments") {
        case .refused(let answer): return answer
        case .accepted(let v, let f): viewer = v; form = f
        }
        let body = form["text"] ?? ""
        guard let paper = ArxivID(text) else { return Self.refuse("id: '\(text.prefix(80))' is not an arXiv id.", .badRequest, text: body) }
        var parent: Int64?
        if let given = form["parent"], !given.isEmpty {
            guard let id = Self.commentID(given) else { return Self.refuse("parent: '\(given.prefix(40))' is not a comment number.", .badRequest, text: body) }
            parent = id
        }
        let normalised: String
        do { normalised = try CommentText.normalised(body) } catch { return Self.refuse(error.description, Self.status(error), text: body) }
        if let wait = limiter.admit("user:\(viewer.user.id)") { return Self.tooMany(wait, text: body) }
        do {
            let comment = try await store.addComment(paper: paper, userID: viewer.user.id, parentID: parent, body: normalised, at: Date())
            return .seeOther("/papers/\(paper.value)#comment-\(comment.id)")
        } catch let error as CommentError {
            return Self.refuse(error.description, Self.status(error), text: body)
        }
    }

    /// `POST /comments/{id}/edit`: the new `text` of one's own comment.
    func formEdit(_ request: Request, comment text: String) async throws -> BufferedResponse {
        let viewer: Viewer, form: FormFields
        switch try await signedInForm(request, returnTo: "/papers") {
        case .refused(let answer): return answer
        case .accepted(let v, let f): viewer = v; form = f
        }
        let body = form["text"] ?? ""
        guard let id = Self.commentID(text) else { return Self.refuse("id: '\(text.prefix(40))' is not a comment number.", .badRequest, text: body) }
        let normalised: String
        do { normalised = try CommentText.normalised(body) } catch { return Self.refuse(error.description, Self.status(error), text: body) }
        if let wait = limiter.admit("user:\(viewer.user.id)") { return Self.tooMany(wait, text: body) }
        do {
            let comment = try await store.editComment(id: id, userID: viewer.user.id, body: normalised, at: Date())
            return .seeOther("/papers/\(comment.paper.value)#comment-\(comment.id)")
        } catch let error as CommentError {
            return Self.refuse(error.description, Self.status(error), text: body)
        }
    }

    /// `POST /comments/{id}/delete`: deletes one's own comment.
    func formDelete(_ request: Request, comment text: String) async throws -> BufferedResponse {
        let viewer: Viewer
        switch try await signedInForm(request, returnTo: "/papers") {
        case .refused(let answer): return answer
        case .accepted(let v, _): viewer = v
        }
        guard let id = Self.commentID(text) else { return Self.refuse("id: '\(text.prefix(40))' is not a comment number.", .badRequest) }
        do {
            let comment = try await store.deleteComment(id: id, userID: viewer.user.id, at: Date())
            return .seeOther("/papers/\(comment.paper.value)#comments")
        } catch let error as CommentError {
            return Self.refuse(error.description, Self.status(error))
        }
    }

    /// `POST /comments/{id}/hide`: a moderator hides the comment for `reason` (spam, abuse,
    /// off-topic, resolved) or shows it again with `none`.
    func formHide(_ request: Request, comment text: String) async throws -> BufferedResponse {
        let viewer: Viewer, form: FormFields
        switch try await signedInForm(request, returnTo: "/papers") {
        case .refused(let answer): return answer
        case .accepted(let v, let f): viewer = v; form = f
        }
        guard let id = Self.commentID(text) else { return Self.refuse("id: '\(text.prefix(40))' is not a comment number.", .badRequest) }
        let reason: HideReason?
        switch form["reason"] ?? "" {
        case "none": reason = nil
        case let given:
            guard let known = HideReason(rawValue: given) else {
                let choices = HideReason.allCases.map(\.rawValue).joined(separator: ", ")
                return Self.refuse("reason: '\(given.prefix(40))' is not one of \(choices) (or none, to show the comment again).", .badRequest)
            }
            reason = known
        }
        do {
            let comment = try await store.moderateComment(id: id, moderatorID: viewer.user.id, reason: reason, at: Date())
            return .seeOther("/papers/\(comment.paper.value)#comment-\(comment.id)")
        } catch let error as CommentError {
            return Self.refuse(error.description, Self.status(error))
        }
    }

    /// `POST /comments/{id}/ban`: a moderator bans the comment's author (`ban` 1, with a
    /// `reason`) or lifts the ban (`ban` 0). A ban stops comments and votes, not reading.
    func formBan(_ request: Request, comment text: String) async throws -> BufferedResponse {
        let viewer: Viewer, form: FormFields
        switch try await signedInForm(request, returnTo: "/papers") {
        case .refused(let answer): return answer
        case .accepted(let v, let f): viewer = v; form = f
        }
        guard let id = Self.commentID(text) else { return Self.refuse("id: '\(text.prefix(40))' is not a comment number.", .badRequest) }
        var reason: String?
        switch form["ban"] {
        case "1":
            guard let given = ModerationHandlers.banReason(form["reason"] ?? "") else {
                return Self.refuse(ModerationHandlers.banReasonRule, .badRequest)
            }
            reason = given
        case "0": reason = nil
        case let other: return Self.refuse("ban: '\((other ?? "").prefix(20))' must be 1 (ban) or 0 (lift the ban).", .badRequest)
        }
        guard viewer.user.role >= .curator else { return Self.refuse(CommentError.notAModerator.description, .forbidden) }
        guard let comment = try await store.comment(id: id) else { return Self.refuse(CommentError.commentNotFound(id).description, .notFound) }
        do {
            try await store.setBan(userID: comment.authorID, moderatorID: viewer.user.id, reason: reason, at: Date())
            return .seeOther("/papers/\(comment.paper.value)#comment-\(comment.id)")
        } catch let error as CommentError {
            return Self.refuse(error.description, Self.status(error))
        }
    }

    /// The checks every comment form shares (`SignedInForm`), the log-in page for anonymous
    /// readers coming back to `returnTo`.
    private func signedInForm(_ request: Request, returnTo: String) async throws -> SignedInForm {
        try await SignedInForm.read(request, limit: configuration.maxCommentBytes,
                                    anonymous: .seeOther("/login?next=\(HTML.queryValue(returnTo))"))
    }

    /// A refusal page that gives the text back, so nothing typed is lost.
    private static func refuse(_ message: String, _ status: HTTPResponse.Status, text: String? = nil) -> BufferedResponse {
        var body = "<h1>Comment not saved</h1><p class=\"notice\" role=\"alert\">\(HTML.escape(message))</p>"
        if let text, !text.isEmpty {
            body += "<p>Your text, to copy:</p><textarea class=\"kept\" rows=\"6\" readonly aria-label=\"Your text\">\(HTML.escape(text))</textarea>"
        }
        body += "<p>Go back to the paper and try again.</p>"
        return HTML.page(title: "Comment not saved", body: body, status: status)
    }

    private static func tooMany(_ wait: Duration, text: String) -> BufferedResponse {
        let seconds = RateLimiter.seconds(wait)
        var answer = refuse("Too many comments; try again in \(seconds) seconds.", .tooManyRequests, text: text)
        answer.headers[.retryAfter] = String(seconds)
        return answer
    }

    // MARK: API

    /// `GET /api/papers/{id}/comments`: the paper's thread, flat in reading order (each comment
    /// followed by its replies), with `parentId` and `depth` to indent by.
    func apiThread(paper text: String) async throws -> BufferedResponse {
        guard let id = ArxivID(text) else { return DailyPapersAPI.error("id: '\(text.prefix(80))' is not an arXiv id", status: .badRequest) }
        guard let paper = try await catalog.paper(id), !paper.deleted else { return DailyPapersAPI.error("Paper not found", status: .notFound) }
        let entries = CommentPages.thread(try await store.comments(on: id))
        var json = JSONWriter(capacity: 256 + entries.count * 256)
        json.object { o in
            o.field("paperId", id.value)
            o.field("numComments", paper.numComments)
            o.key("comments")
            o.array(entries) { json, entry in Self.write(entry.comment, depth: entry.depth, to: &json) }
        }
        return DailyPapersAPI.json(json.bytes)
    }

    /// `POST /api/papers/{id}/comments`: `{"text": "...", "parentId": 12}` (parentId optional).
    func apiPost(_ request: Request, paper text: String) async throws -> BufferedResponse {
        let user: User, input: APIInput
        switch try await apiRequest(request) {
        case .refused(let answer): return answer
        case .accepted(let u, let i): user = u; input = i
        }
        guard let paper = ArxivID(text) else { return DailyPapersAPI.error("id: '\(text.prefix(80))' is not an arXiv id", status: .badRequest) }
        if let parent = input.parentId, parent <= 0 { return DailyPapersAPI.error("parentId: \(parent) is not a comment number", status: .badRequest) }
        let body: String
        do { body = try CommentText.normalised(input.text) } catch { return DailyPapersAPI.error(error.description, status: Self.status(error)) }
        if let wait = limiter.admit("user:\(user.id)") { return Self.apiTooMany(wait) }
        do {
            let comment = try await store.addComment(paper: paper, userID: user.id, parentID: input.parentId, body: body, at: Date())
            return Self.json(comment, status: .created)
        } catch let error as CommentError {
            return DailyPapersAPI.error(error.description, status: Self.status(error))
        }
    }

    /// `PATCH /api/comments/{id}`: `{"text": "..."}`, for the comment's author only.
    func apiEdit(_ request: Request, comment text: String) async throws -> BufferedResponse {
        let user: User, input: APIInput
        switch try await apiRequest(request) {
        case .refused(let answer): return answer
        case .accepted(let u, let i): user = u; input = i
        }
        guard let id = Self.commentID(text) else { return DailyPapersAPI.error("id: '\(text.prefix(40))' is not a comment number", status: .badRequest) }
        let body: String
        do { body = try CommentText.normalised(input.text) } catch { return DailyPapersAPI.error(error.description, status: Self.status(error)) }
        if let wait = limiter.admit("user:\(user.id)") { return Self.apiTooMany(wait) }
        do {
            return Self.json(try await store.editComment(id: id, userID: user.id, body: body, at: Date()), status: .ok)
        } catch let error as CommentError {
            return DailyPapersAPI.error(error.description, status: Self.status(error))
        }
    }

    /// `DELETE /api/comments/{id}`, for the comment's author only.
    func apiDelete(_ request: Request, comment text: String) async throws -> BufferedResponse {
        guard let user = try await apiUser(request) else { return Self.unknownToken(request) }
        guard let id = Self.commentID(text) else { return DailyPapersAPI.error("id: '\(text.prefix(40))' is not a comment number", status: .badRequest) }
        do {
            return Self.json(try await store.deleteComment(id: id, userID: user.id, at: Date()), status: .ok)
        } catch let error as CommentError {
            return DailyPapersAPI.error(error.description, status: Self.status(error))
        }
    }

    /// What a comment's JSON body may hold.
    struct APIInput: Decodable {
        var text: String
        var parentId: Int64?
    }

    private enum APIRequest {
        case accepted(User, APIInput)
        case refused(BufferedResponse)
    }

    /// The token's owner and the JSON body, or the refusal: 401 (no or unknown token), 413
    /// (body too large), 400 (not the expected JSON).
    private func apiRequest(_ request: Request) async throws -> APIRequest {
        guard let user = try await apiUser(request) else { return .refused(Self.unknownToken(request)) }
        var request = request
        let bytes: ByteBuffer
        do { bytes = try await request.collectBody(upTo: configuration.maxCommentBytes) } catch is NIOTooManyBytesError {
            return .refused(DailyPapersAPI.error("The body is larger than \(configuration.maxCommentBytes) bytes.", status: .contentTooLarge))
        }
        guard let input = try? JSONDecoder().decode(APIInput.self, from: Data(bytes.readableBytesView)) else {
            return .refused(DailyPapersAPI.error(
                "The body must be a JSON object: {\"text\": \"your comment\", \"parentId\": 12} (parentId to reply, optional).",
                status: .badRequest))
        }
        return .accepted(user, input)
    }

    private func apiUser(_ request: Request) async throws -> User? {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else { return nil }
        let token = header.dropFirst("bearer ".count).trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty, token.utf8.count <= 200 else { return nil }
        return try await community.user(apiTokenDigest: SecretToken.digest(token))
    }

    private static func unknownToken(_ request: Request) -> BufferedResponse {
        if request.headers[.authorization] == nil {
            return VoteHandlers.unauthorized("Send a personal API token: Authorization: Bearer TOKEN (make one on /account).")
        }
        return VoteHandlers.unauthorized("The API token is unknown or has been revoked.")
    }

    private static func apiTooMany(_ wait: Duration) -> BufferedResponse {
        let seconds = RateLimiter.seconds(wait)
        var answer = DailyPapersAPI.error("Too many comments; try again in \(seconds) seconds.", status: .tooManyRequests)
        answer.headers[.retryAfter] = String(seconds)
        return answer
    }

    static func json(_ comment: Comment, status: HTTPResponse.Status) -> BufferedResponse {
        var json = JSONWriter(capacity: 512)
        write(comment, depth: nil, to: &json)
        var answer = DailyPapersAPI.json(json.bytes, status: status)
        answer.headers[.cacheControl] = "no-store"
        return answer
    }

    /// One comment as JSON. A deleted comment has no author or text; a hidden one has the
    /// reason and no text (the API answers everyone alike, so curators read it on the page).
    private static func write(_ c: Comment, depth: Int?, to json: inout JSONWriter) {
        json.object { o in
            o.field("id", Int(c.id))
            o.field("paperId", c.paper.value)
            o.field("parentId", c.parentID.map { Int($0) })
            o.field("depth", depth)
            o.field("createdAt", CommentPages.iso(c.createdAt))
            o.field("editedAt", c.editedAt.map(CommentPages.iso))
            o.field("deleted", c.deleted)
            if !c.deleted {
                o.key("author")
                o.object { $0.field("name", c.author) }
                if let hidden = c.hidden {
                    o.key("hidden")
                    o.object { $0.field("reason", hidden.reason.rawValue) }
                } else {
                    o.field("text", c.body)
                }
            }
        }
    }

    // MARK: Shared

    static func commentID(_ text: String) -> Int64? {
        guard let id = Int64(text), id > 0 else { return nil }
        return id
    }

    private static func status(_ problem: CommentText.Problem) -> HTTPResponse.Status {
        switch problem {
        case .empty: .badRequest
        case .tooLong: .contentTooLarge
        }
    }

    static func status(_ error: CommentError) -> HTTPResponse.Status {
        switch error {
        case .paperNotFound, .commentNotFound, .userNotFound: .notFound
        case .parentNotFound, .parentDeleted: .badRequest
        case .notYours, .banned, .notAModerator, .outranked: .forbidden
        case .alreadyDeleted: .conflict
        }
    }
}
