import Catalog
import Foundation
import Hummingbird
import NIOConcurrencyHelpers

/// Keeps rendered pages, feeds and API answers until the catalog changes.
///
/// Every request asks the catalog for its `contentVersion` (one tiny query); an answer made at
/// the same version is sent again without touching the papers. A write by any process moves
/// the version on and empties the cache, so nobody ever sees an answer older than the data.
/// Answers also expire after `lifetime`, because trending moves with the clock.
/// Searches are not cached: their long tail would only churn the cache.
final class ResponseCache: Sendable {
    private struct Entry {
        let answer: BufferedResponse
        let created: ContinuousClock.Instant
    }

    private struct State {
        var version = -1
        var entries: [String: Entry] = [:]
    }

    private let state = NIOLockedValueBox(State())
    private let catalog: any CatalogStore
    /// nil: the cache is off and every answer is made anew.
    private let lifetime: Duration?
    private let capacity: Int

    init(catalog: any CatalogStore, lifetime: Duration?, capacity: Int = 1_000) {
        self.catalog = catalog
        self.lifetime = lifetime
        self.capacity = capacity
    }

    /// The cached answer for `key`, or `make`'s, kept when it is a success or a redirect.
    func answer(_ key: String, make: () async throws -> BufferedResponse) async throws -> BufferedResponse {
        guard let lifetime else { return try await make() }
        let version = try await catalog.contentVersion()
        let now = ContinuousClock.now
        let cached: BufferedResponse? = state.withLockedValue { state in
            if state.version != version {
                state.version = version
                state.entries.removeAll(keepingCapacity: true)
                return nil
            }
            guard let entry = state.entries[key], now - entry.created < lifetime else { return nil }
            return entry.answer
        }
        if let cached { return cached }
        let answer = try await make()
        guard answer.status == .ok || answer.status == .found else { return answer }
        state.withLockedValue { state in
            guard state.version == version else { return }  // the catalog moved on meanwhile
            if state.entries.count >= capacity { state.entries.removeAll(keepingCapacity: true) }
            state.entries[key] = Entry(answer: answer, created: now)
        }
        return answer
    }
}
