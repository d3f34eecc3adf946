import Foundation
import NIOCore
import NIOSSL
import NIOTLS

/// Sits right behind the `NIOSSLClientHandler` that STARTTLS adds and completes `completion`
/// when the handshake has finished, or fails it with a clear `SMTPError` when it cannot.
///
/// Without it the client would write its second EHLO at once; NIOSSL buffers that write until
/// the handshake ends, and a refused certificate then surfaces as whichever comes first of the
/// handshake error and the buffered write being discarded, often a "connection closed" that
/// looks transient. Waiting here means the certificate's verdict is read before anything else.
///
/// The wait has the session's reply time-out: a server that answers STARTTLS with 220 and then
/// never speaks TLS is given up on like a server that never answers a command.
final class STARTTLSHandshakeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    static let label = "STARTTLS handshake"

    private let completion: EventLoopPromise<Void>
    private let timeout: Duration
    /// The name the certificate had to carry, for the error message.
    private let serverName: String?
    private var timer: Scheduled<Void>?
    private var finished = false

    init(completion: EventLoopPromise<Void>, timeout: Duration, serverName: String?) {
        self.completion = completion
        self.timeout = timeout
        self.serverName = serverName
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let limit = timeout
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: SMTPClient.timeAmount(limit)) {
            self.finish(.failure(SMTPError(.timeout(limit), during: Self.label)), context: context)
            context.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        // Taken out of the pipeline before the handshake ended: the channel is being torn down.
        finish(.failure(SMTPError(.connectionClosed("before the TLS handshake finished"), during: Self.label)), context: context)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted = event {
            finish(.success(()), context: context)
            // Its work is done; later bytes go straight from TLS to the reply decoder.
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(.failure(Self.smtpError(error, during: Self.label, serverName: serverName)), context: context)
        // Passed on so the reply handler fails whatever may wait and closes the channel.
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.failure(SMTPError(.connectionClosed("during the TLS handshake"), during: Self.label)), context: context)
        context.fireChannelInactive()
    }

    private func finish(_ result: Result<Void, SMTPError>, context: ChannelHandlerContext) {
        guard !finished else { return }
        finished = true
        timer?.cancel()
        timer = nil
        completion.completeWith(result.mapError { $0 as any Error })
    }

    /// The `SMTPError` for an error NIOSSL raised. A connection that ends in the middle of the
    /// handshake is transient (a relay restarting drops connections that way); every other TLS
    /// failure is permanent: an untrusted or expired certificate, a certificate for another
    /// name, no protocol version or cipher in common. None of those mends itself on a retry.
    static func smtpError(_ error: any Error, during: String, serverName: String?) -> SMTPError {
        switch error {
        case let error as SMTPError:
            return error
        case NIOSSLError.handshakeFailed(.sslError(let stack)) where stack == [.eofDuringHandshake]:
            return SMTPError(.connectionClosed("the server closed the connection during the TLS handshake"), during: during)
        case NIOSSLError.uncleanShutdown:
            return SMTPError(.connectionClosed("the TLS connection ended without close_notify"), during: during)
        case NIOSSLError.handshakeFailed(let failure):
            return SMTPError(.tlsFailed(handshakeReason(failure, serverName: serverName)), during: during)
        case let error as NIOSSLExtraError where error == .failedToValidateHostname:
            let name = serverName.map { "\"\($0)\"" } ?? "the server's address"
            return SMTPError(
                .tlsFailed("the server's certificate does not name \(name) (\(error)); set tlsServerName to the name it carries"),
                during: during
            )
        default:
            return SMTPError(.tlsFailed(String(describing: error)), during: during)
        }
    }

    /// What a failed handshake means, in words, with BoringSSL's reason codes kept for searching.
    private static func handshakeReason(_ failure: BoringSSLError, serverName: String?) -> String {
        let codes: [String]
        switch failure {
        case .sslError(let stack), .unknownError(let stack), .invalidSNIName(let stack), .failedToSetALPN(let stack):
            codes = stack.map { reasonCode(of: $0.description) }
        default:
            codes = [String(describing: failure)]
        }
        let joined = codes.isEmpty ? String(describing: failure) : codes.joined(separator: ", ")
        if codes.contains("CERTIFICATE_VERIFY_FAILED") {
            return "the server's certificate is not trusted (\(joined)): it is not signed by a trusted root, "
                + "has expired, or does not name \(serverName ?? "the server's address"); "
                + "check the relay's certificate or the trust roots in SMTPConfiguration.tls"
        }
        return "the handshake failed (\(joined))"
    }

    /// "Error: 268435581 error:1000007d:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED
    /// at /path/handshake.cc:123" gives "CERTIFICATE_VERIFY_FAILED"; a description of another
    /// shape is kept whole, less its "Error:" prefix.
    static func reasonCode(of description: String) -> String {
        var text = Substring(description)
        if let at = text.range(of: " at /") { text = text[..<at.lowerBound] }
        if let start = text.range(of: "error:") {
            let fields = text[start.upperBound...].split(separator: ":")
            if fields.count >= 4, let last = fields.last { return String(last) }
        }
        if text.hasPrefix("Error:") { text = text.dropFirst("Error:".count) }
        return text.trimmingCharacters(in: .whitespaces)
    }
}
