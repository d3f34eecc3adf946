import Catalog
import Foundation
import Testing

/// Named jobs (a harvest every instance's cron starts): on PostgreSQL, one instance runs a job
/// while the others are told no at once; on a SQLite file every job runs.
@Suite struct ExclusiveJobTests {
    /// A job that holds on until it is told to finish, to overlap with others.
    actor Gate {
        private var opened = false
        private var waiters: [CheckedContinuation<Void, Never>] = []
        func wait() async {
            if opened { return }
            await withCheckedContinuation { waiters.append($0) }
        }
        func open() {
            opened = true
            for waiter in waiters { waiter.resume() }
            waiters = []
        }
    }

    @Test(arguments: Backend.available)
    func aJobRunsOnceAcrossInstancesAndIsFreeAgainAfterwards(backend: Backend) async throws {
        try await backend.withCatalog { catalog, openAnother in
            let started = Gate(), finish = Gate()
            try await openAnother { other in
                async let first: Int? = catalog.exclusively("ingest oai --set cs") {
                    await started.open()
                    await finish.wait()
                    return 1
                }
                await started.wait()
                // While the first runs: the same name elsewhere is declined, another name runs.
                let second = try await other.exclusively("ingest oai --set cs") { 2 }
                let elsewhere = try await other.exclusively("ingest oai --set math") { 3 }
                await finish.open()
                let firstResult = try await first
                #expect(firstResult == 1)
                switch backend {
                case .postgres: #expect(second == nil, "a second instance is told the job is running")
                case .sqlite: #expect(second == 2, "one machine runs every job")
                }
                #expect(elsewhere == 3)
                // Finished, the name is free again, also after a job that failed.
                #expect(try await other.exclusively("ingest oai --set cs") { 4 } == 4)
                await #expect(throws: CancellationError.self) {
                    _ = try await catalog.exclusively("ingest oai --set cs") { () -> Int in throw CancellationError() }
                }
                #expect(try await other.exclusively("ingest oai --set cs") { 5 } == 5)
            }
        }
    }
}
