import CVectorKernels
import Catalog
import Foundation

/// Paper vectors held in memory for nearest-neighbour search, quantised to one signed byte per
/// dimension plus one scale per vector: 384 + 4 bytes a paper with MiniLM, so a million papers
/// fit in about 400 MB where Float32 would take 1.5 GB. Search is an exact scan of the codes (a
/// few milliseconds per million on two cores with the vectorised kernel in `CVectorKernels`);
/// BENCHMARKS.md reports what quantising costs in recall against the Float32 vectors.
///
/// From `prefilterFrom` vectors on, a search first picks candidates by the sign bits of each
/// vector (less the mean vector), by Hamming distance, a scan of 48 bytes a paper instead of 384,
/// and scores only those exactly; BENCHMARKS.md reports what that costs in recall too.
///
/// Thread-safe: any number of searches run at once; adding vectors waits for them.
public final class VectorIndex: @unchecked Sendable {
    public let dimension: Int

    // Guarded by `lock`. Row r holds codes[r*dimension ..< (r+1)*dimension] and scales[r].
    private var ids: [ArxivID] = []
    private var rowOfID: [ArxivID: Int] = [:]
    private var codes: [Int8] = []
    private var scales: [Float] = []
    /// Sign codes, `signWords` words a row, once the prefilter is on (`center` set).
    private var signs: [UInt64] = []
    /// The mean of the vectors held when the prefilter came on: signs are taken around it, since
    /// a model's vectors share a common direction that would otherwise fix many bits for all.
    private var center: [Float]?
    private let lock = ReadWriteLock()
    private let signWords: Int
    /// The most vectors `reserveCapacity` made room for.
    private var reserved = 0

    /// Below this many vectors a search runs on the calling thread; above, it is split in two.
    static let parallelThreshold = 50_000
    /// From this many vectors on, searches go through the sign-code prefilter.
    public let prefilterFrom: Int

    /// - Parameter prefilterFrom: the catalog size from which a search scores only the
    ///   candidates its sign codes pick (below it, every vector is scored).
    public init(dimension: Int, prefilterFrom: Int = 200_000) {
        precondition(dimension > 0, "a vector has at least one dimension")
        self.dimension = dimension
        self.prefilterFrom = prefilterFrom
        signWords = (dimension + 63) / 64
    }

    /// How many candidates the prefilter passes on for `k` results out of `count` vectors: 20
    /// per result, and at least 2% of the vectors, which kept about 98% of the exact top 10 on
    /// the real papers' vectors.
    public static func candidateCount(k: Int, count: Int) -> Int { min(count, max(20 * k, count / 50)) }

    public var count: Int { lock.reading { ids.count } }

    /// Memory held by the vectors and their bookkeeping, approximately, in bytes.
    public var memoryBytes: Int {
        lock.reading { codes.capacity + scales.capacity * 4 + signs.capacity * 8 + ids.capacity * 16 + rowOfID.capacity * 24 }
    }

    /// Whether searches go through the sign-code prefilter (`prefilterFrom` reached).
    public var prefilters: Bool { lock.reading { center != nil } }

    public func contains(_ id: ArxivID) -> Bool { lock.reading { rowOfID[id] != nil } }

    /// Adds vectors, replacing the one already held for the same paper. Vectors must have
    /// `dimension` values; others are skipped (they come from a different model).
    public func add(_ vectors: [(id: ArxivID, vector: [Float])]) {
        let quantised = vectors.compactMap { item -> (ArxivID, [Int8], Float)? in
            guard item.vector.count == dimension else { return nil }
            let (codes, scale) = Self.quantise(item.vector)
            return (item.id, codes, scale)
        }
        lock.writing {
            for (id, itemCodes, scale) in quantised {
                let row: Int
                if let held = rowOfID[id] {
                    row = held
                    codes.replaceSubrange(row * dimension..<(row + 1) * dimension, with: itemCodes)
                    scales[row] = scale
                } else {
                    row = ids.count
                    rowOfID[id] = row
                    ids.append(id)
                    codes.append(contentsOf: itemCodes)
                    scales.append(scale)
                    if center != nil { signs.append(contentsOf: repeatElement(0, count: signWords)) }
                }
                if let center { writeSigns(row: row, center: center) }
            }
            if center == nil, ids.count >= prefilterFrom { startPrefilter() }
        }
    }

