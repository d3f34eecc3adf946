import Catalog
import Community
import Foundation
import Hummingbird
import NIOCore

/// Changing collections: the forms (`POST /collections`, `/collections/{id}/edit|delete`,
/// `/collections/{id}/papers` and `/collections/{id}/papers/remove`), each a plain POST that
/// comes back to the page it was sent from, and the JSON API with a personal API token
/// (`POST /api/collections`, `PATCH`/`DELETE /api/collections/{id}`,
/// `POST`/`DELETE /api/collections/{id}/papers/{paperId}`). Forms and API share the checks in
/// `create`, `update`, `delete`, `add` and `remove`; every refusal says what to fix and stores
/// nothing. The pages and the reading API are `CollectionPages`.
struct CollectionHandlers: Sendable {
    let store: any CollectionStore
    let community: any CommunityStore
    let configuration: CommunityConfiguration
    let createLimiter: RateLimiter
    let addLimiter: RateLimiter

    init(store: any CollectionStore, community: any CommunityStore, configuration: CommunityConfiguration) {
        self.store = store
        self.community = community
        self.configuration = configuration
        createLimiter = RateLimiter(configuration.collectionCreateLimit)
        addLimiter = RateLimiter(configuration.collectionAddLimit)
    }

    /// A change not made: the answer's status, the message (naming the field or rule), and for
    /// 429 how long to wait.
    typealias Refusal = RequestRefusal

    // MARK: The checks forms and API share

    /// A collection's number from the address.
    static func collectionID(_ text: String) -> Int64? {
        guard text.utf8.count <= 19, let id = Int64(text), id > 0 else { return nil }
        return id
    }

    private static func parseID(_ text: String) -> Result<Int64, Refusal> {
        guard let id = collectionID(text) else {
            return .failure(Refusal(status: .badRequest, message: "id: '\(text.prefix(40))' is not a collection number."))
        }
        return .success(id)
    }

    private static func parsePaper(_ text: String?) -> Result<ArxivID, Refusal> {
        let given = text?.trimmingCharacters(in: .whitespaces) ?? ""
        guard !given.isEmpty else { return .failure(Refusal(status: .badRequest, message: "paper: give the arXiv id of the paper to save.")) }
        guard let id = ArxivID(given) else {
            return .failure(Refusal(status: .badRequest, message: "paper: '\(given.prefix(80))' is not an arXiv id (like 2501.01234 or hep-th/9901001)."))
        }
        return .success(id)
    }

    private static func refusal(_ problem: CollectionProblem) -> Refusal {
        Refusal(status: .unprocessableContent, message: problem.description, rule: problem.field)
    }

    private static func refusal(_ error: CollectionError) -> Refusal {
        let status: HTTPResponse.Status = switch error {
        case .collectionNotFound, .paperNotFound: .notFound
        case .notYours: .forbidden
        case .tooManyCollections, .collectionFull: .unprocessableContent
        }
        return Refusal(status: status, message: error.description, rule: error.rule)
    }

    private static func tooMany(_ wait: Duration, what: String) -> Refusal {
        let seconds = RateLimiter.seconds(wait)
        return Refusal(status: .tooManyRequests, message: "Too many \(what); try again in \(seconds) seconds.", retryAfter: seconds)
    }

    /// Runs a store change, turning the store's refusals into answers.
    private static func attempt(_ change: () async throws -> PaperCollection) async throws -> Result<PaperCollection, Refusal> {
        do { return .success(try await change()) } catch let error as CollectionError { return .failure(refusal(error)) }
    }

    /// A banned user may keep and read their collections but not write the names and
    /// descriptions others read, as they may not comment.
    private func banRefusal(_ user: User) async throws -> Refusal? {
        guard let ban = try await (community as? any CommentStore)?.ban(userID: user.id) else { return nil }
        return Refusal(status: .forbidden, message: CommentError.banned(ban).description)
    }

    /// A new collection for `user`, holding `paper` when one is given.
    func create(user: User, name: String?, description: String?, isPublic: Bool, paper: String?) async throws -> Result<PaperCollection, Refusal> {
        if let refusal = try await banRefusal(user) { return .failure(refusal) }
        var first: ArxivID?
        if let paper {
            switch Self.parsePaper(paper) {
            case .success(let id): first = id
            case .failure(let refusal): return .failure(refusal)
            }
        }
        let draft: CollectionDraft
        do { draft = try CollectionDraft(name: name ?? "", description: description, isPublic: isPublic) } catch { return .failure(Self.refusal(error)) }
        if let wait = createLimiter.admit("user:\(user.id)") { return .failure(Self.tooMany(wait, what: "new collections")) }
        let limits = configuration.collectionLimits
        return try await Self.attempt { try await store.createCollection(ownerID: user.id, draft, firstPaper: first, limits: limits, at: Date()) }
    }

