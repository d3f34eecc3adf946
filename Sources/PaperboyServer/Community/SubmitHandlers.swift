import ArxivClient
import Catalog
import Community
import Foundation
import Hummingbird
import Importers
import NIOConcurrencyHelpers
import NIOCore

/// Submitting a paper to the daily feed: `POST /api/papers/submit` with a personal API token,
/// and the checks the `/submit` page shares (`SubmitPages`). Each refusal names the field or the
/// rule at fault and stores nothing.
struct SubmitHandlers: Sendable {
    let catalog: any CatalogStore
    let store: any CommunityStore
    let submissions: any SubmissionStore
    /// Where metadata come from for papers the catalog lacks; nil: catalog papers only.
    let metadata: (any PaperMetadataSource)?
    let configuration: CommunityConfiguration
    let limiter: RateLimiter
    /// The server's clock, days since 1970: the day a submitted paper is featured on.
    let now: @Sendable () -> Double

    init(
        catalog: any CatalogStore, store: any CommunityStore, submissions: any SubmissionStore, metadata: (any PaperMetadataSource)?,
        configuration: CommunityConfiguration, now: @escaping @Sendable () -> Double
    ) {
        self.catalog = catalog
        self.store = store
        self.submissions = submissions
        self.metadata = metadata
        self.configuration = configuration
        limiter = RateLimiter(configuration.submitLimit)
        self.now = now
    }

    /// The longest comment kept with a submission.
    static let commentLimit = 2_000

    /// What a submitter sends, from a form or a JSON body, before any check.
    struct Fields: Sendable {
        var paperID: String?
        var comment: String?
        var override: String?
    }

    /// A submission not made: the answer's status, the message, and the field or rule at fault.
    typealias Refusal = RequestRefusal

