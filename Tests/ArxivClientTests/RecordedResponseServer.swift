import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// A local HTTP server for tests that answers from recorded responses: the handler picks a
/// response for each request's URI (there is no internet here, and arXiv must not be hit by tests).
final class RecordedResponseServer: Sendable {
    struct Reply: Sendable {
        var status: HTTPResponseStatus = .ok
        var headers: [(String, String)] = []
        var body: [UInt8] = []
        /// Never answer (to exercise client time-outs).
        var hang = false

        static func ok(_ body: [UInt8]) -> Reply { Reply(body: body) }
        static func ok(_ text: String) -> Reply { Reply(body: Array(text.utf8)) }
    }

    private let channel: any Channel
    private let requests = NIOLockedValueBox<[(uri: String, at: ContinuousClock.Instant)]>([])
    let port: Int

    var baseURL: String { "http://127.0.0.1:\(port)" }
    /// URIs requested so far, in order.
    var requestedURIs: [String] { requests.withLockedValue { $0.map(\.uri) } }
    var requestTimes: [ContinuousClock.Instant] { requests.withLockedValue { $0.map(\.at) } }

    init(handler: @escaping @Sendable (_ uri: String, _ index: Int) -> Reply) async throws {
        let log = requests
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(Handler(handler: handler, log: log))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        port = channel.localAddress?.port ?? 0
    }

    func stop() async throws { try await channel.close() }

    private final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let handler: @Sendable (String, Int) -> Reply
        let log: NIOLockedValueBox<[(uri: String, at: ContinuousClock.Instant)]>
        var uri = ""

        init(handler: @escaping @Sendable (String, Int) -> Reply, log: NIOLockedValueBox<[(uri: String, at: ContinuousClock.Instant)]>) {
            self.handler = handler
            self.log = log
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head): uri = head.uri
            case .body: break
            case .end:
                let index = log.withLockedValue { entries -> Int in
                    entries.append((uri, ContinuousClock().now))
                    return entries.count - 1
                }
                let reply = handler(uri, index)
                if reply.hang { return }
                var headers = HTTPHeaders(reply.headers)
                headers.replaceOrAdd(name: "Content-Length", value: String(reply.body.count))
                context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: reply.status, headers: headers))), promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: reply.body)))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }
}