    /// Sets the fields given (`description` `.some(nil)` removes it).
    func update(user: User, id text: String, name: String?, description: String??, isPublic: Bool?) async throws -> Result<PaperCollection, Refusal> {
        if let refusal = try await banRefusal(user) { return .failure(refusal) }
        let id: Int64
        switch Self.parseID(text) { case .success(let parsed): id = parsed; case .failure(let refusal): return .failure(refusal) }
        let update: CollectionUpdate
        do { update = try CollectionUpdate(name: name, description: description, isPublic: isPublic) } catch { return .failure(Self.refusal(error)) }
        return try await Self.attempt { try await store.updateCollection(id: id, ownerID: user.id, update, at: Date()) }
    }

    /// Deletes the collection; answers it as it was.
    func delete(user: User, id text: String) async throws -> Result<PaperCollection, Refusal> {
        let id: Int64
        switch Self.parseID(text) { case .success(let parsed): id = parsed; case .failure(let refusal): return .failure(refusal) }
        return try await Self.attempt {
            // Read first for the answer; the store checks ownership again in its transaction.
            guard let found = try await store.collection(id: id), found.isVisible(to: user.id) else { throw CollectionError.collectionNotFound(id) }
            try await store.deleteCollection(id: id, ownerID: user.id)
            return found
        }
    }

    func add(user: User, id text: String, paper: String?) async throws -> Result<PaperCollection, Refusal> {
        let id: Int64, paperID: ArxivID
        switch Self.parseID(text) { case .success(let parsed): id = parsed; case .failure(let refusal): return .failure(refusal) }
        switch Self.parsePaper(paper) { case .success(let parsed): paperID = parsed; case .failure(let refusal): return .failure(refusal) }
        if let wait = addLimiter.admit("user:\(user.id)") { return .failure(Self.tooMany(wait, what: "papers saved to collections")) }
        let limits = configuration.collectionLimits
        return try await Self.attempt { try await store.addPaper(paperID, toCollection: id, ownerID: user.id, limits: limits, at: Date()) }
    }

    func remove(user: User, id text: String, paper: String?) async throws -> Result<PaperCollection, Refusal> {
        let id: Int64, paperID: ArxivID
        switch Self.parseID(text) { case .success(let parsed): id = parsed; case .failure(let refusal): return .failure(refusal) }
        switch Self.parsePaper(paper) { case .success(let parsed): paperID = parsed; case .failure(let refusal): return .failure(refusal) }
        return try await Self.attempt { try await store.removePaper(paperID, fromCollection: id, ownerID: user.id, at: Date()) }
    }

    /// A form's `visibility`: `public` or `private`; nil when not sent.
    private static func visibility(_ text: String?) -> Result<Bool?, Refusal> {
        switch text {
        case nil: .success(nil)
        case "public": .success(true)
        case "private": .success(false)
        case let other?: .failure(Refusal(status: .badRequest, message: "visibility: '\(other.prefix(20))' must be public or private."))
        }
    }

    // MARK: Forms

    /// `POST /collections`: `name`, `description`, `visibility` (private unless `public`), and
    /// `paper` to start the collection with a paper (the paper page's form).
    func formCreate(_ request: Request) async throws -> BufferedResponse {
        let viewer: Viewer, form: FormFields
        switch try await signedInForm(request) {
        case .refused(let answer): return answer
        case .accepted(let v, let f): viewer = v; form = f
        }
        let isPublic: Bool
        switch Self.visibility(form["visibility"]) {
        case .success(let given): isPublic = given ?? false
        case .failure(let refusal): return Self.page(refusal, form: form)
        }
        let paper = form["paper"].flatMap { $0.isEmpty ? nil : $0 }
        switch try await create(user: viewer.user, name: form["name"], description: form["description"], isPublic: isPublic, paper: paper) {
        case .success(let collection): return .seeOther(AccountPages.localPath(form["return"]) ?? "/collections/\(collection.id)")
        case .failure(let refusal): return Self.page(refusal, form: form)
        }
    }

    /// `POST /collections/{id}/edit`: whichever of `name`, `description` (empty removes it) and
    /// `visibility` the form sends.
    func formEdit(_ request: Request, id: String) async throws -> BufferedResponse {
        let viewer: Viewer, form: FormFields
        switch try await signedInForm(request) {
        case .refused(let answer): return answer
        case .accepted(let v, let f): viewer = v; form = f
        }
        let isPublic: Bool?
        switch Self.visibility(form["visibility"]) {
        case .success(let given): isPublic = given
        case .failure(let refusal): return Self.page(refusal, form: form)
        }
        // Absent: leave the description; sent empty: remove it.
        let description: String?? = form["description"].map { Optional($0) }
        switch try await update(user: viewer.user, id: id, name: form["name"], description: description, isPublic: isPublic) {
        case .success(let collection): return .seeOther(AccountPages.localPath(form["return"]) ?? "/collections/\(collection.id)")
        case .failure(let refusal): return Self.page(refusal, form: form)
        }
    }

