/// The storage protocol every backend implements (SQLite now, PostgreSQL later). Callers, from
/// importers to web handlers, only ever see this protocol.
public protocol CatalogStore: Sendable {
    /// Brings the schema up to date; safe to call on every start.
    func migrate() async throws
    /// Names of the schema migrations applied so far, oldest first.
    func appliedMigrations() async throws -> [String]

    /// Applies a batch of changes in one transaction, with the merge rules of `merge(stored:with:)`,
    /// and records `checkpoint` in the same transaction so a resumed import starts after the batch.
    /// Either the whole batch lands or none of it does.
    func apply(_ changes: [CatalogChange], checkpoint: ImportCheckpoint?) async throws -> ImportCounts

    func paper(_ id: ArxivID) async throws -> Paper?
    /// The papers with these ids, in the order given; absent and deleted ones are left out.
    func papers(ids: [ArxivID]) async throws -> [Paper]
    func papers(_ query: PaperQuery) async throws -> [Paper]
    /// Number of papers, deleted ones excluded.
    func paperCount() async throws -> Int
    /// A number that changes whenever a batch adds, changes or removes papers, whichever
    /// process wrote it: answers computed from the catalog stay valid while it stays the same.
    func contentVersion() async throws -> Int
    /// The nearest featured days outside `from...through`: the last one before, the first after.
    func featuredDays(around from: String, through: String) async throws -> (before: String?, after: String?)

    /// Keyword search, best match first: the papers' ids and relevance (BM25, higher is
    /// better), nothing else, so that a deep list for fusion or paging stays cheap; `search`
    /// turns the page shown into marked hits. An empty query finds nothing; a query of filters
    /// only (`category:cs.CL`) lists matching papers newest first, with score 0.
    func searchRanking(_ query: SearchQuery, limit: Int, offset: Int) async throws -> [RankedPaper]
    /// Indexes up to `limit` papers added or changed since the search index was last brought
    /// up to date, and answers how many it indexed (0 once it is current). Imports write the
    /// catalog first and index afterwards, so a bulk load is not slowed by the index.
    func updateSearchIndex(limit: Int) async throws -> Int
    /// How many papers wait to be indexed for search.
    func searchIndexBacklog() async throws -> Int
    /// Rebuilds the keyword index from the papers, for when search looks wrong.
    func rebuildSearchIndex() async throws

    /// Up to `limit` papers that have no vector from `model` yet (new papers, papers whose title
    /// or abstract changed, or every paper after a change of model), oldest first.
    func papersToEmbed(model: String, limit: Int) async throws -> [Paper]
    /// Like `papersToEmbed`, but for a worker that will embed them: a backend shared by several
    /// processes hands each paper to one of them at a time, leaving it out of others' claims
    /// for `lease` (or until its vector is stored), so N servers embed each paper once. A
    /// worker that dies leaves its papers to be claimed again once the lease runs out.
    func claimPapersToEmbed(model: String, limit: Int, lease: Duration) async throws -> [Paper]
    /// Stores the vectors of a batch, in one transaction; they leave the queue.
    func storeEmbeddings(_ vectors: [(id: ArxivID, vector: [Float])], model: String) async throws
    /// How many papers have no vector from `model`.
    func embeddingBacklog(model: String) async throws -> Int
    /// Stored vectors of `model` in the order they were stored, starting after `position` (nil:
    /// from the first), at most `limit`, for loading into memory page by page. A reader that
    /// keeps the position of the last vector it got picks up, later, exactly the vectors stored
    /// since (a re-embedded paper comes again, with its new vector). Deleted papers are left out.
    func embeddings(model: String, after position: VectorPosition?, limit: Int) async throws -> [StoredVector]

    /// Where an interrupted import of `source` stopped, if it did.
    func checkpoint(source: String) async throws -> ImportCheckpoint?
    func clearCheckpoint(source: String) async throws

    /// Small named values that harvesters keep between runs (the last OAI-PMH harvest date).
    func state(_ key: String) async throws -> String?
    func setState(_ key: String, to value: String?) async throws

    /// Runs `job` unless a job of the same name already runs on this catalog in another process
    /// or task; answers nil, without running it, then. On a database many instances share,
    /// this is how a job started by the cron of every instance (a harvest) runs once.
    func exclusively<Result: Sendable>(_ name: String, _ job: () async throws -> Result) async throws -> Result?
}

extension CatalogStore {
    /// A catalog kept by one machine (a SQLite file) runs every job: its imports are idempotent
    /// and its writers take turns, so two harvests at once cost time, never correctness.
    public func exclusively<Result: Sendable>(_ name: String, _ job: () async throws -> Result) async throws -> Result? {
        try await job()
    }

    /// One process at a time (a SQLite file): the papers to embed, unclaimed.
    public func claimPapersToEmbed(model: String, limit: Int, lease: Duration) async throws -> [Paper] {
        try await papersToEmbed(model: model, limit: limit)
    }

