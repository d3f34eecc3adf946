import Catalog
import Embeddings
import Foundation

/// Semantic search over the catalog for one embedding model: the papers' vectors held in memory
/// (`VectorIndex`), kept in step with the catalog, and the model that turns a query into a vector.
///
/// The catalog is the source of truth: vectors are written there (by `paperboy embed`, an import,
/// or `embedBacklog` in the server) and `refresh` copies into memory whatever was stored since it
/// last looked, whichever process stored it.
public final class SemanticIndex: Sendable {
    public let catalog: any CatalogStore
    public let embedder: SentenceEmbedder
    /// The name vectors are stored under: the model folder's name.
    public let modelName: String
    public let vectors: VectorIndex
    private let position = LockedPosition()

    /// Vectors are read from the catalog this many at a time, so loading a million stays flat.
    static let pageSize = 10_000

    public init(catalog: any CatalogStore, embedder: SentenceEmbedder, modelName: String) {
        self.catalog = catalog
        self.embedder = embedder
        self.modelName = modelName
        self.vectors = VectorIndex(dimension: embedder.dimension)
    }

    /// Loads the vectors stored since the last call (all of them, the first time) and answers
    /// how many it loaded.
    @discardableResult
    public func refresh() async throws -> Int {
        var loaded = 0
        while true {
            let page = try await catalog.embeddings(model: modelName, after: position.value, limit: Self.pageSize)
            guard let last = page.last else { return loaded }
            if loaded == 0, position.value == nil {
                vectors.reserveCapacity(page.count < Self.pageSize ? page.count : try await catalog.paperCount())
            }
            vectors.add(page.map { ($0.id, $0.vector) })
            position.advance(to: last.position)
            loaded += page.count
            await Task.yield()
        }
    }

    /// Embeds up to `batchSize` papers of the backlog, stores their vectors and loads them;
    /// answers how many it embedded (0 when no paper waits).
    public func embedBacklog(batchSize: Int) async throws -> Int {
        let papers = try await catalog.claimPapersToEmbed(model: modelName, limit: batchSize, lease: .seconds(600))
        guard !papers.isEmpty else { return 0 }
        let computed = embedder.embed(papers.map(Self.text(of:)))
        try await catalog.storeEmbeddings(zip(papers, computed).map { ($0.id, $1) }, model: modelName)
        try await refresh()
        return papers.count
    }

    /// What is embedded of a paper: its title, then its abstract.
    public static func text(of paper: Paper) -> String { "\(paper.title). \(paper.abstract)" }

    /// The `k` papers nearest in meaning to `text`, best first.
    public func search(_ text: String, k: Int) -> [(id: ArxivID, score: Float)] {
        guard k > 0, !text.isEmpty else { return [] }
        return vectors.nearest(to: embedder.embed(text), k: k)
    }

    /// The `k` papers nearest in meaning to `paper`, best first, itself left out. A paper not
    /// embedded yet is embedded on the spot (and not stored: the backlog will store it).
    public func similar(to paper: Paper, k: Int) -> [(id: ArxivID, score: Float)] {
        let vector = vectors.vector(of: paper.id) ?? embedder.embed(Self.text(of: paper))
        return vectors.nearest(to: vector, k: k, excluding: paper.id)
    }
}

private final class LockedPosition: @unchecked Sendable {
    private var stored: VectorPosition?
    private let lock = NSLock()

    var value: VectorPosition? { lock.withLock { stored } }

    func advance(to position: VectorPosition) {
        lock.withLock { if stored.map({ $0 < position }) ?? true { stored = position } }
    }
}