    /// `POST /collections/{id}/delete`.
    func formDelete(_ request: Request, id: String) async throws -> BufferedResponse {
        let viewer: Viewer
        switch try await signedInForm(request) {
        case .refused(let answer): return answer
        case .accepted(let v, _): viewer = v
        }
        switch try await delete(user: viewer.user, id: id) {
        case .success: return .seeOther("/collections")
        case .failure(let refusal): return Self.page(refusal, form: nil)
        }
    }

    /// `POST /collections/{id}/papers`: saves `paper`, then back to `return`.
    func formAdd(_ request: Request, id: String) async throws -> BufferedResponse {
        let viewer: Viewer, form: FormFields
        switch try await signedInForm(request) {
        case .refused(let answer): return answer
        case .accepted(let v, let f): viewer = v; form = f
        }
        switch try await add(user: viewer.user, id: id, paper: form["paper"]) {
        case .success(let collection): return .seeOther(AccountPages.localPath(form["return"]) ?? "/collections/\(collection.id)")
        case .failure(let refusal): return Self.page(refusal, form: form)
        }
    }

    /// `POST /collections/{id}/papers/remove`: takes `paper` out, then back to `return`.
    func formRemove(_ request: Request, id: String) async throws -> BufferedResponse {
        let viewer: Viewer, form: FormFields
        switch try await signedInForm(request) {
        case .refused(let answer): return answer
        case .accepted(let v, let f): viewer = v; form = f
        }
        switch try await remove(user: viewer.user, id: id, paper: form["paper"]) {
        case .success(let collection): return .seeOther(AccountPages.localPath(form["return"]) ?? "/collections/\(collection.id)")
        case .failure(let refusal): return Self.page(refusal, form: form)
        }
    }

    /// The checks every collection form shares (`SignedInForm`); anonymous readers are sent to
    /// log in and come back to their collections.
    private func signedInForm(_ request: Request) async throws -> SignedInForm {
        try await SignedInForm.read(request, limit: configuration.maxFormBytes, anonymous: .seeOther("/login?next=%2Fcollections"))
    }

    /// The refusal as a page, with what was typed given back so nothing is lost.
    private static func page(_ refusal: Refusal, form: FormFields?) -> BufferedResponse {
        var body = "<h1>Collection not changed</h1><p class=\"notice\" role=\"alert\">\(HTML.escape(refusal.message))</p>"
        let typed = [("Name", form?["name"]), ("Description", form?["description"])].compactMap { label, text in
            text.flatMap { $0.isEmpty ? nil : (label, $0) }
        }
        for (label, text) in typed {
            body += "<p>\(label) as you typed it:</p><textarea class=\"kept\" rows=\"3\" readonly aria-label=\"\(label)\">\(HTML.escape(text))</textarea>"
        }
        let back = AccountPages.localPath(form?["return"]) ?? "/collections"
        body += "<p><a href=\"\(HTML.escape(back))\">Go back</a> and try again.</p>"
        var answer = HTML.page(title: "Collection not changed", body: body, status: refusal.status)
        if let seconds = refusal.retryAfter { answer.headers[.retryAfter] = String(seconds) }
        return answer
    }

    // MARK: API

    /// `POST /api/collections`: `{"name": "...", "description": "...", "public": false, "paperId": "2501.01234"}`
    /// (all but name optional). Answers 201 with the collection.
    func apiCreate(_ request: Request) async throws -> BufferedResponse {
        let user: User, input: APIInput
        switch try await apiRequest(request) {
        case .failure(let refusal): return refusal.json
        case .success(let accepted): (user, input) = accepted
        }
        switch try await create(
            user: user, name: input.name, description: input.description ?? nil, isPublic: input.isPublic ?? false, paper: input.paperId)
        {
        case .success(let collection):
            var answer = Self.json(collection, status: .created)
            answer.headers[.location] = "/api/collections/\(collection.id)"
            return answer
        case .failure(let refusal): return refusal.json
        }
    }

    /// `PATCH /api/collections/{id}`: any of `name`, `description` (null or "" removes it), `public`.
    func apiUpdate(_ request: Request, id: String) async throws -> BufferedResponse {
        let user: User, input: APIInput
        switch try await apiRequest(request) {
        case .failure(let refusal): return refusal.json
        case .success(let accepted): (user, input) = accepted
        }
        switch try await update(user: user, id: id, name: input.name, description: input.description, isPublic: input.isPublic) {
        case .success(let collection): return Self.json(collection, status: .ok)
        case .failure(let refusal): return refusal.json
        }
    }

