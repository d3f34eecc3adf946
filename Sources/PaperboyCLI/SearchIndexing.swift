import Catalog

/// Brings the search index up to date after a command wrote papers, with progress: imports
/// write the catalog first and index afterwards (see migration `003-keyword-search`).
func updateSearchIndex(_ catalog: any CatalogStore) async throws {
    let backlog = try await catalog.searchIndexBacklog()
    guard backlog > 0 else { return }
    let progress = ProgressReporter(label: "search index", totalBytes: Int64(backlog))
    var done = 0
    while true {
        let indexed = try await catalog.updateSearchIndex(limit: 5_000)
        if indexed == 0 { break }
        done += indexed
        progress.update(records: done, bytes: Int64(done))
    }
    progress.finish()
    print("search index: \(done) papers indexed")
}
