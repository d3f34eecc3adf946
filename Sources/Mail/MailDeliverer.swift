import Logging
import NIOCore
import NIOPosix

/// How often and how patiently transient failures are retried.
public struct MailRetryPolicy: Sendable {
    /// Tries per message, the first included.
    public var maximumAttempts: Int
    /// The wait before the second try; each later wait doubles, up to `maximumDelay`.
    public var baseDelay: Duration
    public var maximumDelay: Duration

    public init(maximumAttempts: Int = 4, baseDelay: Duration = .seconds(5), maximumDelay: Duration = .seconds(300)) {
        self.maximumAttempts = max(1, maximumAttempts)
        self.baseDelay = baseDelay
        self.maximumDelay = maximumDelay
    }

    /// The wait after failed try number `attempt` (1-based): base, 2 × base, 4 × base, ...
    public func delay(afterAttempt attempt: Int) -> Duration {
        var delay = baseDelay
        for _ in 1..<max(1, attempt) {
            delay *= 2
            if delay >= maximumDelay { return maximumDelay }
        }
        return min(delay, maximumDelay)
    }
}

/// What became of one message.
public struct MailDeliveryReport: Sendable {
    public enum Outcome: Sendable {
        /// The relay accepted it (the receipt lists any recipients it refused alongside).
        case delivered(SMTPSendReceipt)
        /// Still failing transiently (4xx, time-outs, no connection) when the tries ran out; try again later.
        case transientFailure(SMTPError)
        /// Refused for good (5xx, or a configuration that cannot work); trying again will not help.
        case permanentFailure(SMTPError)
    }

    public let messageID: String
    public let outcome: Outcome
    /// Tries made; 0 when the message was not tried because the relay could not be reached for an earlier one.
    public let attempts: Int

    public var isDelivered: Bool {
        if case .delivered = outcome { return true }
        return false
    }
}

/// Sends a batch of messages over one SMTP session, reconnecting when the session breaks and
/// retrying transient failures with exponential back-off; reports what became of each message.
/// It keeps no state between calls: each `deliver` opens its own session and closes it.
public struct MailDeliverer: Sendable {
    public let configuration: SMTPConfiguration
    public let retryPolicy: MailRetryPolicy
    private let eventLoopGroup: any EventLoopGroup
    private let logger: Logger

    public init(
        configuration: SMTPConfiguration,
        retryPolicy: MailRetryPolicy = MailRetryPolicy(),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "paperboy.mail")
    ) {
        self.configuration = configuration
        self.retryPolicy = retryPolicy
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
    }

    /// Delivers `messages` in order and returns one report per message, in the same order.
    public func deliver(_ messages: [MailMessage]) async -> [MailDeliveryReport] {
        var reports: [MailDeliveryReport] = []
        var client: SMTPClient?
        var index = 0
        while index < messages.count {
            let message = messages[index]
            var attempt = 0
            var lastError: SMTPError?
            var failedToConnect = false
            while true {
                attempt += 1
                do throws(SMTPError) {
                    if Task.isCancelled { throw SMTPError(.cancelled, during: "deliver") }
                    failedToConnect = false
                    if let current = client, await !current.isUsable {
                        await current.close()
                        client = nil
                    }
                    if client == nil {
                        failedToConnect = true
                        client = try await SMTPClient.connect(configuration, eventLoopGroup: eventLoopGroup, logger: logger)
                        failedToConnect = false
                    }
                    let receipt = try await client!.send(message)
                    reports.append(MailDeliveryReport(messageID: message.messageID, outcome: .delivered(receipt), attempts: attempt))
                    lastError = nil
                    break
                } catch {
                    lastError = error
                    logger.warning(
                        "SMTP delivery attempt failed",
                        metadata: ["message": "\(message.messageID)", "attempt": "\(attempt)", "error": "\(error)"]
                    )
                    if !error.leavesConnectionUsable, let current = client {
                        await current.close()
                        client = nil
                    }
                    if error.isPermanent || attempt >= retryPolicy.maximumAttempts || error.kind == .cancelled { break }
                    try? await Task.sleep(for: retryPolicy.delay(afterAttempt: attempt))
                }
            }
            index += 1
            guard let error = lastError else { continue }
            let outcome: MailDeliveryReport.Outcome = error.isPermanent ? .permanentFailure(error) : .transientFailure(error)
            reports.append(MailDeliveryReport(messageID: message.messageID, outcome: outcome, attempts: attempt))
            // When the session itself cannot be opened (relay down, wrong password, no STARTTLS),
            // the remaining messages would fail the same way: they are reported untried rather
            // than hammering the relay once per message. Cancellation stops the batch too.
            if failedToConnect || error.kind == .cancelled {
                for rest in messages[index...] {
                    reports.append(MailDeliveryReport(messageID: rest.messageID, outcome: outcome, attempts: 0))
                }
                index = messages.count
            }
        }
        await client?.quit()
        return reports
    }
}
