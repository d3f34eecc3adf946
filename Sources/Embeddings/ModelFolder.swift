import Foundation

/// Where a BERT-family sentence-transformers model keeps its files, and what its small JSON files
/// say. Accepts a plain Hugging Face folder (`config.json`, `model.safetensors`, `vocab.txt` side by
/// side) or a sentence-transformers folder whose `modules.json` names the Transformer module's
/// subfolder (older models use `0_Transformer/`).
public struct ModelFolder: Sendable {
    public let path: String
    /// The folder that holds the transformer's files (the root or a module subfolder).
    public let transformerPath: String
    public var configFile: String { file("config.json") }
    public var weightsFile: String { file("model.safetensors") }
    public var vocabularyFile: String { file("vocab.txt") }

    public let config: BertConfig
    /// Lower-case (and strip accents) before tokenizing: `tokenizer_config.json`'s `do_lower_case`.
    public let lowercase: Bool
    public let stripAccents: Bool?
    public let splitChineseCharacters: Bool
    /// Tokens per text, [CLS] and [SEP] included: sentence-transformers' `max_seq_length` where the
    /// folder has one (256 for all-MiniLM-L6-v2, which was trained so), else the tokenizer's
    /// `model_max_length`, never more than the model has position embeddings for.
    public let maxSequenceLength: Int

    public init(path: String) throws {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else {
            throw EmbeddingModelError.missingFile(path: path)
        }
        self.path = path
        transformerPath = try Self.findTransformer(in: path)
        let transformerURL = URL(fileURLWithPath: transformerPath)
        for needed in ["config.json", "model.safetensors", "vocab.txt"] {
            let file = transformerURL.appendingPathComponent(needed).path
            guard FileManager.default.fileExists(atPath: file) else { throw EmbeddingModelError.missingFile(path: file) }
        }
        config = try BertConfig(file: transformerURL.appendingPathComponent("config.json").path)

        let tokenizerConfig = try Self.optionalJSON(transformerURL.appendingPathComponent("tokenizer_config.json").path)
        lowercase = tokenizerConfig["do_lower_case"] as? Bool ?? true
        stripAccents = tokenizerConfig["strip_accents"] as? Bool
        splitChineseCharacters = tokenizerConfig["tokenize_chinese_chars"] as? Bool ?? true

        // sentence_bert_config.json's own `do_lower_case` is an extra lower-casing step of
        // sentence-transformers, not the tokenizer's setting, so only its length is read.
        let sentenceConfig = try Self.optionalJSON(transformerURL.appendingPathComponent("sentence_bert_config.json").path)
        let requested = (sentenceConfig["max_seq_length"] as? Int) ?? (tokenizerConfig["model_max_length"] as? Int) ?? 512
        maxSequenceLength = min(max(requested, 2), config.maxPositionEmbeddings)

        if let pooling = try Self.poolingConfig(in: path) {
            let unsupportedModes = ["pooling_mode_cls_token", "pooling_mode_max_tokens", "pooling_mode_mean_sqrt_len_tokens",
                                    "pooling_mode_weightedmean_tokens", "pooling_mode_lasttoken"]
                .filter { pooling.json[$0] as? Bool == true }
            if !unsupportedModes.isEmpty || pooling.json["pooling_mode_mean_tokens"] as? Bool == false {
                throw EmbeddingModelError.unsupported(
                    path: pooling.path, reason: "only mean pooling is implemented (this model asks for \(unsupportedModes.joined(separator: ", ")))")
            }
        }
    }

    private func file(_ name: String) -> String {
        URL(fileURLWithPath: transformerPath).appendingPathComponent(name).path
    }

