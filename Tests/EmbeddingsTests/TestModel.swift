import Embeddings
import Foundation

/// The model and reference data the tests run against.
enum TestModel {
    /// The project root (this file is Tests/EmbeddingsTests/TestModel.swift).
    static let projectRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }()

    /// `$PAPERBOY_MODEL_DIR`, else `models/all-MiniLM-L6-v2` under the project root, where
    /// `scripts/setup.sh` puts it.
    static let folder: String = {
        if let path = ProcessInfo.processInfo.environment["PAPERBOY_MODEL_DIR"], !path.isEmpty { return path }
        return projectRoot.appendingPathComponent("models/all-MiniLM-L6-v2").path
    }()

    struct ModelMissing: Error, CustomStringConvertible {
        let description: String
    }

    /// Fails the calling test with what to do when the model is not installed: CI runs setup first,
    /// so a missing model is a broken setup, never a reason to skip.
    static func requireInstalled() throws {
        let weights = URL(fileURLWithPath: folder).appendingPathComponent("model.safetensors").path
        guard FileManager.default.fileExists(atPath: weights) else {
            throw ModelMissing(description: "The embedding model is not installed at \(folder). Run scripts/setup.sh --tests (or set PAPERBOY_MODEL_DIR to a model folder).")
        }
    }

    /// Loaded once for all tests, in each precision: the embedder is immutable and safe to share.
    private static let shared = Result { try SentenceEmbedder(modelFolder: folder) }
    private static let float32 = Result { try SentenceEmbedder(modelFolder: folder, precision: .float32) }
    private static let bfloat16 = Result { try SentenceEmbedder(modelFolder: folder, precision: .bfloat16) }

    /// The embedder as Paperboy runs it (`MatrixPrecision.preferred`).
    static func embedder() throws -> SentenceEmbedder {
        try requireInstalled()
        return try shared.get()
    }

    /// The embedder in `precision` (bfloat16 falls back to Float32 on CPUs without it).
    static func embedder(precision: MatrixPrecision) throws -> SentenceEmbedder {
        try requireInstalled()
        return try (precision == .float32 ? float32 : bfloat16).get()
    }

    static func tokenizer() throws -> WordPieceTokenizer {
        try embedder().tokenizer
    }

    /// One line of `../shared/fixtures/minilm/reference.jsonl`, made with sentence-transformers.
    struct Reference: Decodable, Sendable {
        let text: String
        let input_ids: [Int32]
        let embedding: [Float]
    }

    static let references: [Reference] = {
        let file = projectRoot.deletingLastPathComponent().appendingPathComponent("shared/fixtures/minilm/reference.jsonl")
        guard let text = try? String(contentsOf: file, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONDecoder().decode(Reference.self, from: Data($0.utf8)) }
    }()
}

func cosine(_ a: [Float], _ b: [Float]) -> Float {
    guard a.count == b.count, !a.isEmpty else { return -2 }
    var dot: Float = 0, normA: Float = 0, normB: Float = 0
    for i in a.indices {
        dot += a[i] * b[i]
        normA += a[i] * a[i]
        normB += b[i] * b[i]
    }
    return dot / (normA.squareRoot() * normB.squareRoot())
}

/// A short, printable label for a fixture text in failure messages.
func label(_ text: String) -> String {
    let short = text.count > 60 ? String(text.prefix(60)) + "…" : text
    return String(reflecting: short)
}
