import Catalog
import Hummingbird
import NIOConcurrencyHelpers

/// `GET /healthz` for load balancers and orchestrators: 200 `ok` when the database answers a
/// small query within `timeout`, else 503 naming what failed, so an instance whose database is
/// away is taken out of rotation and put back by itself once the database answers again.
struct HealthCheck: Sendable {
    let catalog: any CatalogStore
    /// How long the check waits for the database. Short: a load balancer's own probe gives up
    /// after a few seconds, and a PostgreSQL pool may otherwise keep reconnecting for a minute.
    var timeout: Duration = .seconds(3)

    func response() async -> Response {
        let answer = await withDeadline { [catalog] in _ = try await catalog.paperCount() }
        switch answer {
        case .success:
            return Self.text("ok\n", status: .ok)
        case .failure(let error):
            return Self.text("unhealthy: database: \(error)\n", status: .serviceUnavailable)
        }
    }

    struct TimedOut: Error, CustomStringConvertible {
        var timeout: Duration
        var description: String { "no answer within \(timeout)" }
    }

    /// Runs `work` but answers after `timeout` at the latest. The work is left to finish on its
    /// own (a query cannot be taken back once sent), which a task group would wait for.
    private func withDeadline(_ work: @escaping @Sendable () async throws -> Void) async -> Result<Void, any Error> {
        let timeout = self.timeout
        let once = NIOLockedValueBox<CheckedContinuation<Result<Void, any Error>, Never>?>(nil)
        @Sendable func finish(_ result: Result<Void, any Error>) {
            once.withLockedValue { continuation in
                continuation?.resume(returning: result)
                continuation = nil
            }
        }
        return await withCheckedContinuation { continuation in
            once.withLockedValue { $0 = continuation }
            let query = Task {
                do { try await work(); finish(.success(())) } catch { finish(.failure(error)) }
            }
            Task {
                try? await Task.sleep(for: timeout)
                finish(.failure(TimedOut(timeout: timeout)))
                query.cancel()
            }
        }
    }

    private static func text(_ body: String, status: HTTPResponse.Status) -> Response {
        var response = Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: body)))
        response.headers[.cacheControl] = "no-store"
        return response
    }
}
