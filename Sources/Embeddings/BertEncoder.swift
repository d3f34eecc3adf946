import COpenBLAS

/// BERT's weights and its forward pass, from token ids to mean-pooled, L2-normalised sentence
/// vectors, as sentence-transformers computes them (token type 0 throughout, absolute positions).
///
/// A batch is packed, not padded: the tokens of all its texts are stacked in one matrix, so every
/// dense layer is one large matrix multiply over real tokens only, and attention runs per text over
/// that text's own tokens. That is what padding plus an attention mask computes (a masked key gets
/// weight exp(-inf) = 0 and padded rows are left out of the mean), without the work on padding.
struct BertEncoder: Sendable {
    /// Where one weight matrix or vector lies in `parameters`.
    struct Slice: Sendable {
        let offset: Int
        let count: Int
    }

    struct Layer: Sendable {
        /// Query, key and value projections stacked into one [3·hidden × hidden] matrix (and one
        /// bias), so the three are one multiply.
        let qkvWeight: Slice
        let qkvBias: Slice
        let attentionOutputWeight: Slice
        let attentionOutputBias: Slice
        let attentionNormGamma: Slice
        let attentionNormBeta: Slice
        let intermediateWeight: Slice
        let intermediateBias: Slice
        let outputWeight: Slice
        let outputBias: Slice
        let outputNormGamma: Slice
        let outputNormBeta: Slice
    }

    let config: BertConfig
    /// Every weight in one array, so the forward pass takes a single pointer to all of them.
    let parameters: [Float]
    let wordEmbeddings: Slice
    let positionEmbeddings: Slice
    /// Row 0 of the token type embeddings: single-sentence inputs are all type 0.
    let tokenTypeEmbedding: Slice
    let embeddingNormGamma: Slice
    let embeddingNormBeta: Slice
    let layers: [Layer]

    init(weights file: SafetensorsFile, config: BertConfig) throws {
        self.config = config
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
        wordEmbeddings = try tensor("embeddings.word_embeddings.weight", [config.vocabularySize, hidden])
        positionEmbeddings = try tensor("embeddings.position_embeddings.weight", [config.maxPositionEmbeddings, hidden])
        tokenTypeEmbedding = append(Array(try file.floats(prefix + "embeddings.token_type_embeddings.weight",
                                                          shape: [config.typeVocabularySize, hidden]).prefix(hidden)))
        embeddingNormGamma = try tensor("embeddings.LayerNorm.weight", [hidden])
        embeddingNormBeta = try tensor("embeddings.LayerNorm.bias", [hidden])
        layers = try (0..<config.layerCount).map { index in
            let p = "encoder.layer.\(index)."
            func stacked(_ suffix: String, _ shape: [Int]) throws -> Slice {
                append(try ["query", "key", "value"].flatMap { try file.floats(prefix + p + "attention.self.\($0)." + suffix, shape: shape) })
            }
            return Layer(
                qkvWeight: try stacked("weight", [hidden, hidden]),
                qkvBias: try stacked("bias", [hidden]),
                attentionOutputWeight: try tensor(p + "attention.output.dense.weight", [hidden, hidden]),
                attentionOutputBias: try tensor(p + "attention.output.dense.bias", [hidden]),
                attentionNormGamma: try tensor(p + "attention.output.LayerNorm.weight", [hidden]),
                attentionNormBeta: try tensor(p + "attention.output.LayerNorm.bias", [hidden]),
                intermediateWeight: try tensor(p + "intermediate.dense.weight", [intermediate, hidden]),
                intermediateBias: try tensor(p + "intermediate.dense.bias", [intermediate]),
                outputWeight: try tensor(p + "output.dense.weight", [hidden, intermediate]),
                outputBias: try tensor(p + "output.dense.bias", [hidden]),
                outputNormGamma: try tensor(p + "output.LayerNorm.weight", [hidden]),
                outputNormBeta: try tensor(p + "output.LayerNorm.bias", [hidden])
            )
        }
        self.parameters = parameters
    }

    /// One vector per sequence. Each sequence holds valid ids (below the vocabulary size) and at
    /// most `maxPositionEmbeddings` of them; the tokenizer guarantees both.
    func encode(_ sequences: [[Int32]]) -> [[Float]] {
        parameters.withUnsafeBufferPointer { all in
            encode(sequences, weights: all.baseAddress!)
        }
    }

