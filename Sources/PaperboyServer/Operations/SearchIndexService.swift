import Catalog
import Logging
import ServiceLifecycle

/// Keeps the search index current while the site runs: papers written by another process
/// (a cron `paperboy ingest`, say) become searchable within `interval`. Stops with the server.
struct SearchIndexService: Service {
    let catalog: any CatalogStore
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    var indexed = 0
                    while case let n = try await catalog.updateSearchIndex(limit: 2_000), n > 0 {
                        indexed += n
                        await Task.yield()
                    }
                    if indexed > 0 { logger.info("search index updated", metadata: ["papers": .stringConvertible(indexed)]) }
                } catch {
                    logger.error("search index update failed", metadata: ["error": .string("\(error)")])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
