import Foundation
import Mail
import NIOCore
import NIOPosix

/// A scripted SMTP server on NIO for what aiosmtpd will not do: it offers STARTTLS, answers it
/// with 220, and then misbehaves instead of starting TLS. Everything before is plain SMTP, so
/// the client reaches its handshake exactly as it would with a real relay.
final class FakeSTARTTLSServer: Sendable {
    enum Behaviour: Sendable {
        /// Says nothing more and reads whatever comes (the client's hello goes unanswered).
        case silentAfterSTARTTLS
        /// Closes the connection right after the 220.
        case closeAfterSTARTTLS
    }

    private let channel: any Channel
    private let received: LockedLines

    static func start(_ behaviour: Behaviour) async throws -> FakeSTARTTLSServer {
        let received = LockedLines()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(ScriptHandler(behaviour: behaviour, received: received))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return FakeSTARTTLSServer(channel: channel, received: received)
    }

    private init(channel: any Channel, received: LockedLines) {
        self.channel = channel
        self.received = received
    }

    func stop() {
        channel.close(promise: nil)
    }

    /// The command lines read before STARTTLS was answered; bytes after it are not SMTP lines.
    var linesReceived: [String] { received.lines }

    func configuration(replyTimeout: Duration) -> SMTPConfiguration {
        SMTPConfiguration(
            host: "127.0.0.1", port: channel.localAddress?.port ?? 0, transportSecurity: .required,
            clientName: "client.test.invalid", connectTimeout: .seconds(30), replyTimeout: replyTimeout
        )
    }

    private final class LockedLines: Sendable {
        private let lock = NSLock()
        nonisolated(unsafe) private var stored: [String] = []
        func append(_ line: String) { lock.withLock { stored.append(line) } }
        var lines: [String] { lock.withLock { stored } }
    }

    private final class ScriptHandler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        let behaviour: Behaviour
        let received: LockedLines
        var pending = ""
        var startedTLS = false

        init(behaviour: Behaviour, received: LockedLines) {
            self.behaviour = behaviour
            self.received = received
        }

        func channelActive(context: ChannelHandlerContext) {
            say("220 fake.test.invalid ESMTP", context: context)
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            // After the 220 to STARTTLS the client sends its TLS hello: binary, not lines.
            guard !startedTLS else { return }
            var buffer = unwrapInboundIn(data)
            pending += buffer.readString(length: buffer.readableBytes) ?? ""
            while let end = pending.range(of: "\r\n") {
                let line = String(pending[..<end.lowerBound])
                pending = String(pending[end.upperBound...])
                received.append(line)
                let verb = line.split(separator: " ").first.map { $0.uppercased() } ?? ""
                switch verb {
                case "EHLO":
                    say("250-fake.test.invalid\r\n250 STARTTLS", context: context)
                case "STARTTLS":
                    startedTLS = true
                    say("220 2.0.0 Ready to start TLS", context: context)
                    if behaviour == .closeAfterSTARTTLS { context.close(promise: nil) }
                    return
                default:
                    say("502 5.5.2 not scripted", context: context)
                }
            }
        }

        private func say(_ text: String, context: ChannelHandlerContext) {
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: text + "\r\n")), promise: nil)
        }
    }
}
