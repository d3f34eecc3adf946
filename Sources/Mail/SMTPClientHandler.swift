import NIOCore
import NIOSSL

/// What the client writes into the channel: bytes to send (none for the greeting, which comes
/// unasked) and the promise that receives the reply they cause; no promise for bytes that cause
/// no reply of their own (a DATA section written ahead of its final ".").
struct SMTPRequest: Sendable {
    var bytes: ByteBuffer?
    /// What this is, for errors and logs ("RCPT TO:<a@b>"); never holds credentials.
    var label: String
    var reply: EventLoopPromise<SMTPReply>?
}

/// Matches replies to requests. SMTP answers commands strictly in order (RFC 5321 section
/// 4.1.1; RFC 2920 keeps that order under pipelining), so a FIFO of promises is the whole
/// protocol state here: any number of requests can be written before the first reply comes.
///
/// Each reply has its own time limit, counted from the moment it became the next one expected
/// (sent, or the previous reply arrived). When the limit passes, or the connection closes or
/// breaks, every waiting promise fails with the error and the channel is closed: after a lost
/// reply the request/reply pairing can no longer be trusted.
final class SMTPClientHandler: ChannelDuplexHandler {
    typealias InboundIn = SMTPReply
    typealias OutboundIn = SMTPRequest
    typealias OutboundOut = ByteBuffer

    private let replyTimeout: TimeAmount
    private let replyTimeoutDuration: Duration
    private var waiting = CircularBuffer<(label: String, promise: EventLoopPromise<SMTPReply>)>()
    /// Replies that came before anyone asked: the greeting can beat its request.
    private var unclaimed = CircularBuffer<SMTPReply>()
    private var timer: Scheduled<Void>?
    /// Set once the connection is unusable; later requests fail with it at once.
    private var failure: SMTPError?

    init(replyTimeout: Duration) {
        self.replyTimeoutDuration = replyTimeout
        let parts = replyTimeout.components
        self.replyTimeout = .nanoseconds(parts.seconds * 1_000_000_000 + parts.attoseconds / 1_000_000_000)
    }

    /// Whether a reply is received but not yet claimed (checked before STARTTLS's handshake).
    var hasUnclaimedReplies: Bool { !unclaimed.isEmpty }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        if let failure {
            request.reply?.fail(failure)
            promise?.fail(failure)
            return
        }
        if let bytes = request.bytes {
            context.write(wrapOutboundOut(bytes), promise: promise)
        } else {
            promise?.succeed()
        }
        guard let replyPromise = request.reply else { return }
        if let reply = unclaimed.popFirst() {
            replyPromise.succeed(reply)
            return
        }
        waiting.append((request.label, replyPromise))
        if waiting.count == 1 { startTimer(context: context) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let reply = unwrapInboundIn(data)
        guard let next = waiting.popFirst() else {
            unclaimed.append(reply)
            return
        }
        timer?.cancel()
        timer = nil
        if !waiting.isEmpty { startTimer(context: context) }
        next.promise.succeed(reply)
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(SMTPError(.connectionClosed(nil), during: waiting.first?.label ?? "idle"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let during = waiting.first?.label ?? "idle"
        let mapped: SMTPError
        switch error {
        case let error as SMTPError: mapped = error
        case let error as SMTPProtocolError: mapped = SMTPError(.protocolViolation(error.message), during: during)
        case is NIOSSLError, is NIOSSLExtraError:
            mapped = STARTTLSHandshakeHandler.smtpError(error, during: during, serverName: nil)
        case let error as BoringSSLError: mapped = SMTPError(.tlsFailed(String(describing: error)), during: during)
        default: mapped = SMTPError(.connectionClosed(String(describing: error)), during: during)
        }
        failAll(mapped)
        context.close(promise: nil)
    }

    private func startTimer(context: ChannelHandlerContext) {
        timer?.cancel()
        let label = waiting.first?.label ?? "reply"
        let limit = replyTimeoutDuration
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: replyTimeout) {
            self.failAll(SMTPError(.timeout(limit), during: label))
            context.close(promise: nil)
        }
    }

    private func failAll(_ error: SMTPError) {
        if failure == nil { failure = error }
        timer?.cancel()
        timer = nil
        while let next = waiting.popFirst() {
            // Requests behind the first did not fail on their own; they carry the same cause.
            next.promise.fail(failure ?? error)
        }
    }
}
