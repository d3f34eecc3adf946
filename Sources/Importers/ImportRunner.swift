import Catalog

/// What an import did, for the summary every run ends with.
public struct ImportSummary: Sendable {
    public struct Rejection: Sendable, Equatable {
        public var position: String
        public var reason: String

        public init(position: String, reason: String) {
            self.position = position
            self.reason = reason
        }
    }

    public var input: String
    public var counts = ImportCounts()
    public var rejected = 0
    /// The first rejections, in input order (at most `ImportRunner.rejectionsKept`).
    public var firstRejections: [Rejection] = []
    /// Set when reading stopped before the end of the input; what came before was kept.
    public var stoppedBy: ImportError?
    /// Records (or lines) skipped because an earlier interrupted run had committed them.
    public var resumedAfter = 0

    public init(input: String) { self.input = input }

    /// Whether the input was read to its end.
    public var completed: Bool { stoppedBy == nil }

    mutating func reject(_ position: String, _ reason: String) {
        rejected += 1
        if firstRejections.count < ImportRunner.rejectionsKept {
            firstRejections.append(Rejection(position: position, reason: reason))
        }
    }

    /// The human-readable summary, several lines.
    public var report: String {
        let c = counts
        var lines = ["\(input): inserted \(c.inserted), updated \(c.updated), unchanged \(c.unchanged), "
            + "deleted \(c.deleted), rejected \(rejected)"]
        if resumedAfter > 0 { lines.append("  resumed an interrupted import after record \(resumedAfter)") }
        for r in firstRejections { lines.append("  rejected \(r.position): \(r.reason)") }
        if rejected > firstRejections.count { lines.append("  … and \(rejected - firstRejections.count) more rejections") }
        if let stoppedBy { lines.append("  stopped early: \(stoppedBy)") }
        return lines.joined(separator: "\n")
    }
}

/// Feeds a reader's records into the catalog in batches, one transaction each, so memory stays
/// flat and a crash loses at most the batch in flight. Checkpoints make a rerun of a large file
/// resume after the last committed batch; a finished import clears its checkpoint, so importing
/// the same file again re-reads it (and, the merge being idempotent, changes nothing).
public struct ImportRunner: Sendable {
    public static let rejectionsKept = 10

    public var store: any CatalogStore
    public var batchSize: Int

    public init(store: any CatalogStore, batchSize: Int = 2_000) {
        self.store = store
        self.batchSize = max(1, batchSize)
    }

    /// Imports everything `reader` yields.
    /// - Parameters:
    ///   - checkpointKey: identifies the input for resuming; nil disables checkpoints.
    ///   - progress: called after each batch with the records read so far.
    public func run(
        _ reader: any RecordReader, input: String, checkpointKey: String? = nil,
        progress: ((Int) -> Void)? = nil
    ) async throws -> ImportSummary {
        var summary = ImportSummary(input: input)
        if let key = checkpointKey, let checkpoint = try await store.checkpoint(source: key) {
            if try reader.skip(to: checkpoint) { summary.resumedAfter = checkpoint.recordNumber }
        }
        // Reading and writing overlap: while the store commits one batch, the next is parsed.
        // Batches still commit one at a time and in order, so checkpoints only move forward.
        var batch: [CatalogChange] = []
        var positions: [String] = []
        var lastItem: RecordItem?
        var inFlight: Task<(ImportCounts, [String], [CatalogChange]), any Error>?

        func collect() async throws {
            guard let task = inFlight else { return }
            inFlight = nil
            let (counts, batchPositions, changes) = try await task.value
            summary.counts += counts
            for refused in counts.refused {
                let index = changes.firstIndex { $0.id == refused.id }
                summary.reject(index.map { batchPositions[$0] } ?? refused.id.value, refused.reason)
            }
            summary.counts.refused = []
        }

        func submit() async throws {
            try await collect()
            guard !batch.isEmpty || lastItem != nil else { return }
            let checkpoint = checkpointKey.flatMap { key in
                lastItem.map { ImportCheckpoint(source: key, byteOffset: $0.byteOffset, recordNumber: $0.recordNumber) }
            }
            let changes = batch
            let batchPositions = positions
            let store = self.store
            inFlight = Task { (try await store.apply(changes, checkpoint: checkpoint), batchPositions, changes) }
            batch.removeAll(keepingCapacity: true)
            positions.removeAll(keepingCapacity: true)
            progress?(lastItem?.recordNumber ?? 0)
        }

        do {
            while let item = try reader.next() {
                lastItem = item
                switch item.kind {
                case .change(let change):
                    batch.append(change)
                    positions.append(item.position)
                case .rejected(let reason):
                    summary.reject(item.position, reason)
                }
                if batch.count >= batchSize { try await submit() }
            }
        } catch let error as ImportError {
            summary.stoppedBy = error
        } catch {
            // Whatever was committed stays; wait for the batch in flight before failing.
            try? await collect()
            throw error
        }
        try await submit()
        try await collect()
        if let key = checkpointKey, summary.completed { try await store.clearCheckpoint(source: key) }
        return summary
    }
}
