import Catalog

/// How a search ranks papers.
public enum SearchMode: String, Sendable, CaseIterable {
    /// BM25 over title, authors and abstract: papers that contain the words.
    case keyword
    /// Nearest sentence embeddings: papers that mean what the query means.
    case semantic
    /// Both lists merged by their normalised scores (`RankFusion`). The default.
    case hybrid
}

/// What a search found, and how.
public struct SearchResults: Sendable {
    public var hits: [SearchHit]
    /// The mode that ran, which differs from the one asked when semantic search is unavailable.
    public var mode: SearchMode
    /// A sentence for the reader when the results are not what was asked (a fallback).
    public var notice: String?
    /// Whether more results follow this page.
    public var hasMore: Bool
}

/// The search behind the search page and `/api/papers/search`: keyword, semantic or hybrid
/// over the catalog, with the filters of `SearchQuery` applied in every mode.
public struct PaperSearch: Sendable {
    public let catalog: any CatalogStore
    /// Nil when no embedding model is installed: every search is then a keyword search.
    public let semantic: SemanticIndex?

    /// Semantic and hybrid results go this deep; deeper pages are empty. (A reader never pages
    /// that far, and fusion needs whole lists.)
    public static let maxDepth = 1_000
    /// Each list fused in hybrid mode holds at least this many papers, so a paper ranked well by
    /// one method and modestly by the other still rises.
    public static let fusionDepth = 100
    /// Semantic matches less similar than this are dropped. With MiniLM, texts on unrelated
    /// subjects score 0 to 0.15 (a recipe or a random string against ML papers), a query on a
    /// paper's subject 0.3 and up: without a floor, nonsense would find "nearest" papers when
    /// the honest answer is none.
    public static let minimumSimilarity: Float = 0.2

    /// The keyword list's share of a hybrid score (`RankFusion`); settable for tuning.
    public var keywordWeight = RankFusion.keywordWeight

    public init(catalog: any CatalogStore, semantic: SemanticIndex?) {
        self.catalog = catalog
        self.semantic = semantic
    }

    public func search(_ text: String, mode asked: SearchMode = .hybrid, limit: Int, offset: Int = 0) async throws -> SearchResults {
        let query = SearchQuery(parsing: text)
        guard !query.isEmpty, limit > 0 else { return SearchResults(hits: [], mode: asked, notice: nil, hasMore: false) }
        var mode = asked
        var notice: String?
        if mode != .keyword {
            if query.semanticText.isEmpty {
                mode = .keyword  // filters alone: nothing to mean, the keyword engine lists them
            } else if semantic == nil {
                mode = .keyword
                notice = "Semantic search is off on this server (no embedding model is installed), so these are keyword results."
            } else if semantic?.vectors.count == 0 {
                mode = .keyword
                notice = "Semantic search has no paper vectors yet (they are being computed), so these are keyword results."
            }
        }
        let wanted = offset + limit + 1  // one more than the page, to tell whether another follows
        // Rankings are ids and scores only; the papers and their marks are fetched for the
        // page shown, not for the whole depth that paging and fusion need.
        let ranked: [RankedPaper]
        var hasMore: Bool
        switch mode {
        case .keyword:
            ranked = try await keywordRanking(query, count: wanted)
            hasMore = ranked.count > offset + limit
        case .semantic, .hybrid:
            guard offset < Self.maxDepth, let semantic else { return SearchResults(hits: [], mode: mode, notice: notice, hasMore: false) }
            let depth = min(wanted, Self.maxDepth)
            let fused = mode == .hybrid ? max(depth, Self.fusionDepth) : depth
            // In hybrid mode the two searches run side by side: each is mostly one core's work.
            async let words = mode == .hybrid ? keywordRanking(query, count: fused) : []
            let meaning = try await semanticRanking(query, count: fused, index: semantic)
            ranked = mode == .hybrid ? RankFusion.combine(keyword: try await words, semantic: meaning, keywordWeight: keywordWeight) : meaning
            hasMore = ranked.count > offset + limit && offset + limit < Self.maxDepth
        }
        let hits = try await catalog.hits(for: Array(ranked.dropFirst(offset).prefix(limit)), of: query)
        return SearchResults(hits: hits, mode: mode, notice: notice, hasMore: hasMore)
    }

    /// The keyword ranking, best first: papers with every word, then, when those run short,
    /// papers with only some of them (still BM25-ranked, after all the others), so a long
    /// natural-language query is not left empty.
    func keywordRanking(_ query: SearchQuery, count: Int) async throws -> [RankedPaper] {
        let ranked = try await catalog.searchRanking(query, limit: count, offset: 0)
        guard ranked.count < count, query.words.count + query.phrases.count > 1 else { return ranked }
        var relaxed = query
        relaxed.matchAnyWord = true
        let have = Set(ranked.map(\.id))
        let more = try await catalog.searchRanking(relaxed, limit: count, offset: 0).filter { !have.contains($0.id) }
        // Listed after every paper that has all the words, with their own BM25 scores: fusion
        // reads those (on 500 tuning queries, MRR 0.936 against 0.924 with the scores pushed
        // below the others').
        return ranked + more.prefix(count - ranked.count)
    }

    /// The papers nearest in meaning to the query's words that pass its filters, best first,
    /// scored by cosine similarity. With filters, more neighbours are drawn than needed and
    /// checked against the papers, since some will not pass.
    private func semanticRanking(_ query: SearchQuery, count: Int, index: SemanticIndex) async throws -> [RankedPaper] {
        let filtered = query.hasFilters
        let nearest = index.search(query.semanticText, k: filtered ? min(count * 10, 20_000) : count)
            .filter { $0.score >= Self.minimumSimilarity }
            .map { RankedPaper(id: $0.id, score: Double($0.score)) }
        guard filtered else { return nearest }
        let admitted = Set(try await catalog.papers(ids: nearest.map(\.id)).filter(query.admits).map(\.id))
        return Array(nearest.filter { admitted.contains($0.id) }.prefix(count))
    }

    /// How many of a title's words find similar papers without a model: its rarest ones.
    static let similarTitleWords = 3
    /// Title words found in this many papers or more say too little to find similar papers by,
    /// and counting them costs a row each.
    static let similarWordLimit = 500

    /// The papers nearest in meaning to `paper`, best first. Without a model (or before the
    /// vectors exist), the papers that share the most of its title's rarest words (found in
    /// another paper too, and in fewer than 500), by BM25:
    /// ranking every paper that shares any title word cost 3 to 80 ms a page.
    public func similar(to paper: Paper, limit: Int) async throws -> [Paper] {
        if let semantic, semantic.vectors.count > 0 {
            return try await catalog.papers(ids: semantic.similar(to: paper, k: limit).map(\.id))
        }
        var query = SearchQuery(parsing: paper.title)
        query.matchAnyWord = true
        query.keepRarestWords = Self.similarTitleWords
        query.rareWordsFoundInAtLeast = 2  // a word only this paper has finds nothing like it
        query.commonWordLimit = Self.similarWordLimit
        let ranked = try await catalog.searchRanking(query, limit: limit + 1, offset: 0).filter { $0.id != paper.id }
        return try await catalog.papers(ids: ranked.prefix(limit).map(\.id))
    }
}
