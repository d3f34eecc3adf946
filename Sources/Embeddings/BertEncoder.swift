import CMatrixKernels
import COpenBLAS

/// BERT's weights and its forward pass, from token ids to mean-pooled, L2-normalised sentence
/// vectors, as sentence-transformers computes them (token type 0 throughout, absolute positions).
///
/// A batch is packed, not padded: the tokens of all its texts are stacked in one matrix, so every
/// dense layer is one large matrix multiply over real tokens only, and attention runs per text over
/// that text's own tokens. That is what padding plus an attention mask computes (a masked key gets
/// weight exp(-inf) = 0 and padded rows are left out of the mean), without the work on padding.
///
/// The linear layers multiply in `precision`: Float32 on OpenBLAS, or bfloat16 on our own kernel
/// (`CMatrixKernels`), whose weights are converted and packed here, once, and kept in that form
/// only.
struct BertEncoder: Sendable {
    /// Where one weight matrix or vector lies in `parameters`.
    struct Slice: Sendable {
        let offset: Int
        let count: Int
    }

    /// A linear layer's [outer × inner] weight matrix (PyTorch's [out × in] layout): Float32 in
    /// `parameters`, or packed bfloat16 in `packedWeights`, as the precision wants; the other
    /// slice is empty.
    struct Weight: Sendable {
        let values: Slice
        let packed: Slice
        let outer: Int
        let inner: Int
    }

    struct Layer: Sendable {
        /// Query, key and value projections stacked into one [3·hidden × hidden] matrix (and one
        /// bias), so the three are one multiply.
        let qkvWeight: Weight
        let qkvBias: Slice
        let attentionOutputWeight: Weight
        let attentionOutputBias: Slice
        let attentionNormGamma: Slice
        let attentionNormBeta: Slice
        let intermediateWeight: Weight
        let intermediateBias: Slice
        let outputWeight: Weight
        let outputBias: Slice
        let outputNormGamma: Slice
        let outputNormBeta: Slice
    }

    let config: BertConfig
    let precision: MatrixPrecision
    /// Every Float32 weight in one array, so the forward pass takes a single pointer to all of them.
    let parameters: [Float]
    /// The linear layers' weights in bfloat16, packed for `pb_bf16_linear` (empty in Float32).
    let packedWeights: [UInt16]
    let wordEmbeddings: Slice
    let positionEmbeddings: Slice
    /// Row 0 of the token type embeddings: single-sentence inputs are all type 0.
    let tokenTypeEmbedding: Slice
    let embeddingNormGamma: Slice
    let embeddingNormBeta: Slice
    let layers: [Layer]