    /// `DELETE /api/collections/{id}`: 204 when deleted.
    func apiDelete(_ request: Request, id: String) async throws -> BufferedResponse {
        guard let user = try await SubmitHandlers.bearerUser(request, store: community) else { return Self.unknownToken(request) }
        switch try await delete(user: user, id: id) {
        case .success:
            var answer = BufferedResponse(status: .noContent, contentType: "application/json; charset=utf-8", body: ByteBuffer())
            answer.headers[.cacheControl] = "no-store"
            return answer
        case .failure(let refusal): return refusal.json
        }
    }

    /// `POST` (save) or `DELETE` (take out) `/api/collections/{id}/papers/{paperId}`; answers
    /// the collection after the change. Saving a paper already there changes nothing.
    func apiPaper(_ request: Request, id: String, paper: String, adding: Bool) async throws -> BufferedResponse {
        guard let user = try await SubmitHandlers.bearerUser(request, store: community) else { return Self.unknownToken(request) }
        let result = adding ? try await add(user: user, id: id, paper: paper) : try await remove(user: user, id: id, paper: paper)
        switch result {
        case .success(let collection): return Self.json(collection, status: .ok)
        case .failure(let refusal): return refusal.json
        }
    }

    /// What a collection's JSON body may hold. `description` tells apart absent (nil: leave it)
    /// from null (`.some(nil)`: remove it); a wrong type is refused naming its field, and
    /// `public` must be a real boolean (1 or "true" are refused).
    struct APIInput: Decodable {
        var name: String?
        var description: String??
        var isPublic: Bool?
        var paperId: String?

        enum CodingKeys: String, CodingKey {
            case name, description, isPublic = "public", paperId
        }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decodeIfPresent(String.self, forKey: .name)
            description = c.contains(.description) ? .some(try c.decodeIfPresent(String.self, forKey: .description)) : .none
            isPublic = try c.decodeIfPresent(Bool.self, forKey: .isPublic)
            paperId = try c.decodeIfPresent(String.self, forKey: .paperId)
        }
    }

    /// The token's owner and the JSON body, or the refusal: 401 (no, unknown or revoked
    /// token), 413 (body too large), 400 (not a JSON object, or a field of the wrong type).
    private func apiRequest(_ request: Request) async throws -> Result<(User, APIInput), Refusal> {
        guard let user = try await SubmitHandlers.bearerUser(request, store: community) else {
            return .failure(Self.tokenRefusal(request))
        }
        var request = request
        let bytes: ByteBuffer
        do { bytes = try await request.collectBody(upTo: configuration.maxFormBytes) } catch is NIOTooManyBytesError {
            return .failure(Refusal(status: .contentTooLarge, message: "The body is larger than \(configuration.maxFormBytes) bytes."))
        }
        do {
            return .success((user, try JSONDecoder().decode(APIInput.self, from: Data(bytes.readableBytesView))))
        } catch DecodingError.typeMismatch(_, let context) where !context.codingPath.isEmpty {
            let field = context.codingPath[0].stringValue
            let expected = field == "public" ? "true or false" : field == "description" ? "a string or null" : "a string"
            return .failure(Refusal(status: .badRequest, message: "\(field): must be \(expected)."))
        } catch {
            return .failure(Refusal(
                status: .badRequest,
                message: "body: send a JSON object such as {\"name\": \"Reading list\", \"description\": \"...\", \"public\": false}."))
        }
    }

    static func tokenRefusal(_ request: Request) -> Refusal {
        Refusal(
            status: .unauthorized,
            message: request.headers[.authorization] == nil
                ? "Send a personal API token: Authorization: Bearer TOKEN (make one on /account)."
                : "The API token is unknown or has been revoked.")
    }

    private static func unknownToken(_ request: Request) -> BufferedResponse { tokenRefusal(request).json }

    static func json(_ collection: PaperCollection, status: HTTPResponse.Status) -> BufferedResponse {
        var json = JSONWriter(capacity: 512)
        write(collection, to: &json)
        var answer = DailyPapersAPI.json(json.bytes, status: status)
        answer.headers[.cacheControl] = "no-store"
        return answer
    }

    /// A collection's fields as JSON, without its papers.
    static func fields(_ c: PaperCollection, into o: inout JSONWriter) {
        o.field("id", Int(c.id))
        o.field("name", c.name)
        o.field("description", c.description)
        o.field("public", c.isPublic)
        o.key("owner")
        o.object { $0.field("name", c.owner) }
        o.field("paperCount", c.paperCount)
        o.field("createdAt", CommentPages.iso(c.createdAt))
        o.field("updatedAt", CommentPages.iso(c.updatedAt))
        o.field("url", "/collections/\(c.id)")
        if c.isPublic { o.field("feed", "/collections/\(c.id)/feed.rss") }
    }

    static func write(_ c: PaperCollection, to json: inout JSONWriter) {
        json.object { o in fields(c, into: &o) }
    }
}
