import Embeddings
import Foundation
import Testing

/// Broken model folders and weight files must give errors that name the file (and tensor), never a crash.
@Suite struct ModelLoadingTests {
    /// A new folder with the real model's small files (config, vocabulary, tokenizer config) but
    /// no weights; each test adds the weights file it is about.
    private func brokenModelFolder() throws -> URL {
        try TestModel.requireInstalled()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("paperboy-embeddings-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for name in ["config.json", "vocab.txt", "tokenizer_config.json", "sentence_bert_config.json"] {
            try FileManager.default.copyItem(
                at: URL(fileURLWithPath: TestModel.folder).appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
        return folder
    }

    private func loadError(_ folder: URL) -> EmbeddingModelError? {
        do {
            _ = try SentenceEmbedder(modelFolder: folder.path)
            return nil
        } catch {
            return error as? EmbeddingModelError
        }
    }

    /// A safetensors file from (name, dtype, shape, bytes) entries.
    private func safetensors(_ tensors: [(String, String, [Int], [UInt8])]) throws -> Data {
        var header: [String: Any] = ["__metadata__": ["format": "pt"]]
        var body: [UInt8] = []
        for (name, dtype, shape, bytes) in tensors {
            header[name] = ["dtype": dtype, "shape": shape, "data_offsets": [body.count, body.count + bytes.count]]
            body += bytes
        }
        let json = try JSONSerialization.data(withJSONObject: header)
        return headerLength(json.count) + json + Data(body)
    }

    private func headerLength(_ length: Int) -> Data {
        Data((0..<8).map { UInt8(truncatingIfNeeded: UInt64(length) >> (8 * $0)) })
    }

    @Test func aMissingFolderIsNamed() {
        let error = loadError(URL(fileURLWithPath: "/nonexistent/model-folder"))
        #expect(error == .missingFile(path: "/nonexistent/model-folder"))
    }

    @Test func aMissingWeightsFileIsNamed() throws {
        let folder = try brokenModelFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let error = try #require(loadError(folder))
        #expect(error == .missingFile(path: folder.appendingPathComponent("model.safetensors").path))
        #expect(error.description.contains("model.safetensors"))
    }

    @Test func aMissingVocabularyIsNamed() throws {
        let folder = try brokenModelFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.removeItem(at: folder.appendingPathComponent("vocab.txt"))
        try FileManager.default.createSymbolicLink(
            at: folder.appendingPathComponent("model.safetensors"),
            withDestinationURL: URL(fileURLWithPath: TestModel.folder).appendingPathComponent("model.safetensors"))
        let error = try #require(loadError(folder))
        #expect(error.description.contains("vocab.txt"))
    }

    @Test func aTruncatedWeightsFileNamesTheFileAndATensor() throws {
        let folder = try brokenModelFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let real = try Data(contentsOf: URL(fileURLWithPath: TestModel.folder).appendingPathComponent("model.safetensors"))
        let weights = folder.appendingPathComponent("model.safetensors")
        try real.prefix(1_000_000).write(to: weights)
        let error = try #require(loadError(folder))
        guard case .malformedTensor(let path, let tensor, let reason) = error else {
            Issue.record("expected a tensor error, got \(error)")
            return
        }
        #expect(path == weights.path)
        #expect(!tensor.isEmpty)
        #expect(reason.contains("truncated"))
        #expect(error.description.contains("model.safetensors") && error.description.contains(tensor))
    }

    @Test func aFileCutInsideItsHeaderIsRefused() throws {
        let folder = try brokenModelFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let real = try Data(contentsOf: URL(fileURLWithPath: TestModel.folder).appendingPathComponent("model.safetensors"))
        try real.prefix(100).write(to: folder.appendingPathComponent("model.safetensors"))
        let error = try #require(loadError(folder))
        #expect(error.description.contains("model.safetensors") && error.description.contains("header length"))
    }

    @Test func aHeaderThatIsNotJSONIsRefused() throws {
        let folder = try brokenModelFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let header = Data("{\"embeddings.word_embeddings.weight\": {\"dtype\": \"F32\", ".utf8)
        try (headerLength(header.count) + header).write(to: folder.appendingPathComponent("model.safetensors"))
        let error = try #require(loadError(folder))
        guard case .malformedFile(let path, let reason) = error else {
            Issue.record("expected a file error, got \(error)")
            return
        }
        #expect(path.hasSuffix("model.safetensors"))
        #expect(reason.contains("not valid JSON"))
    }

    @Test func aFileTooShortForTheLengthIsRefused() throws {
        let folder = try brokenModelFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data([1, 2, 3]).write(to: folder.appendingPathComponent("model.safetensors"))
        let error = try #require(loadError(folder))
        #expect(error.description.contains("too short"))
    }

    @Test func aMissingTensorIsNamed() throws {
        let folder = try brokenModelFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let weights = folder.appendingPathComponent("model.safetensors")
        try safetensors([("pooler.dense.bias", "F32", [2], [0, 0, 128, 63, 0, 0, 0, 64])]).write(to: weights)
        let error = try #require(loadError(folder))
        #expect(error == .missingTensor(path: weights.path, tensor: "embeddings.word_embeddings.weight"))
    }

    @Test func aTensorOfTheWrongShapeIsNamed() throws {
        let folder = try brokenModelFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let weights = folder.appendingPathComponent("model.safetensors")
        try safetensors([("embeddings.word_embeddings.weight", "F32", [1, 2], [UInt8](repeating: 0, count: 8))]).write(to: weights)
        let error = try #require(loadError(folder))
        #expect(error.description.contains("embeddings.word_embeddings.weight") && error.description.contains("[30522, 384]"))
    }

    @Test func aConfigWithoutHiddenSizeIsNamed() throws {
        let folder = try brokenModelFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(#"{"model_type": "bert", "num_hidden_layers": 6}"#.utf8).write(to: folder.appendingPathComponent("config.json"))
        try safetensors([]).write(to: folder.appendingPathComponent("model.safetensors"))
        let error = try #require(loadError(folder))
        #expect(error.description.contains("config.json") && error.description.contains("hidden_size"))
    }

    @Test func readsFloat32Float16AndBFloat16Tensors() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("paperboy-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: file) }
        // 1.5, -2 as F32; 1.5, -2, 2^-24 (smallest subnormal), 65504 as F16; 1.5, -2 as BF16.
        try safetensors([
            ("f32", "F32", [2], [0, 0, 0xC0, 0x3F, 0, 0, 0, 0xC0]),
            ("f16", "F16", [2, 2], [0x00, 0x3E, 0x00, 0xC0, 0x01, 0x00, 0xFF, 0x7B]),
            ("bf16", "BF16", [2], [0xC0, 0x3F, 0x00, 0xC0]),
            ("ids", "I64", [1], [1, 0, 0, 0, 0, 0, 0, 0]),
        ]).write(to: file)
        let tensors = try SafetensorsFile(path: file.path)
        #expect(try tensors.floats("f32") == [1.5, -2])
        #expect(try tensors.floats("f16", shape: [2, 2]) == [1.5, -2, 0x1p-24, 65504])
        #expect(try tensors.floats("bf16") == [1.5, -2])
        #expect(tensors.metadata["format"] == "pt")
        #expect(throws: EmbeddingModelError.self) { try tensors.floats("ids") }
        #expect(throws: EmbeddingModelError.self) { try tensors.floats("f16", shape: [4]) }
    }

    @Test func findsTheTransformerInASentenceTransformersSubfolder() throws {
        try TestModel.requireInstalled()
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("paperboy-embeddings-\(UUID().uuidString)")
        let sub = root.appendingPathComponent("0_Transformer")
        try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        for name in ["config.json", "vocab.txt", "tokenizer_config.json", "sentence_bert_config.json", "model.safetensors"] {
            try FileManager.default.createSymbolicLink(
                at: sub.appendingPathComponent(name),
                withDestinationURL: URL(fileURLWithPath: TestModel.folder).appendingPathComponent(name))
        }
        try Data(#"[{"idx": 0, "name": "0", "path": "0_Transformer", "type": "sentence_transformers.models.Transformer"}]"#.utf8)
            .write(to: root.appendingPathComponent("modules.json"))
        let folder = try ModelFolder(path: root.path)
        #expect(folder.transformerPath == sub.path)
        #expect(folder.maxSequenceLength == 256)
        #expect(folder.lowercase)
    }
}
