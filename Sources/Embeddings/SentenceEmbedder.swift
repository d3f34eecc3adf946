import COpenBLAS
import Foundation

/// Sentence embeddings computed in-process: a BERT-family sentence-transformers model (by default
/// all-MiniLM-L6-v2), tokenized with `WordPieceTokenizer`, run by `BertEncoder` on OpenBLAS, mean
/// pooled and L2-normalised, so the dot product of two vectors is their cosine similarity.
///
/// Immutable after loading, so one instance can serve concurrent callers.
public final class SentenceEmbedder: Sendable {
    public let folder: ModelFolder
    public let tokenizer: WordPieceTokenizer
    /// Length of each vector (384 for all-MiniLM-L6-v2).
    public var dimension: Int { folder.config.hiddenSize }
    /// Texts are run through the model in passes of at most this many tokens: large enough that
    /// the matrix multiplies run at full speed, small enough to bound memory (the feed-forward's
    /// activations are tokens × 1536 floats: 24 MiB for 4096 tokens with MiniLM).
    public let tokensPerPass: Int
    /// Passes run side by side, one per thread.
    public let threads: Int

    private let encoder: BertEncoder

    /// Loads the model in `path` (see `ModelFolder` for the layouts it accepts).
    ///
    /// - Parameter threads: how many cores one `embed` call may use. The default of 1 suits
    ///   Paperboy's server, which embeds from a background task on small (2-core) machines and
    ///   must leave a core to answer requests; a batch job on an idle machine can pass the core count.
    ///
    /// OpenBLAS is set to a single thread, process-wide (its setting is global). Parallelism comes
    /// from running passes side by side instead: that also spreads the attention and element-wise
    /// steps, which OpenBLAS's threads never see, and avoids OpenBLAS's worker threads, which spin
    /// between calls and took an eighth of the time in measurements, the server's core included.
    public init(modelFolder path: String, threads: Int = 1, tokensPerPass: Int = 4096) throws {
        folder = try ModelFolder(path: path)
        tokenizer = try WordPieceTokenizer(
            vocabularyFile: folder.vocabularyFile, lowercase: folder.lowercase, stripAccents: folder.stripAccents,
            splitChineseCharacters: folder.splitChineseCharacters, maxLength: folder.maxSequenceLength)
        guard tokenizer.vocabularySize <= folder.config.vocabularySize else {
            throw EmbeddingModelError.malformedFile(
                path: folder.vocabularyFile,
                reason: "\(tokenizer.vocabularySize) tokens, but \(folder.configFile) has vocab_size \(folder.config.vocabularySize)")
        }
        encoder = try BertEncoder(weights: SafetensorsFile(path: folder.weightsFile), config: folder.config)
        self.tokensPerPass = max(tokensPerPass, folder.maxSequenceLength)
        self.threads = max(threads, 1)
        openblas_set_num_threads(1)
    }

    /// One unit vector per text, in order. Any text is accepted: the empty string gives the
    /// vector of "[CLS] [SEP]", text beyond the model's length (256 tokens for MiniLM) is cut.
    public func embed(_ texts: [String]) -> [[Float]] {
        let sequences = texts.map(tokenizer.encode)
        let passes = Self.passes(sequences.map(\.count), tokensPerPass: tokensPerPass, threads: threads)
        guard passes.count > 1 && threads > 1 else {
            return passes.flatMap { encoder.encode(Array(sequences[$0])) }
        }
        // Each worker takes every `workers`-th pass and writes only those passes' slots.
        let workers = min(threads, passes.count)
        let results = PassResults(count: passes.count)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            for index in stride(from: worker, to: passes.count, by: workers) {
                results.store(encoder.encode(Array(sequences[passes[index]])), at: index)
            }
        }
        return results.joined()
    }

    public func embed(_ text: String) -> [Float] {
        embed([text])[0]
    }

    /// Consecutive runs of texts of at most `tokensPerPass` tokens each (a longer single text is
    /// a pass of its own). With several threads, passes are made smaller when that gives every
    /// thread work, so a short call is spread too.
    static func passes(_ lengths: [Int], tokensPerPass: Int, threads: Int) -> [Range<Int>] {
        let total = lengths.reduce(0, +)
        let budget = max(1, min(tokensPerPass, (total + threads - 1) / threads))
        var passes: [Range<Int>] = []
        var start = 0
        var tokens = 0
        for (index, length) in lengths.enumerated() {
            if index > start && tokens + length > budget {
                passes.append(start..<index)
                start = index
                tokens = 0
            }
            tokens += length
        }
        if start < lengths.count { passes.append(start..<lengths.count) }
        return passes
    }
}

/// The vectors of each pass, filled in by concurrent workers: each slot is written by exactly one
/// worker and read only after all of them have finished, so a lock is never contended; it is there
/// to make that hand-over visible to the compiler and the memory model.
private final class PassResults: @unchecked Sendable {
    private var slots: [[[Float]]]
    private let lock = NSLock()

    init(count: Int) { slots = Array(repeating: [], count: count) }

    func store(_ vectors: [[Float]], at index: Int) {
        lock.lock()
        defer { lock.unlock() }
        slots[index] = vectors
    }

    func joined() -> [[Float]] {
        lock.lock()
        defer { lock.unlock() }
        return slots.flatMap { $0 }
    }
}