    /// Keyword search as a page of hits: ranked by `searchRanking`, marked by `SearchMarker`.
    public func search(_ query: SearchQuery, limit: Int, offset: Int) async throws -> [SearchHit] {
        try await hits(for: searchRanking(query, limit: limit, offset: offset), of: query)
    }

    /// The ranked papers as hits of `query`, in the same order, with its words marked. Papers
    /// no longer in the catalog are left out.
    public func hits(for ranked: [RankedPaper], of query: SearchQuery) async throws -> [SearchHit] {
        let marker = SearchMarker(query)
        let papers = Dictionary(try await papers(ids: ranked.map(\.id)).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        return marker.hits(ranked.compactMap { r in papers[r.id].map { (paper: $0, score: r.score) } })
    }
}

/// A paper in a ranking, with its relevance (higher is better; comparable within one ranking).
public struct RankedPaper: Sendable, Equatable {
    public var id: ArxivID
    public var score: Double

    public init(id: ArxivID, score: Double) {
        self.id = id
        self.score = score
    }
}

/// A vector as stored in the catalog, with where it stands in the store order.
public struct StoredVector: Sendable {
    public var id: ArxivID
    public var vector: [Float]
    public var position: VectorPosition

    public init(id: ArxivID, vector: [Float], position: VectorPosition) {
        self.id = id
        self.vector = vector
        self.position = position
    }
}

/// A place in the order vectors were stored: the write batch, then the paper's place within it.
public struct VectorPosition: Sendable, Equatable, Comparable {
    public var batch: Int64
    public var item: Int64

    public init(batch: Int64, item: Int64) {
        self.batch = batch
        self.item = item
    }

    public static func < (a: Self, b: Self) -> Bool { (a.batch, a.item) < (b.batch, b.item) }
}

/// How far an import got: saved with each committed batch.
public struct ImportCheckpoint: Sendable, Equatable, Codable {
    /// Identifies the input: a file's path, size and modification time, for instance.
    public var source: String
    /// Bytes of the (decompressed) input consumed by committed batches.
    public var byteOffset: Int64
    /// Lines or records consumed by committed batches.
    public var recordNumber: Int

    public init(source: String, byteOffset: Int64, recordNumber: Int) {
        self.source = source
        self.byteOffset = byteOffset
        self.recordNumber = recordNumber
    }
}

/// What a batch (or a whole run) did to the catalog.
public struct ImportCounts: Sendable, Equatable, Codable {
    public var inserted = 0
    public var updated = 0
    public var unchanged = 0
    public var deleted = 0
    /// Records the merge refused (e.g. a new id without a title), with reasons.
    public var refused: [RefusedRecord] = []

    public init(inserted: Int = 0, updated: Int = 0, unchanged: Int = 0, deleted: Int = 0) {
        self.inserted = inserted
        self.updated = updated
        self.unchanged = unchanged
        self.deleted = deleted
    }

    public static func += (lhs: inout ImportCounts, rhs: ImportCounts) {
        lhs.inserted += rhs.inserted
        lhs.updated += rhs.updated
        lhs.unchanged += rhs.unchanged
        lhs.deleted += rhs.deleted
        lhs.refused += rhs.refused
    }
}

public struct RefusedRecord: Sendable, Equatable, Codable {
    public var id: ArxivID
    public var reason: String

    public init(id: ArxivID, reason: String) {
        self.id = id
        self.reason = reason
    }
}

/// A listing request. Kept deliberately small; the site issue widens it.
public struct PaperQuery: Sendable, Equatable {
    public enum Order: String, Sendable, CaseIterable {
        /// Most upvoted first.
        case upvotes
        /// Most recently featured first, then upvotes.
        case featured
        /// Newest first-version date first.
        case published
    }

    /// Only papers featured on this day (`YYYY-MM-DD`).
    public var featuredOn: String?
    /// Only papers featured from this day on, inclusive.
    public var featuredFrom: String?
    /// Only papers featured up to this day, inclusive.
    public var featuredThrough: String?
    /// Only papers whose categories include this one.
    public var category: String?
    /// Only papers submitted to the feed by this user.
    public var submittedBy: String?
    public var order: Order
    public var limit: Int
    public var offset: Int

    public init(
        featuredOn: String? = nil, featuredFrom: String? = nil, featuredThrough: String? = nil,
        category: String? = nil, submittedBy: String? = nil, order: Order = .upvotes, limit: Int = 50, offset: Int = 0
    ) {
        self.submittedBy = submittedBy
        self.featuredOn = featuredOn
        self.featuredFrom = featuredFrom
        self.featuredThrough = featuredThrough
        self.category = category
        self.order = order
        self.limit = limit
        self.offset = offset
    }
}

/// An error a store throws when its database cannot be reached at the moment (a server down or
/// restarting, a network cut), as opposed to a bad request or a bug. The web server answers it
/// with 503 and Retry-After rather than 500, and its health check fails while it lasts: the
/// request may be tried again, and nothing was half-written.
public protocol DatabaseAvailabilityError: Error {
    var isDatabaseUnavailable: Bool { get }
}
