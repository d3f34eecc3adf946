import NIOConcurrencyHelpers

/// Counts requests per key (a client address, a user) in fixed windows, in this process.
/// A refused request learns how long until its window ends, for `Retry-After`.
final class RateLimiter: Sendable {
    private struct Window {
        var start: ContinuousClock.Instant
        var count: Int
    }

    let limit: RateLimit
    private let windows = NIOLockedValueBox([String: Window]())
    /// Past this many keys, windows that have ended are dropped, so memory stays bounded.
    private let pruneAbove = 10_000

    init(_ limit: RateLimit) {
        self.limit = limit
    }

    /// nil when the request may go ahead (and is counted), else the wait before it would be.
    func admit(_ key: String, now: ContinuousClock.Instant = .now) -> Duration? {
        windows.withLockedValue { windows in
            if windows.count > pruneAbove {
                windows = windows.filter { now - $0.value.start < limit.window }
            }
            var window = windows[key] ?? Window(start: now, count: 0)
            if now - window.start >= limit.window { window = Window(start: now, count: 0) }
            guard window.count < limit.requests else { return limit.window - (now - window.start) }
            window.count += 1
            windows[key] = window
            return nil
        }
    }

    /// Whole seconds to wait, at least 1, as `Retry-After` writes them.
    static func seconds(_ wait: Duration) -> Int {
        let (seconds, attoseconds) = wait.components
        return max(1, Int(seconds) + (attoseconds > 0 ? 1 : 0))
    }
}
