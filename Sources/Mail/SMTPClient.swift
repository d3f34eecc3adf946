import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// One SMTP session with a relay: connect, greeting, EHLO (HELO for old servers), STARTTLS,
/// AUTH, then any number of messages on the same connection, then QUIT.
///
/// ```swift
/// let client = try await SMTPClient.connect(configuration)
/// for message in messages { _ = try await client.send(message) }
/// await client.quit()
/// ```
///
/// Every failure is an `SMTPError` that says whether it is transient or permanent. After a
/// rejection (a 4xx or 5xx reply) the session stays usable; after a time-out or a dropped
/// connection it does not (`isUsable` turns false) and a new client must be connected.
/// `MailDeliverer` does that, with retries.
public actor SMTPClient {
    public nonisolated let configuration: SMTPConfiguration
    private let channel: any Channel
    private let logger: Logger
    /// What the server said it supports in its last EHLO reply.
    public private(set) var capabilities: SMTPCapabilities
    /// Whether STARTTLS succeeded and everything since went through TLS.
    public private(set) var isEncrypted = false
    public private(set) var isAuthenticated = false
    /// Counts that let callers (and tests) see what the session did.
    public private(set) var statistics = SMTPSessionStatistics()
    private var broken = false
    private var transactionsStarted = 0
    /// Whether the last MAIL transaction ended without the server accepting its message.
    private var lastTransactionUnfinished = false

    private init(configuration: SMTPConfiguration, channel: any Channel, logger: Logger) {
        self.configuration = configuration
        self.channel = channel
        self.logger = logger
        self.capabilities = SMTPCapabilities()
    }

    /// Connects and brings the session to where messages can be sent: greeting, EHLO, STARTTLS
    /// as configured, AUTH when credentials are set.
    public static func connect(
        _ configuration: SMTPConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "paperboy.mail")
    ) async throws(SMTPError) -> SMTPClient {
        let target = "connect to \(configuration.host):\(configuration.port)"
        let replyTimeout = configuration.replyTimeout
        let bootstrap = ClientBootstrap(group: eventLoopGroup)
            .connectTimeout(timeAmount(configuration.connectTimeout))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers([
                        SMTPReplyDecoder(), SMTPClientHandler(replyTimeout: replyTimeout),
                    ])
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: configuration.host, port: configuration.port).get()
        } catch ChannelError.connectTimeout {
            throw SMTPError(.timeout(configuration.connectTimeout), during: target)
        } catch {
            throw SMTPError(.connectionFailed(String(describing: error)), during: target)
        }
        let client = SMTPClient(configuration: configuration, channel: channel, logger: logger)
        do {
            try await client.open()
        } catch {
            await client.close()
            throw error
        }
        return client
    }

    /// True while the connection is up and in step with the server.
    public var isUsable: Bool { !broken && channel.isActive }

    // MARK: - Opening the session

    private func open() async throws(SMTPError) {
        let greeting = try await roundTrip([(nil, "greeting")])[0]
        guard greeting.code == 220 else { throw SMTPError(.rejected(greeting), during: "greeting") }
        try await hello()
        try await startTLSIfConfigured()
        if let credentials = configuration.credentials {
            try await authenticate(credentials)
        }
        logger.debug(
            "SMTP session open",
            metadata: ["host": "\(configuration.host)", "tls": "\(isEncrypted)", "pipelining": "\(capabilities.pipelining)"]
        )
    }

    /// EHLO, or HELO when the server does not know EHLO (RFC 5321 section 4.1.4: a 5xx to EHLO
    /// from a pre-ESMTP server). HELO leaves the capabilities empty.
    private func hello() async throws(SMTPError) {
        let name = configuration.clientName
        let ehlo = try await command("EHLO \(name)")
        if ehlo.code == 250 {
            capabilities = SMTPCapabilities(ehloReply: ehlo)
            return
        }
        guard ehlo.kind == .permanentNegative else { throw SMTPError(.rejected(ehlo), during: "EHLO \(name)") }
        let helo = try await command("HELO \(name)")
        guard helo.code == 250 else { throw SMTPError(.rejected(helo), during: "HELO \(name)") }
        capabilities = SMTPCapabilities()
    }

    private func startTLSIfConfigured() async throws(SMTPError) {
        switch configuration.transportSecurity {
        case .never:
            return
        case .opportunistic where !capabilities.startTLS:
            return
        case .required where !capabilities.startTLS:
            throw SMTPError(.startTLSUnavailable, during: "EHLO \(configuration.clientName)")
        case .opportunistic, .required:
            break
        }
        let reply = try await command("STARTTLS")
        guard reply.code == 220 else {
            // Opportunistic TLS is a wish, not a condition: a refusal (454) leaves the session in plain text.
            if configuration.transportSecurity == .opportunistic && reply.kind != .positiveCompletion { return }
            throw SMTPError(.rejected(reply), during: "STARTTLS")
        }
        let sslContext: NIOSSLContext
        do {
            sslContext = try NIOSSLContext(configuration: configuration.tls)
        } catch {
            throw SMTPError(.tlsFailed("invalid TLS configuration: \(error)"), during: "STARTTLS")
        }
        let serverName = configuration.effectiveTLSServerName
        let replyTimeout = configuration.replyTimeout
        let channel = self.channel
        let handshake: EventLoopFuture<Void>
        do {
            handshake = try await channel.eventLoop.submit {
                // A server that closed right after its 220: the pipeline is being taken down and
                // a handshake would never start.
                guard channel.isActive else {
                    throw SMTPError(.connectionClosed("before the TLS handshake began"), during: STARTTLSHandshakeHandler.label)
                }
                let pipeline = channel.pipeline.syncOperations
                // RFC 3207 section 4.2: nothing received before the handshake counts. Bytes
                // already waiting would be a server (or an attacker in the path) injecting
                // replies that the client would take as coming through TLS.
                let decoder = try pipeline.handler(type: SMTPReplyDecoder.self)
                let handler = try pipeline.handler(type: SMTPClientHandler.self)
                if decoder.bufferedByteCount > 0 || handler.hasUnclaimedReplies {
                    throw SMTPError(.protocolViolation("data received after the STARTTLS reply, before TLS"), during: "STARTTLS")
                }
                let tls = try NIOSSLClientHandler(context: sslContext, serverHostname: serverName)
                // The watcher goes in first and TLS in front of it, so it is in place before the
                // handshake can report anything.
                let completion = channel.eventLoop.makePromise(of: Void.self)
                let watcher = STARTTLSHandshakeHandler(completion: completion, timeout: replyTimeout, serverName: serverName)
                do {
                    try pipeline.addHandler(watcher, position: .first)
                } catch {
                    completion.fail(error)
                    throw error
                }
                // Should this fail, the watcher completes when the session is closed.
                try pipeline.addHandler(tls, position: .first)
                return completion.futureResult
            }.get()
        } catch let error as SMTPError {
            broken = true
            throw error
        } catch {
            broken = true
            throw SMTPError(.tlsFailed(String(describing: error)), during: "STARTTLS")
        }
        // Nothing is written until the handshake is over: the next EHLO must not race the
        // certificate check, whose verdict is what the caller needs to hear.
        do {
            try await handshake.get()
        } catch {
            broken = true
            throw STARTTLSHandshakeHandler.smtpError(error, during: STARTTLSHandshakeHandler.label, serverName: serverName)
        }
        isEncrypted = true
        // The server forgets everything said before TLS, and so must we (RFC 3207 section 4.2):
        // the capabilities are asked for again, and may differ (AUTH is often offered only now).
        capabilities = SMTPCapabilities()
        try await hello()
    }

    private func authenticate(_ credentials: SMTPCredentials) async throws(SMTPError) {
        if !isEncrypted && !configuration.allowsAuthenticationWithoutTLS {
            throw SMTPError(.authenticationWithoutTLSRefused, during: "AUTH")
        }
        let offered = capabilities.authMechanisms
        let mechanism: SMTPAuthMechanism
        if let wanted = credentials.mechanism {
            guard offered.contains(wanted.rawValue) else {
                throw SMTPError(.authenticationUnavailable(offered: offered), during: "AUTH \(wanted.rawValue)")
            }
            mechanism = wanted
        } else if let best = SMTPAuthMechanism.allCases.first(where: { offered.contains($0.rawValue) }) {
            mechanism = best
        } else {
            throw SMTPError(.authenticationUnavailable(offered: offered), during: "AUTH")
        }
        let label = "AUTH \(mechanism.rawValue)"
        var reply: SMTPReply
        switch mechanism {
        case .plain:
            // RFC 4616: authorization identity (empty: same as the user), user, password, NUL-separated,
            // sent as the initial response (RFC 4954 section 4) to save a round trip.
            let message = Data([0] + Array(credentials.username.utf8) + [0] + Array(credentials.password.utf8))
            reply = try await command("AUTH PLAIN \(message.base64EncodedString())", label: label)
            if reply.code == 334 {
                // A server that does not take an initial response asks with an empty challenge.
                reply = try await command(message.base64EncodedString(), label: label)
            }
        case .login:
            // LOGIN: the server asks (334) for the user name, then the password, each in base64.
            reply = try await command("AUTH LOGIN", label: label)
            if reply.code == 334 {
                reply = try await command(Data(credentials.username.utf8).base64EncodedString(), label: label)
            }
            if reply.code == 334 {
                reply = try await command(Data(credentials.password.utf8).base64EncodedString(), label: label)
            }
        }
        guard reply.code == 235 else {
            if reply.code == 334 {
                // The server wants more than the mechanism has; "*" cancels the exchange (RFC 4954 section 4).
                _ = try? await command("*", label: label)
                throw SMTPError(.unexpectedReply(reply), during: label)
            }
            throw SMTPError(.rejected(reply), during: label)
        }
        isAuthenticated = true
    }

    // MARK: - Sending

    /// Sends one message and returns when the server has taken responsibility for it (250 after
    /// the data). Recipients the server refuses are listed in the receipt; when it refuses all of
    /// them, the first refusal is thrown.
    ///
    /// `beforeEndOfData` is a commit point for exactly-once delivery. SMTP gives the message to
    /// the server only with the final "." line of DATA; a connection that ends before it makes the
    /// server discard everything received since DATA (RFC 5321 sections 3.3 and 4.1.1.4). When
    /// the hook is given, the client:
    ///
    /// 1. runs MAIL, RCPT and DATA as usual; the hook is called only after the server accepted
    ///    DATA (354), and at most once;
    /// 2. writes the whole message, dot-stuffed and ending in CRLF, but not the "." line, and
    ///    waits until those bytes are handed to the socket;
    /// 3. awaits the hook;
    /// 4. if the hook returns, writes the "." line and awaits the server's reply, as `send(_:)`
    ///    does. From here on the task's cancellation is ignored: the caller has committed.
    ///    If the hook throws, the "." is never written: the client closes the connection (so the
    ///    server drops the unfinished message), becomes unusable (`isUsable` is false) and throws
    ///    `SMTPError.Kind.aborted` with the cause's description.
    ///
    /// A caller that records "committed" in a durable ledger inside the hook therefore gets one of
    /// two states whenever its process dies: the commit was not recorded and the server never
    /// had the whole message (safe to send again), or the commit was recorded (never send it
    /// again). After the hook returned, an error other than `.rejected` (a time-out, a dropped
    /// connection) leaves the message in doubt: the server may have taken it and its answer got
    /// lost. Keep the hook short (one database write): the server is waiting mid-message, and
    /// relays give up on a silent client after some minutes (RFC 5321 section 4.5.3.2.7).
    @discardableResult
    public func send(
        _ message: MailMessage,
        beforeEndOfData: (@Sendable () async throws -> Void)? = nil
    ) async throws(SMTPError) -> SMTPSendReceipt {
        guard isUsable else { throw SMTPError(.connectionClosed("the session is no longer usable"), during: "send") }
        let body = SMTPClient.dataBody(MIMEWriter.render(message))
        let data = body + SMTPClient.endOfData
        if let limit = capabilities.sizeLimit, data.count > limit {
            throw SMTPError(.messageTooLarge(size: data.count, limit: limit), during: "MAIL FROM")
        }
        var commands: [String] = []
        // RSET clears whatever an unfinished transaction left. After one the server accepted, its
        // state is clear already (RFC 5321 section 4.1.1.4): the RSET is then sent only in a
        // pipelined group, where it costs no round trip, and would otherwise cost one a message.
        let resets = transactionsStarted > 0 && (lastTransactionUnfinished || (capabilities.pipelining && configuration.usesPipelining))
        if resets { commands.append("RSET") }
        var mail = "MAIL FROM:<\(message.envelopeSender.address)>"
        if capabilities.announcesSize { mail += " SIZE=\(data.count)" }
        commands.append(mail)
        let recipients = message.envelopeRecipients
        for recipient in recipients { commands.append("RCPT TO:<\(recipient.address)>") }
        commands.append("DATA")
        transactionsStarted += 1
        lastTransactionUnfinished = true

        let replies: [SMTPReply]
        if capabilities.pipelining && configuration.usesPipelining {
            // RFC 2920: the whole group goes in one write; replies are read afterwards, in order.
            replies = try await roundTrip(commands.map { (Self.line($0), $0) })
        } else {
            // DATA is left for later: it is sent only once some recipient has been accepted.
            var collected: [SMTPReply] = []
            for command in commands.dropLast() {
                let reply = try await roundTrip([(Self.line(command), command)])[0]
                collected.append(reply)
                // Without pipelining, stop at a refused RSET or MAIL: nothing after it can succeed.
                if !reply.isPositive && (command == "RSET" || command.hasPrefix("MAIL")) { break }
            }
            replies = collected
        }

        var index = 0
        if resets {
            let reset = replies[index]
            index += 1
            guard reset.code == 250 else { throw SMTPError(.rejected(reset), during: "RSET") }
        }
        let mailReply = replies[index]
        index += 1
        guard mailReply.code == 250 else {
            if replies.count > index + recipients.count { try await abandonData(dataReply: replies[index + recipients.count]) }
            throw SMTPError(.rejected(mailReply), during: mail)
        }
        var accepted: [EmailAddress] = []
        var rejected: [SMTPRecipientRejection] = []
        for recipient in recipients {
            let reply = replies[index]
            index += 1
            if reply.code == 250 || reply.code == 251 {
                accepted.append(recipient)
            } else {
                rejected.append(SMTPRecipientRejection(recipient: recipient, reply: reply))
            }
        }
        let dataReply: SMTPReply
        if index < replies.count {
            dataReply = replies[index]
        } else {
            // Not pipelined: DATA only once some recipient was accepted.
            if accepted.isEmpty, let first = rejected.first {
                throw SMTPError(.rejected(first.reply), during: "RCPT TO:<\(first.recipient.address)>")
            }
            dataReply = try await roundTrip([(Self.line("DATA"), "DATA")])[0]
        }
        if accepted.isEmpty, let first = rejected.first {
            try await abandonData(dataReply: dataReply)
            throw SMTPError(.rejected(first.reply), during: "RCPT TO:<\(first.recipient.address)>")
        }
        guard dataReply.code == 354 else {
            throw SMTPError(dataReply.isPositive ? .unexpectedReply(dataReply) : .rejected(dataReply), during: "DATA")
        }
        let final: SMTPReply
        if let beforeEndOfData {
            final = try await sendData(body, committingWith: beforeEndOfData)
        } else {
            var buffer = channel.allocator.buffer(capacity: data.count)
            buffer.writeBytes(data)
            final = try await roundTrip([(buffer, "end of data")])[0]
        }
        guard final.code == 250 else {
            throw SMTPError(final.isPositive ? .unexpectedReply(final) : .rejected(final), during: "end of data")
        }
        statistics.messagesSent += 1
        lastTransactionUnfinished = false
        return SMTPSendReceipt(messageID: message.messageID, accepted: accepted, rejected: rejected, reply: final)
    }

    /// Steps 2 to 4 of `send(_:beforeEndOfData:)`: the body, the hook, then the "." and its reply.
    private func sendData(_ body: [UInt8], committingWith hook: @Sendable () async throws -> Void) async throws(SMTPError) -> SMTPReply {
        var buffer = channel.allocator.buffer(capacity: body.count)
        buffer.writeBytes(body)
        // No reply comes for these bytes: the server answers only the ".". The write's promise
        // succeeds once NIO (through TLS, when on) has handed them to the kernel.
        let written = channel.eventLoop.makePromise(of: Void.self)
        channel.writeAndFlush(SMTPRequest(bytes: buffer, label: "data", reply: nil), promise: written)
        do {
            try await written.futureResult.get()
        } catch {
            // Part of the body may be out: the connection must end without the ".".
            await close()
            throw (error as? SMTPError) ?? SMTPError(.connectionClosed(String(describing: error)), during: "data")
        }
        if Task.isCancelled {
            await close()
            throw SMTPError(.cancelled, during: "before end of data")
        }
        do {
            try await hook()
        } catch {
            // Closing without the "." is what makes the server discard the message. The session
            // cannot go on anyway: the server still waits for the rest of the data.
            await close()
            throw SMTPError(.aborted(String(describing: error)), during: "before end of data")
        }
        return try await roundTrip([(ByteBuffer(bytes: SMTPClient.endOfData), "end of data")], ignoringCancellation: true)[0]
    }

    /// A pipelined DATA can be accepted (354) even though every recipient was refused; RFC 2920
    /// section 3.1 has the client then send an empty message, which the server refuses.
    private func abandonData(dataReply: SMTPReply) async throws(SMTPError) {
        guard dataReply.code == 354 else { return }
        var buffer = channel.allocator.buffer(capacity: 3)
        buffer.writeString(".\r\n")
        _ = try await roundTrip([(buffer, "end of empty data")])
    }

    /// Checks that the server is still there (NOOP).
    public func noop() async throws(SMTPError) {
        let reply = try await command("NOOP")
        guard reply.code == 250 else { throw SMTPError(.rejected(reply), during: "NOOP") }
    }

    /// Ends the session politely (QUIT, RFC 5321 section 4.1.1.10) and closes the connection.
    /// Never fails: the messages are already sent, and a server that does not answer QUIT is
    /// closed on anyway.
    public func quit() async {
        if isUsable { _ = try? await command("QUIT") }
        await close()
    }

    /// Closes the connection without QUIT.
    public func close() async {
        broken = true
        try? await channel.close()
    }

    // MARK: - Wire

    private func command(_ text: String, label: String? = nil) async throws(SMTPError) -> SMTPReply {
        try await roundTrip([(Self.line(text), label ?? text)])[0]
    }

    private static func line(_ command: String) -> ByteBuffer {
        ByteBuffer(string: command + "\r\n")
    }

    /// Writes the requests in one flush and waits for a reply to each: one round trip.
    /// `ignoringCancellation` is for the "." after a commit hook: once the caller has recorded the
    /// message as sent, not sending it would lose it.
    private func roundTrip(
        _ requests: [(bytes: ByteBuffer?, label: String)],
        ignoringCancellation: Bool = false
    ) async throws(SMTPError) -> [SMTPReply] {
        if Task.isCancelled && !ignoringCancellation {
            broken = true
            throw SMTPError(.cancelled, during: requests.first?.label ?? "send")
        }
        let loop = channel.eventLoop
        var futures: [EventLoopFuture<SMTPReply>] = []
        for request in requests {
            let promise = loop.makePromise(of: SMTPReply.self)
            // A write that never reaches the handler (the connection closed in between and the
            // pipeline was taken down) must still end the wait for its reply.
            let written = loop.makePromise(of: Void.self)
            let label = request.label
            written.futureResult.whenFailure { error in
                promise.fail(SMTPError(.connectionClosed(String(describing: error)), during: label))
            }
            channel.write(SMTPRequest(bytes: request.bytes, label: request.label, reply: promise), promise: written)
            futures.append(promise.futureResult)
            if request.bytes != nil { statistics.commandsSent += 1 }
        }
        channel.flush()
        statistics.roundTrips += 1
        var replies: [SMTPReply] = []
        for (future, request) in zip(futures, requests) {
            do {
                let reply = try await future.get()
                logger.trace("SMTP reply", metadata: ["request": "\(request.label)", "reply": "\(reply)"])
                replies.append(reply)
            } catch let error as SMTPError {
                broken = true
                throw error
            } catch {
                broken = true
                throw SMTPError(.connectionClosed(String(describing: error)), during: request.label)
            }
            // 421: the server is shutting the channel; it will say nothing more here.
            if replies.last?.code == 421 { broken = true }
        }
        return replies
    }

    /// The DATA section: the message with dot-stuffing (RFC 5321 section 4.5.2: a line that
    /// starts with "." gets another ".", which the server removes) and the closing "." line.
    static func dataSection(_ message: [UInt8]) -> [UInt8] {
        dataBody(message) + endOfData
    }

    /// The DATA section without its closing line: the message dot-stuffed, ending in CRLF so
    /// that the "." that follows is alone on its line (empty only for an empty message).
    static func dataBody(_ message: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(message.count + message.count / 64 + 5)
        var atLineStart = true
        var previous: UInt8 = 0
        for byte in message {
            if atLineStart && byte == UInt8(ascii: ".") { out.append(UInt8(ascii: ".")) }
            out.append(byte)
            // Only CRLF ends a line for the server, so only CRLF starts one here.
            atLineStart = previous == 0x0D && byte == 0x0A
            previous = byte
        }
        if !(out.count >= 2 && out[out.count - 2] == 0x0D && out[out.count - 1] == 0x0A) && !out.isEmpty {
            out += [0x0D, 0x0A]
        }
        return out
    }

    /// The line that ends DATA; the CRLF before it ends the body's last line.
    static let endOfData: [UInt8] = Array(".\r\n".utf8)

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        let parts = duration.components
        return .nanoseconds(parts.seconds * 1_000_000_000 + parts.attoseconds / 1_000_000_000)
    }
}

