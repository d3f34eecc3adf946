import Catalog

/// Merges the keyword and the semantic ranking of one query into the hybrid ranking.
///
/// A convex combination of min-max normalised scores (Bruch, Gai and Ingber, "An Analysis of
/// Fusion Functions for Hybrid Retrieval", 2023): each list's scores are mapped onto 0...1
/// (its best paper 1, its last 0), a paper missing from a list gets that list's 0, and the
/// hybrid score is `keywordWeight` times the keyword part plus the rest times the semantic part.
/// Unlike reciprocal rank fusion, it keeps the margins: a paper far ahead on BM25 stays ahead
/// when its semantic rank is merely good. On 500 tuning queries, disjoint from the evaluation's,
/// MRR@10 was 0.936 against 0.909 for the best reciprocal rank fusion (k = 10), and it moved by
/// under 0.005 for weights from 0.5 to 0.6 (BENCHMARKS.md, "Search quality").
public enum RankFusion {
    /// The keyword list's share of the hybrid score, chosen on the tuning queries.
    public static let keywordWeight = 0.55

    /// Both lists' papers, best hybrid score first; ties keep the order of first appearance
    /// (keyword list first).
    public static func combine(keyword: [RankedPaper], semantic: [RankedPaper], keywordWeight: Double = RankFusion.keywordWeight) -> [RankedPaper] {
        var scores: [ArxivID: Double] = [:]
        var order: [ArxivID] = []
        for (list, weight) in [(keyword, keywordWeight), (semantic, 1 - keywordWeight)] {
            for (id, normalised) in normalise(list) {
                if scores[id] == nil { order.append(id) }
                scores[id, default: 0] += weight * normalised
            }
        }
        let firstSeen = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
        return order.map { RankedPaper(id: $0, score: scores[$0]!) }.sorted { a, b in
            a.score != b.score ? a.score > b.score : firstSeen[a.id]! < firstSeen[b.id]!
        }
    }

    /// The list's scores mapped onto 0...1 by its lowest and highest; all 1 when they are equal
    /// (a list of one, or of ties). A paper listed twice counts once, at its first place.
    static func normalise(_ list: [RankedPaper]) -> [(ArxivID, Double)] {
        guard let high = list.map(\.score).max(), let low = list.map(\.score).min() else { return [] }
        var seen = Set<ArxivID>()
        return list.filter { seen.insert($0.id).inserted }.map { ($0.id, high > low ? ($0.score - low) / (high - low) : 1) }
    }
}
