import CVectorKernels
import Catalog
import Foundation

/// Paper vectors held in memory for nearest-neighbour search, quantised to one signed byte per
/// dimension plus one scale per vector: 384 + 4 bytes a paper with MiniLM, so a million papers
/// fit in about 400 MB where Float32 would take 1.5 GB. Search is an exact scan of the codes (a
/// few milliseconds per million on two cores with the vectorised kernel in `CVectorKernels`);
/// BENCHMARKS.md reports what quantising costs in recall against the Float32 vectors.
///
/// Thread-safe: any number of searches run at once; adding vectors waits for them.
public final class VectorIndex: @unchecked Sendable {
    public let dimension: Int

    // Guarded by `lock`. Row r holds codes[r*dimension ..< (r+1)*dimension] and scales[r].
    private var ids: [ArxivID] = []
    private var rowOfID: [ArxivID: Int] = [:]
    private var codes: [Int8] = []
    private var scales: [Float] = []
    private let lock = ReadWriteLock()

    /// Below this many vectors a search runs on the calling thread; above, it is split in two.
    static let parallelThreshold = 50_000

    public init(dimension: Int) {
        precondition(dimension > 0, "a vector has at least one dimension")
        self.dimension = dimension
    }

    public var count: Int { lock.reading { ids.count } }

    /// Memory held by the vectors and their bookkeeping, approximately, in bytes.
    public var memoryBytes: Int {
        lock.reading { codes.capacity + scales.capacity * 4 + ids.capacity * 16 + rowOfID.capacity * 24 }
    }

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
                if let row = rowOfID[id] {
                    codes.replaceSubrange(row * dimension..<(row + 1) * dimension, with: itemCodes)
                    scales[row] = scale
                } else {
                    rowOfID[id] = ids.count
                    ids.append(id)
                    codes.append(contentsOf: itemCodes)
                    scales.append(scale)
                }
            }
        }
    }

    /// Makes room for `count` vectors in all, so a bulk load does not copy as it grows.
    public func reserveCapacity(_ count: Int) {
        lock.writing {
            ids.reserveCapacity(count)
            rowOfID.reserveCapacity(count)
            codes.reserveCapacity(count * dimension)
            scales.reserveCapacity(count)
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
            codes.withUnsafeBufferPointer { allCodes in
                scales.withUnsafeBufferPointer { allScales in
                    queryCodes.withUnsafeBufferPointer { q in
                        // Read-only views, valid until these closures return; concurrentPerform
                        // returns only once every part is done.
                        let scan = Scan(codes: allCodes.baseAddress!, scales: allScales.baseAddress!, query: q.baseAddress!,
                                        dimension: dimension, count: count, parts: parts, skip: skip, k: k)
                        if parts == 1 { scan.run(part: 0, into: results) } else {
                            DispatchQueue.concurrentPerform(iterations: parts) { scan.run(part: $0, into: results) }
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
    let dimension: Int, count: Int, parts: Int
    let skip: Int?
    let k: Int

    func run(part: Int, into results: ScanResults) {
        let start = count * part / parts, end = count * (part + 1) / parts
        // A row outside this part is never reached: no skip.
        let skipInPart = skip.flatMap { (start..<end).contains($0) ? $0 - start : nil } ?? Int.max
        results.fill(part: part, offset: start) { rows, scores in
            pb_top_k_i8(codes + start * dimension, scales + start, end - start, dimension, query, skipInPart, k, rows, scores)
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