    /// Turns the prefilter on: the mean of the vectors held, and every row's sign code.
    private func startPrefilter() {
        var sum = [Double](repeating: 0, count: dimension)
        for row in 0..<ids.count {
            let scale = Double(scales[row])
            for i in 0..<dimension { sum[i] += Double(codes[row * dimension + i]) * scale }
        }
        let mean = sum.map { Float($0 / Double(ids.count)) }
        center = mean
        signs = []
        signs.reserveCapacity(max(reserved, ids.count) * signWords)
        signs.append(contentsOf: repeatElement(0, count: ids.count * signWords))
        for row in 0..<ids.count { writeSigns(row: row, center: mean) }
    }

    private func writeSigns(row: Int, center: [Float]) {
        let scale = scales[row]
        let code = Self.signCode((0..<dimension).map { Float(codes[row * dimension + $0]) * scale }, center: center)
        for w in 0..<signWords { signs[row * signWords + w] = code[w] }
    }

    /// Bit i is set when vector[i] is above center[i].
    static func signCode(_ vector: [Float], center: [Float]) -> [UInt64] {
        var words = [UInt64](repeating: 0, count: (vector.count + 63) / 64)
        for i in vector.indices where vector[i] > center[i] { words[i / 64] |= 1 << UInt64(i % 64) }
        return words
    }

    /// Makes room for `count` vectors in all, so a bulk load does not copy as it grows.
    public func reserveCapacity(_ count: Int) {
        lock.writing {
            ids.reserveCapacity(count)
            rowOfID.reserveCapacity(count)
            codes.reserveCapacity(count * dimension)
            scales.reserveCapacity(count)
            reserved = max(reserved, count)
            if count >= prefilterFrom { signs.reserveCapacity(count * signWords) }
        }
    }

    /// The `k` papers whose vectors are nearest to `query` (cosine similarity, for unit vectors),
    /// best first, leaving out `excluding`.
    public func nearest(to query: [Float], k: Int, excluding: ArxivID? = nil) -> [(id: ArxivID, score: Float)] {
        guard query.count == dimension, k > 0 else { return [] }
        let (queryCodes, queryScale) = Self.quantise(query)
        return lock.reading {
            let count = ids.count
            guard count > 0 else { return [] }
            let skip = excluding.flatMap { rowOfID[$0] }
            let parts = count >= Self.parallelThreshold ? 2 : 1
            let results = ScanResults(parts: parts, k: k)
            let querySigns = center.map { Self.signCode(query, center: $0) } ?? []
            let candidates = center == nil ? 0 : Self.candidateCount(k: k, count: count)
            codes.withUnsafeBufferPointer { allCodes in
                scales.withUnsafeBufferPointer { allScales in
                    signs.withUnsafeBufferPointer { allSigns in
                        queryCodes.withUnsafeBufferPointer { q in
                            querySigns.withUnsafeBufferPointer { qs in
                                // Read-only views, valid until these closures return;
                                // concurrentPerform returns only once every part is done.
                                let scan = Scan(
                                    codes: allCodes.baseAddress!, scales: allScales.baseAddress!, query: q.baseAddress!,
                                    signs: allSigns.baseAddress, querySigns: qs.baseAddress, signWords: signWords, candidates: candidates,
                                    dimension: dimension, count: count, parts: parts, skip: skip, k: k)
                                if parts == 1 { scan.run(part: 0, into: results) } else {
                                    DispatchQueue.concurrentPerform(iterations: parts) { scan.run(part: $0, into: results) }
                                }
                            }
                        }
                    }
                }
            }
            return results.best(k).map { (ids[$0.row], $0.score * queryScale) }
        }
    }

    /// The vector held for `id`, as stored (dequantised), or nil.
    public func vector(of id: ArxivID) -> [Float]? {
        lock.reading {
            guard let row = rowOfID[id] else { return nil }
            let scale = scales[row]
            return codes[row * dimension..<(row + 1) * dimension].map { Float($0) * scale }
        }
    }

    /// Symmetric per-vector quantisation: the largest magnitude maps to ±127.
    static func quantise(_ vector: [Float]) -> (codes: [Int8], scale: Float) {
        let largest = vector.reduce(0) { max($0, abs($1)) }
        guard largest > 0, largest.isFinite else { return ([Int8](repeating: 0, count: vector.count), 0) }
        let scale = largest / 127
        return (vector.map { Int8(($0 / scale).rounded().clamped(to: -127...127)) }, scale)
    }
}

