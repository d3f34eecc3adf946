import ArgumentParser
import Catalog
import CatalogSQLite
import Embeddings
import Foundation

/// `paperboy embed`: computes the sentence embeddings of the papers that have none yet.
struct EmbedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Compute sentence embeddings (title and abstract) for the papers that have none yet.",
        discussion: """
            Papers are queued for embedding when they are imported or their title or abstract
            changes. This command works through the queue in batches, each stored in one
            transaction: stop it at any time and run it again to go on. Changing the model
            queues every paper again. The model folder is --model, or $PAPERBOY_MODEL_DIR, else
            models/all-MiniLM-L6-v2 (scripts/setup.sh installs it there).
            """
    )

    @OptionGroup var database: DatabaseOptions

    @Option(help: ArgumentHelp("A sentence-transformers model folder (config.json, model.safetensors, vocab.txt).", valueName: "folder"))
    var model: String?

    @Option(help: "Papers per batch (per transaction).")
    var batchSize = 64

    @Option(help: "Stop after this many papers (default: the whole queue).")
    var limit: Int?

    @Option(help: "Cores to use (default: all).")
    var threads = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        guard (1...4_096).contains(batchSize) else { throw ValidationError("--batch-size must be between 1 and 4096") }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
    }

    func run() async throws {
        // The model first: a missing or broken one stops the command before the catalog is touched.
        let folder = EmbeddingModel.folder(model)
        let embedder: SentenceEmbedder
        do { embedder = try SentenceEmbedder(modelFolder: folder, threads: threads) } catch {
            printError("\(error)")
            throw ExitCode(1)
        }
        try await database.withCatalog { catalog in
            let modelName = EmbeddingModel.name(of: folder)
            if try await computeEmbeddings(catalog, embedder: embedder, modelName: modelName, batchSize: batchSize, limit: limit) == 0 {
                print("embed: every paper has a vector from \(modelName)")
            }
        }
    }
}
