import Catalog

/// Reciprocal rank fusion (Cormack, Clarke and Büttcher, SIGIR 2009): each list gives a paper
/// 1 / (k + rank), ranks counted from 1, and papers are ordered by the sum. It needs no
/// calibration between BM25 scores and cosine similarities, which live on unrelated scales.
/// The paper's k = 60 flattens the top of each list; k = 10 keeps a clear first place from one
/// method first, which gave the best MRR on a tuning set of 500 title queries disjoint from the
/// evaluation's (BENCHMARKS.md, "Search quality").
public enum RankFusion {
    public static let k = 10.0

    /// The papers of all lists, best fused score first; ties keep the order of first appearance.
    public static func fuse(_ lists: [[ArxivID]], k: Double = RankFusion.k) -> [ArxivID] {
        var scores: [ArxivID: Double] = [:]
        var order: [ArxivID] = []
        for list in lists {
            for (rank, id) in list.enumerated() {
                if scores[id] == nil { order.append(id) }
                scores[id, default: 0] += 1 / (k + Double(rank + 1))
            }
        }
        let firstSeen = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
        return order.sorted { a, b in
            let sa = scores[a]!, sb = scores[b]!
            return sa != sb ? sa > sb : firstSeen[a]! < firstSeen[b]!
        }
    }
}