    /// Checks `fields` and submits for `user`; answers the paper as now featured.
    func submit(_ fields: Fields, user: User) async throws -> Result<Paper, Refusal> {
        if let wait = limiter.admit("user:\(user.id)") {
            let seconds = RateLimiter.seconds(wait)
            return .failure(Refusal(status: .tooManyRequests, message: "Too many submissions; try again in \(seconds) seconds.", retryAfter: seconds))
        }
        // A banned account may not vote, and a submission carries the submitter's vote.
        if let ban = try await (store as? any CommentStore)?.ban(userID: user.id) {
            return .failure(Refusal(status: .forbidden, message: CommentError.banned(ban).description))
        }
        let text = fields.paperID?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        guard !text.isEmpty else {
            return .failure(Refusal(status: .badRequest, message: "paper_id: give an arXiv id (2501.01234) or the URL of its arXiv or Hugging Face page."))
        }
        guard let id = SubmittedPaperID.parse(text) else {
            return .failure(Refusal(
                status: .badRequest,
                message: "paper_id: '\(text.prefix(80))' is not an arXiv id (like 2501.01234 or hep-th/9901001) nor an arxiv.org or huggingface.co/papers URL."))
        }
        var comment = fields.comment?.trimmingCharacters(in: .whitespacesAndNewlines)
        if comment?.isEmpty == true { comment = nil }
        if let comment {
            guard comment.count <= Self.commentLimit else {
                return .failure(Refusal(status: .badRequest, message: "comment: at most \(Self.commentLimit) characters (got \(comment.count))."))
            }
            guard !comment.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && $0 != "\n" && $0 != "\r" && $0 != "\t" }) else {
                return .failure(Refusal(status: .badRequest, message: "comment: must not contain control characters."))
            }
        }
        let override: Bool
        switch fields.override?.lowercased() {
        case nil, "", "false", "0", "off": override = false
        case "true", "1", "on": override = true
        case let other?: return .failure(Refusal(status: .badRequest, message: "override: '\(other.prefix(20))' must be true or false."))
        }
        if override && !SubmissionRules.mayOverride(user.role) {
            let refusal = SubmissionRefusal.overrideNotAllowed
            return .failure(Refusal(status: .forbidden, message: refusal.message, rule: refusal.rule.rawValue))
        }

        var record: PaperRecord?
        if let known = try await catalog.paper(id), !known.deleted {
            record = nil
        } else {
            guard let metadata else {
                return .failure(Refusal(status: .notFound, message: "paper_id: \(id) is not in this catalog, and this server does not fetch papers from arXiv."))
            }
            do {
                guard let found = try await metadata.metadata(for: id) else {
                    return .failure(Refusal(status: .notFound, message: "paper_id: arXiv has no paper \(id). Check the id."))
                }
                record = found
            } catch let unavailable as MetadataUnavailable {
                return .failure(Refusal(
                    status: .badGateway,
                    message: "The arXiv API could not be reached for \(id) (\(unavailable.reason)). Nothing was saved; try again later."))
            }
        }

        let request = SubmissionRequest(paper: id, user: user, comment: comment, override: override, now: now())
        switch try await submissions.submit(request, metadata: record, rules: configuration.submissionRules) {
        case .submitted(var paper):
            // As on hf.co, the submitter's upvote comes with the submission.
            if let tally = try await store.setVote(userID: user.id, paper: id, voted: true, at: Date()) { paper.upvotes = tally.upvotes }
            return .success(paper)
        case .refused(let refusal):
            let suffix = SubmissionRules.mayOverride(user.role) && refusal.rule != .overrideNotAllowed
                ? " As a \(user.role.rawValue), you may submit it anyway with override=true." : ""
            return .failure(Refusal(status: .unprocessableContent, message: refusal.message + suffix, rule: refusal.rule.rawValue))
        case .unknownPaper:
            return .failure(Refusal(status: .notFound, message: "paper_id: \(id) is not in this catalog."))
        }
    }

    // MARK: The API

    /// `POST /api/papers/submit`, `Authorization: Bearer TOKEN`, with a JSON body
    /// (`{"paper_id": "...", "comment": "...", "override": true}`) or a form-encoded one.
    func apiSubmit(_ request: Request) async throws -> BufferedResponse {
        guard let user = try await Self.bearerUser(request, store: store) else {
            return VoteHandlers.unauthorized(
                request.headers[.authorization] == nil
                    ? "Send a personal API token: Authorization: Bearer TOKEN (make one on /account)."
                    : "The API token is unknown or has been revoked.")
        }
        var request = request
        let body: ByteBuffer
        do { body = try await request.collectBody(upTo: configuration.maxFormBytes) } catch is NIOTooManyBytesError {
            return Refusal(status: .contentTooLarge, message: "The body is larger than \(configuration.maxFormBytes) bytes.").json
        }
        let fields: Fields
        if request.headers[.contentType]?.lowercased().contains("application/json") == true {
            switch Self.jsonFields(body) {
            case .success(let parsed): fields = parsed
            case .failure(let refusal): return refusal.json
            }
        } else {
            let form = FormFields(String(buffer: body))
            fields = Fields(paperID: form["paper_id"], comment: form["comment"], override: form["override"])
        }
        switch try await submit(fields, user: user) {
        case .success(let paper):
            var json = JSONWriter()
            HubJSON.paper(paper, into: &json)
            var answer = DailyPapersAPI.json(json.bytes, status: .created)
            answer.headers[.location] = "/api/papers/\(paper.id.value)"
            answer.headers[.cacheControl] = "no-store"
            return answer
        case .failure(let refusal):
            return refusal.json
        }
    }

    /// A JSON body's fields; `override` may be a boolean or a string.
    static func jsonFields(_ body: ByteBuffer) -> Result<Fields, Refusal> {
        let bad = Refusal(status: .badRequest, message: "body: send a JSON object such as {\"paper_id\": \"2501.01234\", \"comment\": \"...\"}.")
        guard let object = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any] else { return .failure(bad) }
        func text(_ name: String) -> Result<String?, Refusal> {
            switch object[name] {
            case nil, is NSNull: return .success(nil)
            case let value as String: return .success(value)
            default: return .failure(Refusal(status: .badRequest, message: "\(name): must be a string."))
            }
        }
        var fields = Fields()
        switch text("paper_id") { case .success(let v): fields.paperID = v; case .failure(let r): return .failure(r) }
        switch text("comment") { case .success(let v): fields.comment = v; case .failure(let r): return .failure(r) }
        switch object["override"] {
        case nil, is NSNull: break
        case let value as Bool: fields.override = value ? "true" : "false"
        case let value as String: fields.override = value
        default: return .failure(Refusal(status: .badRequest, message: "override: must be true or false."))
        }
        return .success(fields)
    }

    /// The owner of the request's live API token, if it carries one.
    static func bearerUser(_ request: Request, store: any CommunityStore) async throws -> User? {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else { return nil }
        let token = header.dropFirst("bearer ".count).trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty, token.utf8.count <= 200 else { return nil }
        return try await store.user(apiTokenDigest: SecretToken.digest(token))
    }
}