    /// Loads the weights; `precision` falls back to Float32 where the CPU lacks bfloat16.
    init(weights file: SafetensorsFile, config: BertConfig, precision requested: MatrixPrecision = .float32) throws {
        self.config = config
        let precision = requested.supported
        self.precision = precision
        let hidden = config.hiddenSize
        let intermediate = config.intermediateSize
        // Checkpoints saved from BertModel name tensors "embeddings...", from the task heads
        // (BertForMaskedLM and the like) "bert.embeddings...": accept either.
        let prefix = file.tensors["embeddings.word_embeddings.weight"] == nil && file.tensors["bert.embeddings.word_embeddings.weight"] != nil
            ? "bert." : ""
        var parameters: [Float] = []
        func append(_ values: [Float]) -> Slice {
            defer { parameters += values }
            return Slice(offset: parameters.count, count: values.count)
        }
        func tensor(_ name: String, _ shape: [Int]) throws -> Slice {
            append(try file.floats(prefix + name, shape: shape))
        }
        let empty = Slice(offset: 0, count: 0)
        var packedWeights: [UInt16] = []
        if precision == .bfloat16 {
            let perLayer = [(3 * hidden, hidden), (hidden, hidden), (intermediate, hidden), (hidden, intermediate)]
                .reduce(0) { $0 + pb_bf16_packed_weights_count($1.0, $1.1) }
            packedWeights.reserveCapacity(perLayer * config.layerCount)
        }
        func weight(_ values: [Float], outer: Int, inner: Int) -> Weight {
            guard precision == .bfloat16 else { return Weight(values: append(values), packed: empty, outer: outer, inner: inner) }
            let offset = packedWeights.count
            let count = pb_bf16_packed_weights_count(outer, inner)
            packedWeights += repeatElement(0, count: count)
            packedWeights.withUnsafeMutableBufferPointer { packed in
                pb_bf16_pack_weights(values, outer, inner, packed.baseAddress! + offset)
            }
            return Weight(values: empty, packed: Slice(offset: offset, count: count), outer: outer, inner: inner)
        }
        func matrix(_ name: String, outer: Int, inner: Int) throws -> Weight {
            weight(try file.floats(prefix + name, shape: [outer, inner]), outer: outer, inner: inner)
        }
        wordEmbeddings = try tensor("embeddings.word_embeddings.weight", [config.vocabularySize, hidden])
        positionEmbeddings = try tensor("embeddings.position_embeddings.weight", [config.maxPositionEmbeddings, hidden])
        tokenTypeEmbedding = append(Array(try file.floats(prefix + "embeddings.token_type_embeddings.weight",
                                                          shape: [config.typeVocabularySize, hidden]).prefix(hidden)))
        embeddingNormGamma = try tensor("embeddings.LayerNorm.weight", [hidden])
        embeddingNormBeta = try tensor("embeddings.LayerNorm.bias", [hidden])
        layers = try (0..<config.layerCount).map { index in
            let p = "encoder.layer.\(index)."
            func stacked(_ suffix: String, _ shape: [Int]) throws -> [Float] {
                try ["query", "key", "value"].flatMap { try file.floats(prefix + p + "attention.self.\($0)." + suffix, shape: shape) }
            }
            return Layer(
                qkvWeight: weight(try stacked("weight", [hidden, hidden]), outer: 3 * hidden, inner: hidden),
                qkvBias: append(try stacked("bias", [hidden])),
                attentionOutputWeight: try matrix(p + "attention.output.dense.weight", outer: hidden, inner: hidden),
                attentionOutputBias: try tensor(p + "attention.output.dense.bias", [hidden]),
                attentionNormGamma: try tensor(p + "attention.output.LayerNorm.weight", [hidden]),
                attentionNormBeta: try tensor(p + "attention.output.LayerNorm.bias", [hidden]),
                intermediateWeight: try matrix(p + "intermediate.dense.weight", outer: intermediate, inner: hidden),
                intermediateBias: try tensor(p + "intermediate.dense.bias", [intermediate]),
                outputWeight: try matrix(p + "output.dense.weight", outer: hidden, inner: intermediate),
                outputBias: try tensor(p + "output.dense.bias", [hidden]),
                outputNormGamma: try tensor(p + "output.LayerNorm.weight", [hidden]),
                outputNormBeta: try tensor(p + "output.LayerNorm.bias", [hidden])
            )
        }
        self.parameters = parameters
        self.packedWeights = packedWeights
    }

    /// One vector per sequence. Each sequence holds valid ids (below the vocabulary size) and at
    /// most `maxPositionEmbeddings` of them; the tokenizer guarantees both.
    func encode(_ sequences: [[Int32]]) -> [[Float]] {
        encode(sequences, in: EncoderWorkspace())
    }

    /// The same, with scratch memory from `workspace` (grown as needed, kept for the next pass):
    /// one workspace per thread saves allocating and faulting in tens of megabytes per pass.
    func encode(_ sequences: [[Int32]], in workspace: EncoderWorkspace) -> [[Float]] {
        parameters.withUnsafeBufferPointer { all in
            packedWeights.withUnsafeBufferPointer { packed in
                // An empty array may still have a base address: the precision decides.
                encode(sequences, weights: all.baseAddress!, packed: precision == .bfloat16 ? packed.baseAddress : nil,
                       workspace: workspace)
            }
        }
    }

    /// Rows of the feed-forward block done at a time: its tokens × 1536 activations then stay in
    /// cache between the two multiplies and GELU, and the workspace stays small.
    static let feedForwardRows = 512

    private func encode(
        _ sequences: [[Int32]], weights base: UnsafePointer<Float>, packed: UnsafePointer<UInt16>?, workspace: EncoderWorkspace
    ) -> [[Float]] {
        func w(_ slice: Slice) -> UnsafePointer<Float> { base + slice.offset }
        let hidden = config.hiddenSize
        let intermediate = config.intermediateSize
        let heads = config.headCount
        let headSize = hidden / heads
        let epsilon = config.layerNormEpsilon
        let tokenCount = sequences.reduce(0) { $0 + $1.count }
        let longest = sequences.map(\.count).max() ?? 0
        guard tokenCount > 0 else { return sequences.map { _ in [] } }

        // Scratch matrices, one row per token; raw buffers because every step hands them to BLAS.
        workspace.reserve(tokens: tokenCount, longest: longest, hidden: hidden,
                          intermediate: intermediate, feedForwardRows: Self.feedForwardRows)
        let states = Matrix(workspace.states, columns: hidden)
        let qkv = Matrix(workspace.qkv, columns: 3 * hidden)
        let context = Matrix(workspace.context, columns: hidden)
        let attended = Matrix(workspace.attended, columns: hidden)
        let expanded = Matrix(workspace.expanded, columns: intermediate)
        let scores = workspace.scores
        let rowScale = workspace.rowScale
        if precision == .bfloat16 {
            workspace.reserveScratch(count: max(pb_bf16_scratch_count(hidden), pb_bf16_scratch_count(intermediate)))
        }
        let scratch = workspace.scratch

        /// output = input · weightᵀ over `rows` rows (or output += that, `adding`): a linear layer.
        func multiply(_ input: Matrix, rows: Int, by weight: Weight, into output: Matrix, adding: Bool = false) {
            if let packed {
                pb_bf16_linear(input.base, rows, weight.inner, input.columns, packed + weight.packed.offset, weight.outer,
                               output.base, output.columns, adding, scratch)
            } else {
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, blas(rows), blas(weight.outer), blas(weight.inner),
                            1, input.base, blas(input.columns), w(weight.values), blas(weight.inner), adding ? 1 : 0,
                            output.base, blas(output.columns))
            }
        }