/// What the server answered to EHLO (RFC 5321 section 4.1.1.1): one extension per line after
/// the first, a keyword and its parameters.
public struct SMTPCapabilities: Sendable, Equatable {
    /// Upper-cased keyword to its parameters, e.g. "SIZE": ["35882577"], "AUTH": ["PLAIN", "LOGIN"].
    public let extensions: [String: [String]]

    public init(extensions: [String: [String]] = [:]) {
        self.extensions = extensions
    }

    init(ehloReply: SMTPReply) {
        var extensions: [String: [String]] = [:]
        for line in ehloReply.lines.dropFirst() {
            let words = line.split(separator: " ").map(String.init)
            guard let keyword = words.first?.uppercased() else { continue }
            // Old servers wrote "AUTH=LOGIN"; it means the same as "AUTH LOGIN".
            if keyword.hasPrefix("AUTH=") {
                extensions["AUTH", default: []] += [String(keyword.dropFirst(5))] + words.dropFirst()
                continue
            }
            let parameters = Array(words.dropFirst())
            extensions[keyword] = keyword == "AUTH" ? (extensions["AUTH"] ?? []) + parameters : parameters
        }
        self.extensions = extensions
    }

    public var pipelining: Bool { extensions["PIPELINING"] != nil }
    public var startTLS: Bool { extensions["STARTTLS"] != nil }
    public var eightBitMIME: Bool { extensions["8BITMIME"] != nil }
    /// Upper-cased mechanism names.
    public var authMechanisms: [String] { (extensions["AUTH"] ?? []).map { $0.uppercased() } }
    /// The largest message the server takes (RFC 1870); nil when it did not say or said 0 (no limit).
    public var sizeLimit: Int? {
        guard let parameters = extensions["SIZE"] else { return nil }
        guard let value = parameters.first.flatMap({ Int($0) }), value > 0 else { return nil }
        return value
    }
    /// Whether SIZE was announced at all, with or without a limit.
    var announcesSize: Bool { extensions["SIZE"] != nil }
}

/// The server took the message for these recipients.
public struct SMTPSendReceipt: Sendable {
    public let messageID: String
    public let accepted: [EmailAddress]
    /// Recipients refused while others were accepted.
    public let rejected: [SMTPRecipientRejection]
    /// The server's answer to the end of data, often with its queue id.
    public let reply: SMTPReply
}

public struct SMTPRecipientRejection: Sendable {
    public let recipient: EmailAddress
    public let reply: SMTPReply
}

/// Counters of one session.
public struct SMTPSessionStatistics: Sendable, Equatable {
    /// Times the client wrote and then waited for replies; pipelining makes this smaller.
    public var roundTrips = 0
    /// Commands and data sections written.
    public var commandsSent = 0
    public var messagesSent = 0
}