    private func encode(_ sequences: [[Int32]], weights base: UnsafePointer<Float>) -> [[Float]] {
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
        let states = Matrix(rows: tokenCount, columns: hidden)
        let qkv = Matrix(rows: tokenCount, columns: 3 * hidden)
        let context = Matrix(rows: tokenCount, columns: hidden)
        let attended = Matrix(rows: tokenCount, columns: hidden)
        let expanded = Matrix(rows: tokenCount, columns: intermediate)
        let scores = Matrix(rows: longest, columns: longest)
        defer { [states, qkv, context, attended, expanded, scores].forEach { $0.free() } }

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

        let scale = 1 / Float(headSize).squareRoot()
        for layer in layers {
            multiply(states, by: w(layer.qkvWeight), into: qkv)
            for r in 0..<tokenCount { VectorMath.add(w(layer.qkvBias), to: qkv[r], count: 3 * hidden) }

            // Self-attention per sequence and head, over that sequence's rows only.
            var start = 0
            for sequence in sequences {
                let n = sequence.count
                for head in 0..<heads {
                    let query = qkv[start] + head * headSize
                    let key = query + hidden
                    let value = query + 2 * hidden
                    // scores = scale · Q Kᵀ   (n × n)
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, blas(n), blas(n), blas(headSize),
                                scale, query, blas(3 * hidden), key, blas(3 * hidden), 0, scores.base, blas(n))
                    for i in 0..<n { VectorMath.softmax(scores.base + i * n, count: n) }
                    // context = softmax(scores) · V   (n × headSize), into this head's columns
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, blas(n), blas(headSize), blas(n),
                                1, scores.base, blas(n), value, blas(3 * hidden), 0, context[start] + head * headSize, blas(hidden))
                }
                start += n
            }

            // attended = LayerNorm(context · Woᵀ + bias + states): the attention block's output,
            // and the feed-forward's input and residual.
            multiply(context, by: w(layer.attentionOutputWeight), into: attended)
            for r in 0..<tokenCount {
                VectorMath.add(w(layer.attentionOutputBias), to: attended[r], count: hidden)
                VectorMath.add(states[r], to: attended[r], count: hidden)
                VectorMath.layerNorm(attended[r], count: hidden, gamma: w(layer.attentionNormGamma),
                                     beta: w(layer.attentionNormBeta), epsilon: epsilon)
            }
            multiply(attended, by: w(layer.intermediateWeight), into: expanded)
            let intermediateBias = w(layer.intermediateBias)
            switch config.activation {
            case .gelu: VectorMath.biasGELU(expanded.base, rows: tokenCount, columns: intermediate, bias: intermediateBias)
            case .geluTanh: VectorMath.biasGELUTanh(expanded.base, rows: tokenCount, columns: intermediate, bias: intermediateBias)
            case .relu: VectorMath.biasReLU(expanded.base, rows: tokenCount, columns: intermediate, bias: intermediateBias)
            }
            // states = LayerNorm(expanded · W2ᵀ + bias + attended), the next layer's input.
            multiply(expanded, by: w(layer.outputWeight), into: states)
            for r in 0..<tokenCount {
                VectorMath.add(w(layer.outputBias), to: states[r], count: hidden)
                VectorMath.add(attended[r], to: states[r], count: hidden)
                VectorMath.layerNorm(states[r], count: hidden, gamma: w(layer.outputNormGamma),
                                     beta: w(layer.outputNormBeta), epsilon: epsilon)
            }
        }

        // Mean over each sequence's tokens, then L2 normalisation (as torch's F.normalize: the
        // norm is floored at 1e-12, so a zero vector stays zero instead of becoming NaN).
        var vectors: [[Float]] = []
        vectors.reserveCapacity(sequences.count)
        var first = 0
        for sequence in sequences {
            var sum = [Double](repeating: 0, count: hidden)
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

    /// output = input · weightᵀ: a linear layer with PyTorch's [out × in] weight layout.
    private func multiply(_ input: Matrix, by weight: UnsafePointer<Float>, into output: Matrix) {
        let rows = input.rows, inner = input.columns, outer = output.columns
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, blas(rows), blas(outer), blas(inner),
                    1, input.base, blas(inner), weight, blas(inner), 0, output.base, blas(outer))
    }
}

/// A row-major Float matrix in memory this pass owns; freed by the caller (`free()`).
private struct Matrix {
    let rows: Int
    let columns: Int
    let base: UnsafeMutablePointer<Float>

    init(rows: Int, columns: Int) {
        self.rows = rows
        self.columns = columns
        base = .allocate(capacity: max(rows * columns, 1))
    }

    subscript(row: Int) -> UnsafeMutablePointer<Float> { base + row * columns }

    func free() { base.deallocate() }
}

/// BLAS takes 32-bit sizes (`blasint`); every size here is far below that.
@inline(__always)
private func blas(_ value: Int) -> Int32 { Int32(value) }
