import Catalog

/// Reciprocal rank fusion (Cormack, Clarke and Büttcher, SIGIR 2009): each list gives a paper
/// 1 / (k + rank), ranks counted from 1, and papers are ordered by the sum. It needs no
/// calibration between BM25 scores and cosine similarities, which live on unrelated scales;
/// k = 60 is the paper's constant and damps the weight of the very first places.
public enum RankFusion {
    public static let k = 60.0

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
