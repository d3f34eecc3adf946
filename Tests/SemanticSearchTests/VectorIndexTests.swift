import Catalog
import Foundation
import Testing

@testable import SemanticSearch

/// The quantised in-memory index against exact Float arithmetic.
@Suite struct VectorIndexTests {
    static func id(_ n: Int) -> ArxivID { ArxivID(String(format: "2501.%05d", n))! }

    /// A deterministic pseudo-random unit vector (a linear congruential generator: the test
    /// must not depend on the system's random source).
    static func vector(seed: Int, dimension: Int) -> [Float] {
        var state = UInt64(truncatingIfNeeded: seed) &* 6364136223846793005 &+ 1442695040888963407
        var v = (0..<dimension).map { _ -> Float in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int64(bitPattern: state >> 11) % 2001 - 1000) / 1000
        }
        let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        for i in v.indices { v[i] /= norm }
        return v
    }

    static func dot(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }

    @Test func nearestAgreesWithExactCosine() {
        let index = VectorIndex(dimension: 64)
        let vectors = (0..<500).map { Self.vector(seed: $0, dimension: 64) }
        index.add(vectors.enumerated().map { (Self.id($0), $1) })
        let query = Self.vector(seed: 9_999, dimension: 64)
        let exact = vectors.enumerated().map { ($0, Self.dot($1, query)) }.sorted { $0.1 > $1.1 }
        let found = index.nearest(to: query, k: 5)
        #expect(found.count == 5)
        #expect(found.first?.id == Self.id(exact[0].0), "the best match survives quantisation")
        for hit in found {
            let n = Int(hit.id.value.suffix(5))!
            #expect(abs(hit.score - Self.dot(vectors[n], query)) < 0.02, "score \(hit.score) is the cosine, nearly")
        }
        #expect(zip(found, found.dropFirst()).allSatisfy { $0.score >= $1.score }, "best first")
    }

    @Test func replacingExcludingAndEdgeCases() {
        let index = VectorIndex(dimension: 4)
        index.add([(Self.id(1), [1, 0, 0, 0]), (Self.id(2), [0, 1, 0, 0]), (Self.id(3), [0, 0, 1, 0])])
        #expect(index.nearest(to: [0, 0, 1, 0], k: 1).map(\.id) == [Self.id(3)])
        index.add([(Self.id(3), [0, 1, 0, 0]), (Self.id(1), [0, 0, 1, 0])])
        #expect(index.count == 3, "a paper's new vector replaces its old one")
        #expect(index.nearest(to: [0, 0, 1, 0], k: 1).map(\.id) == [Self.id(1)])
        #expect(index.nearest(to: [0, 0, 1, 0], k: 1, excluding: Self.id(1)).first?.id != Self.id(1))
        #expect(index.nearest(to: [1, 1, 1, 1], k: 10).count == 3, "k beyond the count gives them all")
        #expect(index.nearest(to: [1, 0, 0], k: 3).isEmpty, "a query of the wrong length finds nothing")
        #expect(index.nearest(to: [1, 0, 0, 0], k: 0).isEmpty)
        index.add([(Self.id(4), [1, 2, 3])])
        #expect(index.count == 3, "a vector of the wrong length is not taken")
        #expect(index.vector(of: Self.id(2)) == [0, 1, 0, 0])
        #expect(VectorIndex(dimension: 4).nearest(to: [1, 0, 0, 0], k: 3).isEmpty)
    }

    /// Above `parallelThreshold` the scan is split in two: the winners, and the row left out,
    /// must be the same wherever they fall.
    @Test func splitScanFindsWinnersInEitherHalf() {
        let dimension = 16
        let count = VectorIndex.parallelThreshold + 10_000
        let index = VectorIndex(dimension: dimension)
        index.add((0..<count).map { (Self.id($0), Self.vector(seed: $0, dimension: dimension)) })
        for planted in [3, count / 2 - 1, count / 2, count - 1] {
            let query = Self.vector(seed: planted, dimension: dimension)
            #expect(index.nearest(to: query, k: 3).first?.id == Self.id(planted), "row \(planted) finds itself")
            #expect(!index.nearest(to: query, k: 3, excluding: Self.id(planted)).contains { $0.id == Self.id(planted) })
        }
    }
}

@Suite struct RankFusionTests {
    let a = ArxivID("2501.00001")!, b = ArxivID("2501.00002")!, c = ArxivID("2501.00003")!, d = ArxivID("2501.00004")!

    @Test func agreementBeatsOneFirstPlace() {
        // b is second in both lists; a and c are first in one list only and absent from the other.
        #expect(RankFusion.fuse([[a, b], [c, b]]).first == b)
    }

    @Test func everyPaperOnceAndTiesInOrderOfAppearance() {
        let fused = RankFusion.fuse([[a, b, c], [d, c]])
        #expect(fused.count == 4)
        #expect(Set(fused) == [a, b, c, d])
        #expect(fused == [c, a, d, b], "c: 1/13 + 1/12; a: 1/11; d: 1/11 (a first seen first); b: 1/12")
        #expect(RankFusion.fuse([]).isEmpty)
    }
}
