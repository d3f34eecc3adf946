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
    /// the matrix multiplies run at full speed, small enough to bound memory (each thread holds
    /// tokens × 6 × 384 floats of activations with MiniLM, 36 MiB for 4096 tokens, plus 3 MiB for
    /// the feed-forward, which works through a pass 512 tokens at a time).
    public let tokensPerPass: Int
    /// Passes run side by side, one per thread.
    public let threads: Int
    /// The number format of the linear layers in use: the one asked for, or Float32 where the CPU
    /// lacks bfloat16.
    public var precision: MatrixPrecision { encoder.precision }

    private let encoder: BertEncoder

    /// Loads the model in `path` (see `ModelFolder` for the layouts it accepts).
    ///
    /// - Parameter threads: how many cores one `embed` call may use. The default of 1 suits
    ///   Paperboy's server, which embeds from a background task on small (2-core) machines and
    ///   must leave a core to answer requests; a batch job on an idle machine can pass the core count.
    /// - Parameter precision: the linear layers' number format (see `MatrixPrecision`); bfloat16 on
    ///   a CPU without it gives Float32.
    ///
    /// OpenBLAS is set to a single thread, process-wide (its setting is global); the bfloat16 kernel
    /// is single-threaded too. Parallelism comes from running passes side by side instead: that
    /// also spreads the attention and element-wise steps, which OpenBLAS's threads never see, and
    /// avoids OpenBLAS's worker threads, which spin between calls and took an eighth of the time in
    /// measurements, the server's core included.
    public init(
        modelFolder path: String, threads: Int = 1, tokensPerPass: Int = 4096, precision: MatrixPrecision = .preferred
    ) throws {
        folder = try ModelFolder(path: path)
        tokenizer = try WordPieceTokenizer(
            vocabularyFile: folder.vocabularyFile, lowercase: folder.lowercase, stripAccents: folder.stripAccents,
            splitChineseCharacters: folder.splitChineseCharacters, maxLength: folder.maxSequenceLength)
        guard tokenizer.vocabularySize <= folder.config.vocabularySize else {
            throw EmbeddingModelError.malformedFile(
                path: folder.vocabularyFile,
                reason: "\(tokenizer.vocabularySize) tokens, but \(folder.configFile) has vocab_size \(folder.config.vocabularySize)")
        }
        encoder = try BertEncoder(weights: SafetensorsFile(path: folder.weightsFile), config: folder.config, precision: precision)
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
            let workspace = EncoderWorkspace()
            return passes.flatMap { encoder.encode(Array(sequences[$0]), in: workspace) }
        }
        // Each worker takes the next pass nobody has taken, so one that drew shorter passes does
        // not wait for the other; it reuses its scratch memory from pass to pass.
        let workers = min(threads, passes.count)
        let results = PassResults(count: passes.count)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            let workspace = EncoderWorkspace()
            while let index = results.claim() {
                results.store(encoder.encode(Array(sequences[passes[index]]), in: workspace), at: index)
            }
        }
        return results.joined()
    }

    public func embed(_ text: String) -> [Float] {
        embed([text])[0]
    }

    /// Consecutive runs of texts of at most `tokensPerPass` tokens each, as few as that allows and
    /// as even as text boundaries allow; with several threads, a multiple of the thread count, so
    /// every thread gets the same share of the work (and a short call is spread too).
    ///
    /// Each cut is the text boundary nearest to an even share, so a pass holds at most one even
    /// share plus the longest text: shares are sized so that this stays within `tokensPerPass`.
    static func passes(_ lengths: [Int], tokensPerPass: Int, threads: Int) -> [Range<Int>] {
        let total = lengths.reduce(0, +)
        guard total > 0, lengths.count > 1 else { return lengths.isEmpty ? [] : [0..<lengths.count] }
        let longest = lengths.max() ?? 0
        let share = max(1, tokensPerPass - longest)
        var count = (total + share - 1) / share
        if threads > 1 { count = ((count + threads - 1) / threads) * threads }
        guard count > 1 else { return [0..<lengths.count] }
        // No text is longer than a pass may be.
        if count >= lengths.count { return lengths.indices.map { $0..<($0 + 1) } }
        var passes: [Range<Int>] = []
        var start = 0
        var tokens = 0  // in texts before `index`
        var index = 0
        for cut in 1..<count {
            let target = total * cut / count
            while index < lengths.count && tokens + lengths[index] <= target {
                tokens += lengths[index]
                index += 1
            }
            // Take the next text too where that lands nearer the target.
            if index < lengths.count && target - tokens > tokens + lengths[index] - target {
                tokens += lengths[index]
                index += 1
            }
            if index > start {
                passes.append(start..<index)
                start = index
            }
        }
        if start < lengths.count { passes.append(start..<lengths.count) }
        return passes
    }
}

/// The vectors of each pass, filled in by concurrent workers, which claim passes one by one: each
/// slot is written by exactly one worker and read only after all of them have finished. The lock
/// is held for an instant per pass; it also makes that hand-over visible to the compiler and the
/// memory model.
private final class PassResults: @unchecked Sendable {
    private var slots: [[[Float]]]
    private var next = 0
    private let lock = NSLock()

    init(count: Int) { slots = Array(repeating: [], count: count) }

    /// The index of a pass no worker has taken yet, or nil when all are taken.
    func claim() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard next < slots.count else { return nil }
        next += 1
        return next - 1
    }

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
