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

/// The sign-code prefilter: candidates by Hamming distance, then exact int8 scores.
@Suite struct VectorPrefilterTests {
    /// Vectors near one of a few directions, as papers cluster by topic, and queries near
    /// stored vectors.
    static func clustered(_ n: Int, dimension: Int) -> [[Float]] {
        let topics = (0..<20).map { VectorIndexTests.vector(seed: 100_000 + $0, dimension: dimension) }
        return (0..<n).map { i in
            let noise = VectorIndexTests.vector(seed: i, dimension: dimension)
            var v = zip(topics[i % topics.count], noise).map { $0 + 0.6 * $1 }
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            for j in v.indices { v[j] /= norm }
            return v
        }
    }

    @Test func findsWhatTheFullScanFinds() {
        let dimension = 128, count = 6_000
        let vectors = Self.clustered(count, dimension: dimension)
        let full = VectorIndex(dimension: dimension)
        let filtered = VectorIndex(dimension: dimension, prefilterFrom: 1_000)
        let items = vectors.enumerated().map { (VectorIndexTests.id($0), $1) }
        full.add(items)
        // In steps: the prefilter comes on at 1,000 vectors, later ones get codes as added.
        filtered.add(Array(items.prefix(900)))
        #expect(!filtered.prefilters)
        filtered.add(Array(items[900..<2_000]))
        #expect(filtered.prefilters)
        filtered.add(Array(items.dropFirst(2_000)))
        #expect(!full.prefilters)
        var overlap = 0
        for q in stride(from: 7, to: count, by: 97) {
            let query = vectors[q]
            let exact = full.nearest(to: query, k: 10)
            let found = filtered.nearest(to: query, k: 10)
            #expect(found.first?.id == VectorIndexTests.id(q), "vector \(q) finds itself")
            #expect(found.map(\.score) == found.map(\.score).sorted(by: >), "best first")
            overlap += Set(found.map(\.id)).intersection(exact.map(\.id)).count
            #expect(!filtered.nearest(to: query, k: 10, excluding: VectorIndexTests.id(q)).contains { $0.id == VectorIndexTests.id(q) })
        }
        let queries = (count - 7 + 96) / 97
        #expect(Double(overlap) / Double(queries * 10) > 0.9, "\(overlap) of \(queries * 10) of the full scan's top 10")
    }

    @Test func aReplacedVectorGetsANewSignCode() {
        let dimension = 64
        let vectors = Self.clustered(1_500, dimension: dimension)
        let index = VectorIndex(dimension: dimension, prefilterFrom: 1_000)
        index.add(vectors.enumerated().map { (VectorIndexTests.id($0), $1) })
        // Paper 5 now has paper 900's vector: a query for that vector finds both.
        index.add([(VectorIndexTests.id(5), vectors[900])])
        #expect(Set(index.nearest(to: vectors[900], k: 2).map(\.id)) == [VectorIndexTests.id(5), VectorIndexTests.id(900)])
        #expect(index.count == 1_500)
    }

    @Test func candidatesAreTwentyPerResultAndTwoPercentAtLeast() {
        #expect(VectorIndex.candidateCount(k: 10, count: 1_000_000) == 20_000)
        #expect(VectorIndex.candidateCount(k: 2_000, count: 1_000_000) == 40_000)
        #expect(VectorIndex.candidateCount(k: 100, count: 300) == 300)
    }
}

@Suite struct RankFusionTests {
    let a = ArxivID("2501.00001")!, b = ArxivID("2501.00002")!, c = ArxivID("2501.00003")!, d = ArxivID("2501.00004")!
    func ranked(_ pairs: [(ArxivID, Double)]) -> [RankedPaper] { pairs.map { RankedPaper(id: $0, score: $1) } }

    @Test func agreementBeatsOneFirstPlace() {
        // b is a close second in both lists; a and c are first in one list only.
        let fused = RankFusion.combine(keyword: ranked([(a, 10), (b, 9.5), (d, 1)]), semantic: ranked([(c, 0.8), (b, 0.78), (d, 0.3)]))
        #expect(fused.first?.id == b)
    }

    @Test func aClearLeadSurvivesAModestRankInTheOtherList() {
        // a is far ahead on keywords and third by meaning; rank fusion would put b first.
        let fused = RankFusion.combine(keyword: ranked([(a, 30), (b, 8), (c, 7), (d, 6)]), semantic: ranked([(b, 0.7), (c, 0.69), (a, 0.68), (d, 0.3)]))
        #expect(fused.map(\.id) == [a, b, c, d])
    }

    @Test func scoresAreNormalisedPerListAndMissingPapersScoreZero() {
        let fused = RankFusion.combine(keyword: ranked([(a, 4), (b, 2)]), semantic: ranked([(c, 0.9), (d, 0.5)]), keywordWeight: 0.5)
        #expect(fused.map(\.id) == [a, c, b, d], "a and c tie at 0.5, a seen first; b and d tie at 0")
        #expect(fused.map(\.score) == [0.5, 0.5, 0, 0])
        #expect(RankFusion.combine(keyword: [], semantic: []).isEmpty)
        let single = RankFusion.combine(keyword: ranked([(a, 3)]), semantic: [], keywordWeight: 0.55)
        #expect(single.map(\.score) == [0.55], "a list of one is its own best")
    }

    @Test func everyPaperOnce() {
        let fused = RankFusion.combine(keyword: ranked([(a, 3), (b, 2), (a, 1)]), semantic: ranked([(b, 0.9), (c, 0.5)]))
        #expect(fused.count == 3)
        #expect(Set(fused.map(\.id)) == [a, b, c])
    }
}