/// Paper metadata from the arXiv API (`/api/query?id_list=…`), one paper per request, for
/// papers submitted before the catalog has them. A person waits on the answer, so it tries
/// twice with a short time-out rather than harvesting's patient retries; requests from the
/// whole server are still spaced as arXiv asks of robots.
struct ArxivMetadataFetcher: PaperMetadataSource {
    let endpoint: String
    let spacing: Duration
    /// The time-out of one attempt.
    let timeout: Duration
    private let lastStart = NIOLockedValueBox<ContinuousClock.Instant?>(nil)

    init(endpoint: String, spacing: Duration = .seconds(3), timeout: Duration = .seconds(10)) {
        self.endpoint = endpoint
        self.spacing = spacing
        self.timeout = timeout
    }

    func url(for id: ArxivID) -> String {
        ArxivAPIHarvester.url(endpoint: endpoint, query: .ids([id]), start: 0, pageSize: 1)
    }

    func metadata(for id: ArxivID) async throws -> PaperRecord? {
        // Takes the next free slot, so concurrent submissions queue instead of bursting.
        let clock = ContinuousClock()
        let start = lastStart.withLockedValue { last -> ContinuousClock.Instant in
            let now = clock.now
            let slot = last.map { max(now, $0.advanced(by: spacing)) } ?? now
            last = slot
            return slot
        }
        if start > clock.now { try await Task.sleep(until: start, clock: clock) }

        var policy = PoliteHTTPClient.Policy()
        policy.maxAttempts = 2
        policy.initialBackoff = .seconds(1)
        policy.timeout = timeout
        // arXiv answers 503 with a Retry-After when busy; a person will not wait minutes.
        policy.maxWait = .seconds(5)
        policy.maxBodyBytes = 4 << 20
        // A client per lookup, shut down after: submissions of unknown papers are rare, and an
        // HTTP client must never outlive its shutdown.
        let client = PoliteHTTPClient(policy: policy)
        let address = url(for: id)
        let body: [UInt8]
        do {
            body = try await client.get(address)
            try await client.shutdown()
        } catch {
            try? await client.shutdown()
            throw MetadataUnavailable(reason: "\(error)")
        }
        do {
            let reader = AtomFeedReader(ByteReader.bytes(body, name: address))
            while let item = try reader.next() {
                // arXiv answers an unknown id with an empty feed, or with an entry without a title.
                if case .change(.upsert(let record)) = item.kind, record.id == id, record.title?.isEmpty == false { return record }
            }
            return nil
        } catch ImportError.remote {
            // The API reports an id it cannot look up as an error entry.
            return nil
        } catch {
            throw MetadataUnavailable(reason: "unreadable answer: \(error)")
        }
    }
}