        // Embeddings: word + position + token type 0, then LayerNorm.
        var row = 0
        for sequence in sequences {
            for (position, id) in sequence.enumerated() {
                let out = states[row]
                let word = w(wordEmbeddings) + Int(id) * hidden
                let place = w(positionEmbeddings) + position * hidden
                let type = w(tokenTypeEmbedding)
                for j in 0..<hidden { out[j] = word[j] + place[j] + type[j] }
                VectorMath.layerNorm(out, count: hidden, gamma: w(embeddingNormGamma), beta: w(embeddingNormBeta), epsilon: epsilon)
                row += 1
            }
        }

        // Attention scores in base 2: scale · log2(e) · q·k, so that softmax's e^s is 2^s, which
        // takes fewer steps to compute.
        let scale = 1 / Float(headSize).squareRoot() * 1.4426950408889634
        for layer in layers {
            // Each product is added to what its output already holds (BLAS's beta = 1): the bias,
            // and the residual where there is one, are put there first, which costs no more than
            // the zeroing BLAS does otherwise and saves a pass over the output.
            for r in 0..<tokenCount { qkv[r].update(from: w(layer.qkvBias), count: 3 * hidden) }
            multiply(states, rows: tokenCount, by: layer.qkvWeight, into: qkv, adding: true)

            // Self-attention per sequence and head, over that sequence's rows only.
            var start = 0
            for sequence in sequences {
                let n = sequence.count
                for head in 0..<heads {
                    let query = qkv[start] + head * headSize
                    let key = query + hidden
                    let value = query + 2 * hidden
                    let output = context[start] + head * headSize
                    // scores = scale · log2(e) · Q Kᵀ   (n × n)
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, blas(n), blas(n), blas(headSize),
                                scale, query, blas(3 * hidden), key, blas(3 * hidden), 0, scores, blas(n))
                    // Softmax without its division: 2^(s - max) per row; each row's 1 / sum is
                    // applied to the n × headSize result below instead of to the n × n weights.
                    for i in 0..<n { rowScale[i] = 1 / VectorMath.powersOfTwo(scores + i * n, count: n) }
                    // context = weights · V   (n × headSize), into this head's columns
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, blas(n), blas(headSize), blas(n),
                                1, scores, blas(n), value, blas(3 * hidden), 0, output, blas(hidden))
                    for i in 0..<n { VectorMath.scale(output + i * hidden, by: rowScale[i], count: headSize) }
                }
                start += n
            }

            // attended = LayerNorm(context · Woᵀ + bias + states): the attention block's output,
            // and the feed-forward's input and residual.
            let attentionOutputBias = w(layer.attentionOutputBias)
            for r in 0..<tokenCount { VectorMath.sum(states[r], attentionOutputBias, into: attended[r], count: hidden) }
            multiply(context, rows: tokenCount, by: layer.attentionOutputWeight, into: attended, adding: true)
            for r in 0..<tokenCount {
                VectorMath.layerNorm(attended[r], count: hidden, gamma: w(layer.attentionNormGamma),
                                     beta: w(layer.attentionNormBeta), epsilon: epsilon)
            }
            // states = LayerNorm(GELU(attended · W1ᵀ + b1) · W2ᵀ + b2 + attended), the next layer's
            // input, a block of rows at a time.
            var first = 0
            while first < tokenCount {
                let rows = min(Self.feedForwardRows, tokenCount - first)
                multiply(Matrix(attended[first], columns: hidden), rows: rows, by: layer.intermediateWeight, into: expanded)
                let intermediateBias = w(layer.intermediateBias)
                switch config.activation {
                case .gelu: VectorMath.biasGELU(expanded.base, rows: rows, columns: intermediate, bias: intermediateBias)
                case .geluTanh: VectorMath.biasGELUTanh(expanded.base, rows: rows, columns: intermediate, bias: intermediateBias)
                case .relu: VectorMath.biasReLU(expanded.base, rows: rows, columns: intermediate, bias: intermediateBias)
                }
                let outputBias = w(layer.outputBias)
                for r in first..<(first + rows) { VectorMath.sum(attended[r], outputBias, into: states[r], count: hidden) }
                multiply(expanded, rows: rows, by: layer.outputWeight, into: Matrix(states[first], columns: hidden), adding: true)
                for r in first..<(first + rows) {
                    VectorMath.layerNorm(states[r], count: hidden, gamma: w(layer.outputNormGamma),
                                         beta: w(layer.outputNormBeta), epsilon: epsilon)
                }
                first += rows
            }
        }

        // Mean over each sequence's tokens, then L2 normalisation (as torch's F.normalize: the
        // norm is floored at 1e-12, so a zero vector stays zero instead of becoming NaN).
        var vectors: [[Float]] = []
        vectors.reserveCapacity(sequences.count)
        var first = 0
        var sum = [Double](repeating: 0, count: hidden)
        for sequence in sequences {
            for j in 0..<hidden { sum[j] = 0 }
            for r in first..<(first + sequence.count) {
                let values = states[r]
                for j in 0..<hidden { sum[j] += Double(values[j]) }
            }
            first += sequence.count
            let mean = sum.map { $0 / Double(sequence.count) }
            let norm = max(mean.reduce(0) { $0 + $1 * $1 }.squareRoot(), 1e-12)
            vectors.append(mean.map { Float($0 / norm) })
        }
        return vectors
    }
}

