import Community
import Foundation
import Logging
import ServiceLifecycle

/// Deletes expired sessions while the site runs, once at start and then every `interval`.
/// Expired sessions are refused when a cookie comes back, but their rows would stay: every
/// sign-in that is never logged out of leaves one, for good. Stops with the server.
struct SessionPurgeService: Service {
    let store: any CommunityStore
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await purge(now: Date())
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// One pass: deletes the sessions expired by `now` and logs how many went. Answers that
    /// number, or nil when the store failed (logged; the next pass tries again).
    @discardableResult
    func purge(now: Date) async -> Int? {
        do {
            let removed = try await store.deleteExpiredSessions(now: now)
            // A quiet hour is not news; a purge that removed sessions is.
            logger.log(level: removed > 0 ? .info : .debug, "expired sessions purged", metadata: ["sessions": .stringConvertible(removed)])
            return removed
        } catch {
            logger.error("purging expired sessions failed", metadata: ["error": .string("\(error)")])
            return nil
        }
    }
}
