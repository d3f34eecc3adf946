import Foundation
import Logging
import Mail

/// Sends one message now: how the site mails confirmation links. Digests go through
/// `DigestSender`, which holds its connections open for a whole run.
public protocol MailTransport: Sendable {
    func send(_ message: MailMessage) async throws
}

/// A message the relay did not take.
public struct MailNotSent: Error, CustomStringConvertible {
    public let reason: String
    public init(reason: String) { self.reason = reason }
    public var description: String { "the email could not be sent: \(reason)" }
}

/// `MailTransport` over SMTP: one session per message, a single quick retry. A person is
/// waiting on the page, so a relay that is down is reported at once rather than retried for
/// minutes.
public struct SMTPMailTransport: MailTransport {
    public let configuration: SMTPConfiguration
    private let deliverer: MailDeliverer

    public init(configuration: SMTPConfiguration, logger: Logger = Logger(label: "paperboy.mail")) {
        self.configuration = configuration
        deliverer = MailDeliverer(
            configuration: configuration, retryPolicy: MailRetryPolicy(maximumAttempts: 2, baseDelay: .seconds(1), maximumDelay: .seconds(2)),
            logger: logger)
    }

    public func send(_ message: MailMessage) async throws {
        guard let report = await deliverer.deliver([message]).first else { throw MailNotSent(reason: "nothing was attempted") }
        switch report.outcome {
        case .delivered: return
        case .permanentFailure(let error), .transientFailure(let error): throw MailNotSent(reason: "\(error)")
        }
    }
}
