import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// GETs pages from arXiv's services the way arXiv asks robots to behave
/// (https://info.arxiv.org/help/api/tou.html): no more than one request every few seconds,
/// backing off on server errors and time-outs, and waiting as long as a 503's `Retry-After` says.
public actor PoliteHTTPClient {
    public struct Policy: Sendable {
        /// Minimum time between the starts of two requests.
        public var minimumInterval: Duration = .seconds(3)
        /// Attempts per page before giving up (the first included).
        public var maxAttempts = 5
        /// Back-off after the first failure; doubles each time.
        public var initialBackoff: Duration = .seconds(5)
        /// Longest wait honoured from a `Retry-After` header, and longest back-off.
        public var maxWait: Duration = .seconds(600)
        public var timeout: Duration = .seconds(60)
        /// Largest response body accepted.
        public var maxBodyBytes = 256 << 20

        public init() {}
    }

    public enum FetchError: Error, CustomStringConvertible {
        case status(url: String, code: Int, body: String)
        case gaveUp(url: String, attempts: Int, last: String)

        public var description: String {
            switch self {
            case .status(let url, let code, let body):
                "\(url): HTTP \(code)\(body.isEmpty ? "" : ": \(body.prefix(200))")"
            case .gaveUp(let url, let attempts, let last):
                "\(url): gave up after \(attempts) attempts; last failure: \(last)"
            }
        }
    }

    private let http: HTTPClient
    private let ownsClient: Bool
    private let policy: Policy
    private let logger: Logger
    private let userAgent: String
    private var lastRequestStart: ContinuousClock.Instant?

    public init(policy: Policy = Policy(), logger: Logger = Logger(label: "paperboy.http"), userAgent: String = "Paperboy/0.1 (self-hosted Daily Papers)") {
        http = HTTPClient(eventLoopGroupProvider: .singleton)
        ownsClient = true
        self.policy = policy
        self.logger = logger
        self.userAgent = userAgent
    }

    /// Must be called once done; the underlying client holds connections.
    public func shutdown() async throws {
        if ownsClient { try await http.shutdown() }
    }

    /// Fetches `url`, retrying as the policy says; returns the body of a 2xx response.
    public func get(_ url: String) async throws -> [UInt8] {
        var lastFailure = ""
        var backoff = policy.initialBackoff
        for attempt in 1...policy.maxAttempts {
            try await waitForTurn()
            var request = HTTPClientRequest(url: url)
            request.headers.add(name: "User-Agent", value: userAgent)
            var wait: Duration? = nil
            do {
                let response = try await http.execute(request, timeout: .seconds(Int64(policy.timeout.components.seconds)))
                let body = try await response.body.collect(upTo: policy.maxBodyBytes)
                let code = Int(response.status.code)
                if (200..<300).contains(code) {
                    return Array(buffer: body)
                }
                let text = String(buffer: body)
                lastFailure = "HTTP \(code)"
                if code == 503 || code == 429 || code >= 500 {
                    if let retryAfter = response.headers.first(name: "Retry-After").flatMap(Self.retryAfter) {
                        wait = min(retryAfter, policy.maxWait)
                    }
                } else {
                    throw FetchError.status(url: url, code: code, body: text.collapsingSpaces())
                }
            } catch let error as FetchError {
                throw error
            } catch {
                lastFailure = "\(error)"
            }
            guard attempt < policy.maxAttempts else { break }
            let delay = wait ?? backoff
            logger.warning("\(url): \(lastFailure); retrying in \(delay) (attempt \(attempt + 1) of \(policy.maxAttempts))")
            try await Task.sleep(for: delay)
            backoff = min(backoff * 2, policy.maxWait)
        }
        throw FetchError.gaveUp(url: url, attempts: policy.maxAttempts, last: lastFailure)
    }

    /// Sleeps until the minimum interval since the previous request has passed.
    private func waitForTurn() async throws {
        let clock = ContinuousClock()
        if let last = lastRequestStart {
            let due = last.advanced(by: policy.minimumInterval)
            if due > clock.now { try await Task.sleep(until: due, clock: clock) }
        }
        lastRequestStart = clock.now
    }

    /// `Retry-After` as delta-seconds (the HTTP-date form is rare from arXiv; it is treated as absent).
    static func retryAfter(_ value: String) -> Duration? {
        guard let seconds = Int(value.trimmingCharacters(in: .whitespaces)), seconds >= 0 else { return nil }
        return .seconds(seconds)
    }
}

extension String {
    fileprivate func collapsingSpaces() -> String {
        split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}