/// One part of a split scan over borrowed memory (see `nearest`).
private struct Scan: @unchecked Sendable {
    let codes: UnsafePointer<Int8>
    let scales: UnsafePointer<Float>
    let query: UnsafePointer<Int8>
    /// With the prefilter on: the sign codes, the query's, and how many candidates to score.
    let signs: UnsafePointer<UInt64>?
    let querySigns: UnsafePointer<UInt64>?
    let signWords: Int, candidates: Int
    let dimension: Int, count: Int, parts: Int
    let skip: Int?
    let k: Int

    func run(part: Int, into results: ScanResults) {
        let start = count * part / parts, end = count * (part + 1) / parts
        // A row outside this part is never reached: no skip.
        let skipInPart = skip.flatMap { (start..<end).contains($0) ? $0 - start : nil } ?? Int.max
        let partCodes = codes + start * dimension, partScales = scales + start
        guard let signs, let querySigns, candidates > 0 else {
            results.fill(part: part, offset: start) { rows, scores in
                pb_top_k_i8(partCodes, partScales, end - start, dimension, query, skipInPart, k, rows, scores)
            }
            return
        }
        // Each part passes on its share of the candidates, then scores them exactly.
        let share = (candidates + parts - 1) / parts + 1  // + 1 for the skipped row
        let distances = UnsafeMutablePointer<UInt16>.allocate(capacity: end - start)
        let picked = UnsafeMutablePointer<Int64>.allocate(capacity: share)
        defer { distances.deallocate(); picked.deallocate() }
        let n = pb_hamming_candidates(signs + start * signWords, end - start, signWords, querySigns, share, distances, picked)
        results.fill(part: part, offset: start) { rows, scores in
            pb_top_k_i8_rows(partCodes, partScales, dimension, picked, n, query, skipInPart, k, rows, scores)
        }
    }
}

/// The winners of each part of a split scan, merged at the end. Each part writes only its own
/// slots, so parts never contend; the lock only publishes the slots to the merging thread.
private final class ScanResults: @unchecked Sendable {
    private var rows: [[Int64]]
    private var scores: [[Float]]
    private var found: [Int]
    private let lock = NSLock()
    private let k: Int

    init(parts: Int, k: Int) {
        self.k = k
        rows = Array(repeating: [Int64](repeating: 0, count: k), count: parts)
        scores = Array(repeating: [Float](repeating: 0, count: k), count: parts)
        found = Array(repeating: 0, count: parts)
    }

    func fill(part: Int, offset: Int, _ scan: (UnsafeMutablePointer<Int64>, UnsafeMutablePointer<Float>) -> Int) {
        var partRows = [Int64](repeating: 0, count: k)
        var partScores = [Float](repeating: 0, count: k)
        let n = partRows.withUnsafeMutableBufferPointer { r in
            partScores.withUnsafeMutableBufferPointer { s in scan(r.baseAddress!, s.baseAddress!) }
        }
        lock.lock()
        defer { lock.unlock() }
        rows[part] = partRows.prefix(n).map { $0 + Int64(offset) }
        scores[part] = Array(partScores.prefix(n))
        found[part] = n
    }

    func best(_ k: Int) -> [(row: Int, score: Float)] {
        lock.lock()
        defer { lock.unlock() }
        var all: [(row: Int, score: Float)] = []
        for part in rows.indices {
            for i in 0..<found[part] { all.append((Int(rows[part][i]), scores[part][i])) }
        }
        all.sort { $0.score != $1.score ? $0.score > $1.score : $0.row < $1.row }
        return Array(all.prefix(k))
    }
}

/// A pthread read-write lock: many readers or one writer.
final class ReadWriteLock: @unchecked Sendable {
    // Allocated, not stored inline: a pthread lock must not move, and Swift may move properties.
    private let lock = UnsafeMutablePointer<pthread_rwlock_t>.allocate(capacity: 1)

    init() { pthread_rwlock_init(lock, nil) }

    deinit {
        pthread_rwlock_destroy(lock)
        lock.deallocate()
    }

    func reading<T>(_ body: () throws -> T) rethrows -> T {
        pthread_rwlock_rdlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return try body()
    }

    func writing<T>(_ body: () throws -> T) rethrows -> T {
        pthread_rwlock_wrlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return try body()
    }
}

extension Comparable {
    fileprivate func clamped(to range: ClosedRange<Self>) -> Self { min(max(self, range.lowerBound), range.upperBound) }
}
