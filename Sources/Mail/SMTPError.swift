/// Why an SMTP exchange failed, with what the client was doing at the time and, when the server
/// said no, its reply. Every failure is either transient (the same message may go through later:
/// 4xx replies, time-outs, dropped or refused connections) or permanent (5xx replies, and
/// configurations that cannot work, such as a required STARTTLS the server does not offer).
public struct SMTPError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The server answered with a 4xx or 5xx reply.
        case rejected(SMTPReply)
        /// The server answered with a positive code the protocol does not allow here.
        case unexpectedReply(SMTPReply)
        /// No reply (or no connection) within the configured time.
        case timeout(Duration)
        /// The TCP connection could not be made.
        case connectionFailed(String)
        /// The server closed the connection (or it broke) before answering.
        case connectionClosed(String?)
        /// `transportSecurity` is `.required` and the server does not offer STARTTLS.
        case startTLSUnavailable
        /// The TLS handshake failed: an untrusted certificate, a wrong host name, no shared cipher.
        case tlsFailed(String)
        /// Credentials are configured but the server offers none of the mechanisms we speak.
        case authenticationUnavailable(offered: [String])
        /// Credentials are configured, the connection is not encrypted, and
        /// `allowsAuthenticationWithoutTLS` is off: the password is not sent.
        case authenticationWithoutTLSRefused
        /// The message is larger than the SIZE the server announced (RFC 1870).
        case messageTooLarge(size: Int, limit: Int)
        /// The server sent something that is not an SMTP reply.
        case protocolViolation(String)
        /// The caller's task was cancelled.
        case cancelled
        /// The caller's `beforeEndOfData` hook threw (its description here): the client closed
        /// the connection before the final ".", so the server discarded the message.
        case aborted(String)
    }

    public let kind: Kind
    /// What the client was doing: "connect to host:port", "greeting", "RCPT TO:<a@b>", "end of data".
    /// Never holds credentials.
    public let during: String

    public init(_ kind: Kind, during: String) {
        self.kind = kind
        self.during = during
    }

    /// True when trying again later may succeed.
    public var isTransient: Bool {
        switch kind {
        case .rejected(let reply), .unexpectedReply(let reply): reply.kind == .transientNegative
        // An aborted message was never refused by the server; whether to try it again is the
        // caller's call, which knows why its hook failed.
        case .timeout, .connectionFailed, .connectionClosed, .protocolViolation, .cancelled, .aborted: true
        case .startTLSUnavailable, .tlsFailed, .authenticationUnavailable, .authenticationWithoutTLSRefused,
            .messageTooLarge:
            false
        }
    }

    public var isPermanent: Bool { !isTransient }

    /// The server's reply code, when the server said no.
    public var replyCode: Int? {
        switch kind {
        case .rejected(let reply), .unexpectedReply(let reply): reply.code
        default: nil
        }
    }

    /// The server's reply text, when the server said no.
    public var serverText: String? {
        switch kind {
        case .rejected(let reply), .unexpectedReply(let reply): reply.text
        default: nil
        }
    }

    /// Whether the connection can still be used after this error: only when the server answered.
    var leavesConnectionUsable: Bool {
        switch kind {
        case .rejected(let reply): reply.code != 421  // 421: the server is closing the channel
        case .messageTooLarge: true
        default: false
        }
    }

    public var description: String {
        let what: String
        switch kind {
        case .rejected(let reply):
            what = "server replied \(reply)"
        case .unexpectedReply(let reply):
            what = "unexpected reply \(reply)"
        case .timeout(let limit):
            what = "no answer within \(limit)"
        case .connectionFailed(let reason):
            what = "could not connect: \(reason)"
        case .connectionClosed(let reason):
            what = "the connection was closed" + (reason.map { " (\($0))" } ?? "")
        case .startTLSUnavailable:
            what = "the server does not offer STARTTLS and the configuration requires it"
        case .tlsFailed(let reason):
            what = "TLS failed: \(reason)"
        case .authenticationUnavailable(let offered):
            what = "the server offers no AUTH mechanism we support (PLAIN, LOGIN); it offers "
                + (offered.isEmpty ? "none" : offered.joined(separator: " "))
        case .authenticationWithoutTLSRefused:
            what = "refusing to send credentials over an unencrypted connection; use STARTTLS or set allowsAuthenticationWithoutTLS"
        case .messageTooLarge(let size, let limit):
            what = "the message is \(size) bytes; the server accepts at most \(limit)"
        case .protocolViolation(let reason):
            what = "protocol error: \(reason)"
        case .cancelled:
            what = "cancelled"
        case .aborted(let cause):
            what = "stopped by the caller before the end of data, so the server discarded the message: \(cause)"
        }
        return "SMTP \(isTransient ? "transient" : "permanent") failure during \(during): \(what)"
    }
}