/// Scratch memory for the forward pass, owned by one thread at a time and reused from pass to
/// pass: allocating and first touching tens of megabytes per pass cost page faults every time.
final class EncoderWorkspace {
    private(set) var states: UnsafeMutablePointer<Float> = .allocate(capacity: 1)
    private(set) var qkv: UnsafeMutablePointer<Float> = .allocate(capacity: 1)
    private(set) var context: UnsafeMutablePointer<Float> = .allocate(capacity: 1)
    private(set) var attended: UnsafeMutablePointer<Float> = .allocate(capacity: 1)
    private(set) var expanded: UnsafeMutablePointer<Float> = .allocate(capacity: 1)
    private(set) var scores: UnsafeMutablePointer<Float> = .allocate(capacity: 1)
    private(set) var rowScale: UnsafeMutablePointer<Float> = .allocate(capacity: 1)
    /// The bfloat16 kernel's copy of its input, converted (about 256 KiB).
    private(set) var scratch: UnsafeMutablePointer<UInt16> = .allocate(capacity: 1)
    private var tokens = 0
    private var longest = 0
    private var scratchCount = 0

    /// Room for a pass of `tokens` tokens whose longest sequence has `longest`.
    func reserve(tokens: Int, longest: Int, hidden: Int, intermediate: Int, feedForwardRows: Int) {
        if tokens > self.tokens {
            for buffer in [states, qkv, context, attended, expanded] { buffer.deallocate() }
            states = .allocate(capacity: tokens * hidden)
            qkv = .allocate(capacity: tokens * 3 * hidden)
            context = .allocate(capacity: tokens * hidden)
            attended = .allocate(capacity: tokens * hidden)
            expanded = .allocate(capacity: min(tokens, feedForwardRows) * intermediate)
            self.tokens = tokens
        }
        if longest > self.longest {
            scores.deallocate()
            rowScale.deallocate()
            scores = .allocate(capacity: longest * longest)
            rowScale = .allocate(capacity: longest)
            self.longest = longest
        }
    }

    func reserveScratch(count: Int) {
        guard count > scratchCount else { return }
        scratch.deallocate()
        scratch = .allocate(capacity: count)
        scratchCount = count
    }

    deinit {
        for buffer in [states, qkv, context, attended, expanded, scores, rowScale] { buffer.deallocate() }
        scratch.deallocate()
    }
}

/// A row-major Float matrix view over workspace memory.
private struct Matrix {
    let base: UnsafeMutablePointer<Float>
    let columns: Int

    init(_ base: UnsafeMutablePointer<Float>, columns: Int) {
        self.base = base
        self.columns = columns
    }

    subscript(row: Int) -> UnsafeMutablePointer<Float> { base + row * columns }
}

/// BLAS takes 32-bit sizes (`blasint`); every size here is far below that.
@inline(__always)
private func blas(_ value: Int) -> Int32 { Int32(value) }