    private static func findTransformer(in path: String) throws -> String {
        let root = URL(fileURLWithPath: path)
        var candidates = [root]
        let modules = try optionalJSONArray(root.appendingPathComponent("modules.json").path)
        for module in modules where (module["type"] as? String)?.hasSuffix(".Transformer") == true {
            if let sub = module["path"] as? String, !sub.isEmpty { candidates.append(root.appendingPathComponent(sub)) }
        }
        candidates.append(root.appendingPathComponent("0_Transformer"))
        let found = candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("config.json").path) }
        // With no config.json anywhere, report the one in the root as missing: that is the usual layout.
        return (found ?? root).path
    }

    private static func poolingConfig(in path: String) throws -> (path: String, json: [String: Any])? {
        let root = URL(fileURLWithPath: path)
        let modules = try optionalJSONArray(root.appendingPathComponent("modules.json").path)
        for module in modules where (module["type"] as? String)?.hasSuffix(".Pooling") == true {
            if let sub = module["path"] as? String {
                let file = root.appendingPathComponent(sub).appendingPathComponent("config.json").path
                return (file, try optionalJSON(file))
            }
        }
        return nil
    }

    /// A JSON object file that may be absent (then empty); present but broken is an error.
    static func optionalJSON(_ path: String) throws -> [String: Any] {
        guard FileManager.default.fileExists(atPath: path) else { return [:] }
        guard let object = try readJSON(path) as? [String: Any] else {
            throw EmbeddingModelError.malformedFile(path: path, reason: "not a JSON object")
        }
        return object
    }

    private static func optionalJSONArray(_ path: String) throws -> [[String: Any]] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        guard let array = try readJSON(path) as? [[String: Any]] else {
            throw EmbeddingModelError.malformedFile(path: path, reason: "not a JSON array of objects")
        }
        return array
    }

    static func readJSON(_ path: String) throws -> Any {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw EmbeddingModelError.unreadableFile(path: path, reason: error.localizedDescription)
        }
        do { return try JSONSerialization.jsonObject(with: data) } catch {
            throw EmbeddingModelError.malformedFile(path: path, reason: "not valid JSON (\(error.localizedDescription))")
        }
    }
}

/// The parts of a BERT `config.json` the forward pass needs.
public struct BertConfig: Sendable, Equatable {
    public enum Activation: String, Sendable {
        /// The exact GELU, with erf (`hidden_act: "gelu"`).
        case gelu
        /// The tanh approximation (`gelu_new`, `gelu_pytorch_tanh`).
        case geluTanh
        case relu
    }

    public let hiddenSize: Int
    public let layerCount: Int
    public let headCount: Int
    public let intermediateSize: Int
    public let maxPositionEmbeddings: Int
    public let vocabularySize: Int
    public let typeVocabularySize: Int
    public let layerNormEpsilon: Float
    public let activation: Activation

    public init(file path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { throw EmbeddingModelError.missingFile(path: path) }
        guard let json = try ModelFolder.readJSON(path) as? [String: Any] else {
            throw EmbeddingModelError.malformedFile(path: path, reason: "not a JSON object")
        }
        func integer(_ key: String) throws -> Int {
            guard let value = json[key] as? Int, value > 0 else {
                throw EmbeddingModelError.malformedFile(path: path, reason: "\"\(key)\" is missing or not a positive integer")
            }
            return value
        }
        hiddenSize = try integer("hidden_size")
        layerCount = try integer("num_hidden_layers")
        headCount = try integer("num_attention_heads")
        intermediateSize = try integer("intermediate_size")
        maxPositionEmbeddings = try integer("max_position_embeddings")
        vocabularySize = try integer("vocab_size")
        typeVocabularySize = try integer("type_vocab_size")
        layerNormEpsilon = Float((json["layer_norm_eps"] as? Double) ?? 1e-12)
        guard hiddenSize % headCount == 0 else {
            throw EmbeddingModelError.malformedFile(path: path, reason: "hidden_size \(hiddenSize) is not a multiple of num_attention_heads \(headCount)")
        }
        switch json["hidden_act"] as? String ?? "gelu" {
        case "gelu": activation = .gelu
        case "gelu_new", "gelu_pytorch_tanh": activation = .geluTanh
        case "relu": activation = .relu
        case let other: throw EmbeddingModelError.unsupported(path: path, reason: "hidden_act \"\(other)\"")
        }
        if let type = json["position_embedding_type"] as? String, type != "absolute" {
            throw EmbeddingModelError.unsupported(path: path, reason: "position_embedding_type \"\(type)\" (only \"absolute\")")
        }
        // Other families (RoBERTa, MPNet, DistilBERT) name their weights and tokenize differently.
        if let type = json["model_type"] as? String, type != "bert" {
            throw EmbeddingModelError.unsupported(path: path, reason: "model_type \"\(type)\" (only \"bert\")")
        }
    }
}
