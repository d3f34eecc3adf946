import Logging
import SemanticSearch
import ServiceLifecycle

/// Keeps semantic search current while the site runs: loads the stored vectors into memory at
/// start (in the background, so the site answers at once, with keyword results until vectors
/// exist), then computes the vectors of papers that have none, a small batch at a time, and
/// picks up vectors other processes stored. Stops with the server.
struct EmbeddingService: Service {
    let index: SemanticIndex
    let interval: Duration
    let logger: Logger

    /// Papers embedded per step: small, so a step takes a fraction of a second on one core and
    /// requests are never queued long behind it.
    static let batchSize = 16

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let loaded = try await index.refresh()
                    if loaded > 0 { logger.info("paper vectors loaded", metadata: ["vectors": "\(loaded)", "in_memory": "\(index.vectors.count)"]) }
                    var embedded = 0
                    while !Task.isCancelled, case let n = try await index.embedBacklog(batchSize: Self.batchSize), n > 0 {
                        embedded += n
                        if embedded % 1_024 == 0 { logger.info("papers embedded", metadata: ["papers": "\(embedded)"]) }
                        await Task.yield()
                    }
                    if embedded > 0 { logger.info("papers embedded", metadata: ["papers": "\(embedded)", "in_memory": "\(index.vectors.count)"]) }
                } catch {
                    logger.error("embedding failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
