import Catalog
import Foundation

/// Which papers a digest shows. The candidates are the papers featured in the period, ranked
/// by the trending score (`TrendingScore`, the same as `/papers/trending`) as it stood at the
/// end of the period; each subscriber gets the first `perDigest` of those that pass their topic
/// filter, or, for "for me" subscribers, those closest to what they liked.
public struct DigestSelection: Sendable {
    /// The period's papers, best first.
    public let candidates: [Paper]
    public let perDigest: Int

    /// Most papers a period contributes; the Daily Papers feed has 10–50 a day.
    static let candidateLimit = 2_000

    /// Each candidate's title and abstract folded for keyword matching, made once per run.
    private let foldedTexts: [String]
    /// The candidates each topic filter admits, by filter, made once per run.
    private let filtered = Memo<DigestTopics, [Paper]>()

    public init(candidates: [Paper], perDigest: Int) {
        self.candidates = candidates
        self.perDigest = perDigest
        foldedTexts = candidates.map(DigestTopics.searchableText)
    }

    /// Loads and ranks the papers featured in `period`.
    public static func load(_ period: DigestPeriod, from catalog: any CatalogStore, perDigest: Int) async throws -> DigestSelection {
        let papers = try await catalog.papers(
            PaperQuery(featuredFrom: period.from, featuredThrough: period.through, order: .upvotes, limit: candidateLimit))
        // Scored at midnight after the period's last day: a weekly digest favours neither the
        // Monday papers (more time to gather votes) nor the Friday ones (less decay) unduly.
        let end = Double(DateText.dayNumber(period.through)! + 1)
        let scored: [(paper: Paper, score: Double)] = papers.map {
            ($0, TrendingScore.score(upvotes: $0.upvotes, featuredDay: $0.featuredDate, now: end))
        }
        let ranked = scored.sorted(by: Self.ranksBefore).map(\.paper)
        return DigestSelection(candidates: ranked, perDigest: perDigest)
    }

    /// Higher score first, then more upvotes, then the id, so the order never depends on the query's.
    private static func ranksBefore(_ a: (paper: Paper, score: Double), _ b: (paper: Paper, score: Double)) -> Bool {
        if a.score != b.score { return a.score > b.score }
        if a.paper.upvotes != b.paper.upvotes { return a.paper.upvotes > b.paper.upvotes }
        return a.paper.id.description < b.paper.id.description
    }

    /// The papers for one subscription: topic-filtered trending, or ranked by `taste` when the
    /// subscriber chose "for me" and has liked something.
    public func papers(for subscription: Subscription, taste: TasteProfile? = nil) -> [Paper] {
        // Subscribers with the same topics (most have none) get the same papers: filtered once.
        let admitted = filtered.value(for: subscription.topics) {
            candidates.indices
                .filter { subscription.topics.admits(candidates[$0], foldedText: foldedTexts[$0]) }
                .map { candidates[$0] }
        }
        guard subscription.forMe, let taste, !taste.isEmpty else { return Array(admitted.prefix(perDigest)) }
        // The trending rank stays as a gentle tie-breaker: among equally close papers, the
        // community's favourite comes first.
        let count = Double(max(admitted.count, 1))
        return admitted.enumerated()
            .map { index, paper in (paper, taste.closeness(to: paper) + 0.05 * (1 - Double(index) / count)) }
            .sorted { $0.1 > $1.1 }
            .prefix(perDigest)
            .map(\.0)
    }
}

/// What a reader liked, as weights over arXiv categories and title and abstract words: the
/// "for me" digest ranks the period's papers by how close they come to it. Words are weighted
/// by how rare they are among the candidates, so "model" and "learning" count for little.
public struct TasteProfile: Sendable {
    private var categories: [String: Double] = [:]
    private var words: [String: Double] = [:]
    private var norm = 0.0
    private let rarity: [String: Double]

    public var isEmpty: Bool { categories.isEmpty && words.isEmpty }

    /// `liked`: the papers the reader upvoted or saved; `candidates`: the period's papers.
    public init(liked: [Paper], candidates: [Paper]) {
        var documentFrequency: [String: Int] = [:]
        for paper in candidates {
            for word in Set(Self.words(of: paper)) { documentFrequency[word, default: 0] += 1 }
        }
        let total = Double(max(candidates.count, 1))
        rarity = documentFrequency.mapValues { log(1 + total / Double($0)) }
        for paper in liked {
            for (index, category) in paper.categories.enumerated() {
                categories[category, default: 0] += index == 0 ? 1 : 0.5
            }
            for word in Self.words(of: paper) { words[word, default: 0] += rarity[word] ?? log(1 + total) }
        }
        norm = sqrt(words.values.reduce(0) { $0 + $1 * $1 })
        let categoryTotal = categories.values.reduce(0, +)
        if categoryTotal > 0 { categories = categories.mapValues { $0 / categoryTotal } }
    }

    /// 0…about 2: the cosine of the word weights plus the share of liked categories.
    public func closeness(to paper: Paper) -> Double {
        var vector: [String: Double] = [:]
        for word in Self.words(of: paper) { vector[word, default: 0] += rarity[word] ?? 0 }
        let paperNorm = sqrt(vector.values.reduce(0) { $0 + $1 * $1 })
        var dot = 0.0
        for (word, weight) in vector { dot += weight * (words[word] ?? 0) }
        let cosine = norm > 0 && paperNorm > 0 ? dot / (norm * paperNorm) : 0
        let category = paper.categories.reduce(0) { $0 + (categories[$1] ?? 0) }
        return cosine + category
    }

    /// Lower-cased words of three letters or more from the title and abstract, without the
    /// commonest English ones.
    static func words(of paper: Paper) -> [String] {
        (paper.title + " " + paper.abstract).lowercased()
            .split(whereSeparator: { !$0.isLetter && !$0.isNumber })
            .filter { $0.count >= 3 && !stopWords.contains(String($0)) }
            .map(String.init)
    }

    static let stopWords: Set<String> = [
        "the", "and", "for", "with", "that", "this", "are", "from", "our", "which", "these", "can", "its", "has", "have",
        "not", "but", "also", "such", "their", "into", "than", "more", "both", "show", "we", "via", "using", "based",
        "paper", "propose", "proposed", "approach", "method", "results", "new", "while", "between", "over",
    ]
}
