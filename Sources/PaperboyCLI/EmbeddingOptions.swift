import ArgumentParser
import Catalog
import Embeddings
import Foundation
import SemanticSearch

/// Where the sentence-embedding model is, for every command that embeds (embed, import,
/// ingest) or searches by meaning (serve).
enum EmbeddingModel {
    static let defaultFolder = "models/all-MiniLM-L6-v2"

    /// The folder given, else `$PAPERBOY_MODEL_DIR`, else the default (where scripts/setup.sh
    /// installs all-MiniLM-L6-v2).
    static func folder(_ given: String?) -> String {
        given ?? ProcessInfo.processInfo.environment["PAPERBOY_MODEL_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? defaultFolder
    }

    /// Vectors are stored under the model folder's name: a different model is a different space.
    static func name(of folder: String) -> String {
        URL(fileURLWithPath: folder).standardizedFileURL.lastPathComponent
    }

    static func isInstalled(_ folder: String) -> Bool {
        FileManager.default.fileExists(atPath: URL(fileURLWithPath: folder).appendingPathComponent("config.json").path)
    }
}

/// `--model` and `--no-embed` for the commands that write papers: new and changed papers are
/// embedded right after they are written, like the search index is brought up to date.
struct EmbeddingOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "The sentence-embedding model folder. Default: $PAPERBOY_MODEL_DIR, else \(EmbeddingModel.defaultFolder).", valueName: "folder"))
    var model: String?

    @Flag(help: "Don't compute embeddings for the new papers now: `paperboy embed` or `paperboy serve` will.")
    var noEmbed = false

    /// Embeds the backlog when a model is installed; says how to get semantic search when not.
    func embedNewPapers(_ catalog: any CatalogStore) async throws {
        guard !noEmbed else { return }
        let folder = EmbeddingModel.folder(model)
        guard EmbeddingModel.isInstalled(folder) else {
            print("embeddings: no model at \(folder), so semantic search will not see these papers yet (scripts/setup.sh installs one; then run paperboy embed)")
            return
        }
        let embedder = try SentenceEmbedder(modelFolder: folder, threads: ProcessInfo.processInfo.activeProcessorCount)
        try await computeEmbeddings(catalog, embedder: embedder, modelName: EmbeddingModel.name(of: folder))
    }
}

/// Embeds the papers that have no vector yet, in batches of one transaction each, with
/// progress, and answers how many it embedded. Stopping at any point loses at most a batch.
@discardableResult
func computeEmbeddings(
    _ catalog: any CatalogStore, embedder: SentenceEmbedder, modelName: String, batchSize: Int = 64, limit: Int? = nil
) async throws -> Int {
    let backlog = min(try await catalog.embeddingBacklog(model: modelName), limit ?? .max)
    guard backlog > 0 else { return 0 }
    let progress = ProgressReporter(label: "embed", totalBytes: Int64(backlog))
    var done = 0
    while done < backlog {
        let papers = try await catalog.claimPapersToEmbed(model: modelName, limit: min(batchSize, backlog - done), lease: .seconds(600))
        if papers.isEmpty { break }
        let vectors = embedder.embed(papers.map(SemanticIndex.text(of:)))
        try await catalog.storeEmbeddings(zip(papers, vectors).map { ($0.id, $1) }, model: modelName)
        done += papers.count
        progress.update(records: done, bytes: Int64(done))
    }
    progress.finish()
    print("embed: \(done) papers embedded with \(modelName) (\(embedder.dimension) dimensions)")
    return done
}
