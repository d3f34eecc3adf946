import Foundation
import Mail
import NIOCore
import NIOPosix
import Testing

/// The client against a real SMTP server (aiosmtpd, started per test by `SMTPTestServer`), with
/// what arrived read back by Python's own `email` package.
@Suite(.enabled(if: SMTPTestEnvironment.hasAiosmtpd, SMTPTestEnvironment.skipMessage))
struct SMTPClientTests {
    /// Checks one received digest against what was sent.
    static func expectDecodesToOriginal(_ received: ReceivedMessage, _ sent: MailMessage, encoding: String) {
        #expect(received.defects.isEmpty)
        #expect(received.headers["Subject"] == sent.subject)
        #expect(received.headers["From"] == "Paperboy Dïgest <digest@paperboy.example>")
        #expect(received.headers["To"] == "reader@example.org")
        #expect(received.headers["Message-ID"] == sent.messageID)
        #expect(received.headers["MIME-Version"] == "1.0")
        #expect(received.headers["Date"] == MIMEWriter.formatDate(sent.date))
        #expect(received.headers["List-Unsubscribe"] == "<\(TestMessages.unsubscribeURL)>, <\(TestMessages.unsubscribeMailto)>")
        #expect(received.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click")
        #expect(received.content_type == "multipart/alternative")
        #expect(received.parts.map(\.content_type) == ["text/plain", "text/html"])
        #expect(received.parts.map(\.charset) == ["utf-8", "utf-8"])
        #expect(received.parts.map(\.transfer_encoding) == [encoding, encoding])
        #expect(received.parts.first?.text == sent.textBody)
        #expect(received.parts.last?.text == sent.htmlBody)
        #expect(received.parts.allSatisfy { $0.defects.isEmpty })
        #expect(received.longest_line <= 998)
        #expect(received.bare_line_feeds == 0 && received.bare_carriage_returns == 0)
        #expect(received.is_7bit)
        // Encoded-words were folded to RFC 2047's 76 characters a line.
        let headerLines = received.raw_header_block.components(separatedBy: "\r\n")
        #expect(headerLines.filter { $0.contains("=?UTF-8?B?") }.count >= 3)
        for line in headerLines where line.contains("=?UTF-8?B?") {
            #expect(line.utf8.count <= 76, "header line too long: \(line)")
        }
    }

    @Test func deliversMIMEThatDecodesBackExactly() async throws {
        let server = try await SMTPTestServer.start()
        defer { server.stop() }
        let client = try await SMTPClient.connect(server.configuration())
        let quotedPrintable = try TestMessages.digest(1, encoding: .quotedPrintable)
        let base64 = try TestMessages.digest(2, encoding: .base64)
        let receipt = try await client.send(quotedPrintable)
        try await client.send(base64)
        await client.quit()

        #expect(receipt.accepted == [TestMessages.reader])
        #expect(receipt.reply.code == 250)
        let received = try await server.messages()
        try #require(received.count == 2)
        Self.expectDecodesToOriginal(received[0], quotedPrintable, encoding: "quoted-printable")
        Self.expectDecodesToOriginal(received[1], base64, encoding: "base64")
        #expect(received[0].envelope.mail_from == "digest@paperboy.example")
        #expect(received[0].envelope.rcpt_tos == ["reader@example.org"])
        // The server announced SIZE, so the client declared the size.
        #expect(received[0].envelope.mail_options.contains { $0.uppercased().hasPrefix("SIZE=") })
        // The raw data really carried dot-stuffed lines: the server un-stuffed them.
        #expect(server.chunks(containing: "\r\n...and this one with two").count == 1)
    }

    @Test func reusesOneConnectionForAHundredMessagesAndPipelines() async throws {
        let server = try await SMTPTestServer.start(["--pipelining"])
        defer { server.stop() }
        let client = try await SMTPClient.connect(server.configuration())
        #expect(await client.capabilities.pipelining)
        for number in 1...100 { try await client.send(try TestMessages.short(number)) }
        let statistics = await client.statistics
        await client.quit()

        let received = try await server.messages()
        #expect(received.count == 100)
        #expect(Set(received.map { $0.headers["Subject"] ?? "" }) == Set((1...100).map { "Message \($0)" }))
        #expect(received.allSatisfy { $0.envelope.connection == 1 })
        #expect(server.connectionCount == 1)
        // Pipelined: each message's RSET, MAIL, RCPT and DATA arrived together in one read.
        let mailChunks = server.chunks(containing: "MAIL FROM:")
        #expect(mailChunks.count == 100)
        #expect(mailChunks.allSatisfy { $0.uppercased().contains("RCPT TO:") && $0.uppercased().hasSuffix("DATA\r\n") })
        #expect(mailChunks.dropFirst().allSatisfy { $0.uppercased().hasPrefix("RSET\r\n") })
        // Greeting, EHLO, then two round trips a message: the command group and the data.
        #expect(statistics.roundTrips == 2 + 2 * 100)
        #expect(statistics.messagesSent == 100)
    }

    @Test func sendsCommandByCommandWhenPipeliningIsNotOffered() async throws {
        let server = try await SMTPTestServer.start()
        defer { server.stop() }
        let client = try await SMTPClient.connect(server.configuration())
        #expect(await !client.capabilities.pipelining)
        for number in 1...3 { try await client.send(try TestMessages.short(number)) }
        let statistics = await client.statistics
        await client.quit()

        #expect(try await server.messages().count == 3)
        let mailChunks = server.chunks(containing: "MAIL FROM:")
        #expect(mailChunks.count == 3)
        #expect(mailChunks.allSatisfy { !$0.uppercased().contains("RCPT") })
        // Greeting, EHLO; then MAIL, RCPT, DATA, data for each: no RSET after a message the
        // server took, since that cleared its state already.
        #expect(statistics.roundTrips == 2 + 4 + 4 + 4)
        #expect(server.chunks(containing: "MAIL FROM:").allSatisfy { !$0.uppercased().hasPrefix("RSET") })
        #expect(server.chunks(containing: "RSET\r\n").isEmpty)
    }

    @Test func keepsTheSessionAfterRejectedRecipients() async throws {
        let server = try await SMTPTestServer.start(["--pipelining", "--reject", "gone@example.org"])
        defer { server.stop() }
        let gone = try EmailAddress("gone@example.org")
        let client = try await SMTPClient.connect(server.configuration())
        let refused = try TestMessages.short(1, to: gone)
        do {
            try await client.send(refused)
            Issue.record("a message to a refused recipient was accepted")
        } catch {
            #expect(error.isPermanent)
            #expect(error.replyCode == 550)
            #expect(error.serverText?.contains("no such user") == true)
            #expect(error.during == "RCPT TO:<gone@example.org>")
        }
        #expect(await client.isUsable)
        let both = try MailMessage(from: TestMessages.sender, to: [TestMessages.reader, gone], subject: "Both", textBody: "hi")
        let receipt = try await client.send(both)
        #expect(receipt.accepted == [TestMessages.reader])
        #expect(receipt.rejected.map(\.recipient) == [gone])
        #expect(receipt.rejected.first?.reply.code == 550)
        await client.quit()
        let received = try await server.messages()
        #expect(received.map { $0.headers["Subject"] } == ["Both"])
        #expect(received.first?.envelope.rcpt_tos == ["reader@example.org"])
        #expect(server.connectionCount == 1)
    }

    @Test func fallsBackToHELOForServersWithoutEHLO() async throws {
        let server = try await SMTPTestServer.start(["--no-ehlo"])
        defer { server.stop() }
        let client = try await SMTPClient.connect(server.configuration())
        #expect(await client.capabilities == SMTPCapabilities())
        try await client.send(try TestMessages.short(1))
        await client.quit()
        #expect(try await server.messages().count == 1)
        #expect(server.chunks(containing: "HELO client.test.invalid").count == 1)
    }

    // MARK: - STARTTLS

    @Test func upgradesWithSTARTTLSTrustingExactlyTheTestCertificate() async throws {
        let certificate = try await TestCertificate.make()
        defer { certificate.remove() }
        let server = try await SMTPTestServer.start(["--tls-cert", certificate.certificatePath, "--tls-key", certificate.keyPath])
        defer { server.stop() }
        let client = try await SMTPClient.connect(try Self.tlsConfiguration(server, trusting: certificate))
        #expect(await client.isEncrypted)
        let message = try TestMessages.digest()
        try await client.send(message)
        await client.quit()

        let received = try await server.messages()
        try #require(received.count == 1)
        #expect(received[0].envelope.tls)
        Self.expectDecodesToOriginal(received[0], message, encoding: "quoted-printable")
        // Everything after STARTTLS went through TLS; nothing of the message went in the clear.
        let chunks = try server.events().filter { $0.event == "chunk" }
        let mail = try #require(chunks.first { ($0.data ?? "").uppercased().contains("MAIL FROM") })
        #expect(mail.tls == true)
        #expect(chunks.filter { $0.tls == false }.allSatisfy { !($0.data ?? "").contains("Subject") })
    }

    /// A configuration that asks for STARTTLS and trusts `certificate`, under the name "localhost".
    static func tlsConfiguration(_ server: SMTPTestServer, trusting certificate: TestCertificate) throws -> SMTPConfiguration {
        var configuration = server.configuration()
        configuration.transportSecurity = .required
        configuration.tls = try certificate.trustingClientConfiguration()
        configuration.tlsServerName = "localhost"
        return configuration
    }

    /// The error `connect` fails with; records an issue (and closes the session) if it succeeds.
    static func connectError(_ configuration: SMTPConfiguration) async -> SMTPError? {
        do {
            let client = try await SMTPClient.connect(configuration)
            Issue.record("connected although it should not have")
            await client.close()
            return nil
        } catch {
            return error
        }
    }

    @Test func refusesACertificateItDoesNotTrust() async throws {
        let certificate = try await TestCertificate.make()
        defer { certificate.remove() }
        let stranger = try await TestCertificate.make()
        defer { stranger.remove() }
        let server = try await SMTPTestServer.start(["--tls-cert", certificate.certificatePath, "--tls-key", certificate.keyPath])
        defer { server.stop() }
        // A certificate for the right name, signed by no one the client trusts. The client waits
        // for the handshake before it says anything more, so the certificate's verdict is what
        // it reports: permanent, naming TLS and the reason, never a transient closed connection.
        let untrusted = try #require(await Self.connectError(try Self.tlsConfiguration(server, trusting: stranger)))
        guard case .tlsFailed(let reason) = untrusted.kind else {
            Issue.record("expected a TLS failure, got \(untrusted)")
            return
        }
        #expect(untrusted.isPermanent)
        #expect(untrusted.during == "STARTTLS handshake")
        #expect(reason.contains("CERTIFICATE_VERIFY_FAILED"))
        #expect(reason.contains("not trusted"))
        #expect(untrusted.description.contains("TLS failed"))
        // The trusted certificate, but the client expects another name.
        var wrongName = try Self.tlsConfiguration(server, trusting: certificate)
        wrongName.tlsServerName = "mail.example.org"
        let mismatch = try #require(await Self.connectError(wrongName))
        guard case .tlsFailed(let mismatchReason) = mismatch.kind else {
            Issue.record("expected a TLS failure, got \(mismatch)")
            return
        }
        #expect(mismatch.isPermanent)
        #expect(mismatch.during == "STARTTLS handshake")
        #expect(mismatchReason.contains("mail.example.org"))
        // Nothing was said through the refused connections: no second EHLO, no message.
        #expect(try await server.messages().isEmpty)
        #expect(server.chunks(containing: "MAIL FROM").isEmpty)
        #expect(server.chunks(containing: "EHLO").count == 2)
    }

    @Test func theReplyTimeOutBoundsTheHandshake() async throws {
        // Answers STARTTLS with 220 and then never speaks TLS.
        let server = try await FakeSTARTTLSServer.start(.silentAfterSTARTTLS)
        defer { server.stop() }
        var configuration = server.configuration(replyTimeout: .milliseconds(500))
        configuration.transportSecurity = .required
        let error = try #require(await Self.connectError(configuration))
        #expect(error.kind == .timeout(.milliseconds(500)))
        #expect(error.during == "STARTTLS handshake")
        #expect(error.isTransient)
        // The second EHLO was never written in the clear or queued behind TLS: the client
        // waited for the handshake, which never came.
        #expect(server.linesReceived == ["EHLO client.test.invalid", "STARTTLS"])
    }

    @Test func aConnectionDroppedDuringTheHandshakeIsTransient() async throws {
        let server = try await FakeSTARTTLSServer.start(.closeAfterSTARTTLS)
        defer { server.stop() }
        var configuration = server.configuration(replyTimeout: .seconds(60))
        configuration.transportSecurity = .required
        let error = try #require(await Self.connectError(configuration))
        guard case .connectionClosed = error.kind else {
            Issue.record("expected a closed connection, got \(error)")
            return
        }
        #expect(error.isTransient)
        #expect(error.during == "STARTTLS handshake")
    }

    @Test func requiredSTARTTLSFailsWhenNotOfferedAndOpportunisticGoesOn() async throws {
        let server = try await SMTPTestServer.start()
        defer { server.stop() }
        var configuration = server.configuration()
        configuration.transportSecurity = .required
        do {
            _ = try await SMTPClient.connect(configuration)
            Issue.record("connected in plain text although STARTTLS was required")
        } catch {
            #expect(error.kind == .startTLSUnavailable)
            #expect(error.isPermanent)
        }
        configuration.transportSecurity = .opportunistic
        let client = try await SMTPClient.connect(configuration)
        #expect(await !client.isEncrypted)
        try await client.send(try TestMessages.short(1))
        await client.quit()
        #expect(try await server.messages().count == 1)
    }

    // MARK: - AUTH

    @Test(arguments: [SMTPAuthMechanism.plain, .login])
    func authenticates(mechanism: SMTPAuthMechanism) async throws {
        let server = try await SMTPTestServer.start(["--auth", "paperboy:s3cret pass"])
        defer { server.stop() }
        var configuration = server.configuration()
        configuration.credentials = SMTPCredentials(username: "paperboy", password: "s3cret pass", mechanism: mechanism)
        configuration.allowsAuthenticationWithoutTLS = true
        let client = try await SMTPClient.connect(configuration)
        #expect(await client.isAuthenticated)
        try await client.send(try TestMessages.short(1))
        await client.quit()
        let received = try await server.messages()
        #expect(received.count == 1)
        #expect(received.first?.envelope.authenticated == true)
        #expect(server.chunks(containing: "AUTH \(mechanism.rawValue)").count == 1)
    }

    @Test func wrongPasswordIsAPermanent535() async throws {
        let server = try await SMTPTestServer.start(["--auth", "paperboy:right"])
        defer { server.stop() }
        var configuration = server.configuration()
        configuration.credentials = SMTPCredentials(username: "paperboy", password: "wrong-password")
        configuration.allowsAuthenticationWithoutTLS = true
        do {
            _ = try await SMTPClient.connect(configuration)
            Issue.record("connected with a wrong password")
        } catch {
            #expect(error.replyCode == 535)
            #expect(error.isPermanent)
            #expect(error.during == "AUTH PLAIN")
            #expect(!error.description.contains("wrong-password"))
            #expect(!error.description.contains(Data("\0paperboy\0wrong-password".utf8).base64EncodedString()))
        }
        #expect(server.chunks(containing: "MAIL FROM").isEmpty)
    }

    @Test func credentialsAreNotSentOverPlainText() async throws {
        let server = try await SMTPTestServer.start(["--auth", "paperboy:right"])
        defer { server.stop() }
        var configuration = server.configuration()
        configuration.credentials = SMTPCredentials(username: "paperboy", password: "right")
        do {
            _ = try await SMTPClient.connect(configuration)
            Issue.record("sent credentials without TLS")
        } catch {
            #expect(error.kind == .authenticationWithoutTLSRefused)
        }
        #expect(server.chunks(containing: "AUTH").isEmpty)
    }

    // MARK: - Injection, time-outs, dropped connections

    @Test func headerInjectionIsRefusedBeforeAnythingIsSent() async throws {
        let server = try await SMTPTestServer.start()
        defer { server.stop() }
        #expect(throws: EmailAddressError.self) { try EmailAddress("reader@example.org>\r\nRCPT TO:<victim@example.org") }
        #expect(throws: EmailAddressError.self) { try EmailAddress("reader@example.org", displayName: "R\nBcc: victim@example.org") }
        #expect(throws: MailMessageError.self) {
            try MailMessage(from: TestMessages.sender, to: [TestMessages.reader], subject: "Hi\r\nBcc: victim@example.org", textBody: "x")
        }
        #expect(throws: MailMessageError.self) { try MailHeader("List-Unsubscribe", "<https://x/>\nBcc: victim@example.org") }
        // A message that could be made is sent with its headers intact and nothing injected.
        let client = try await SMTPClient.connect(server.configuration())
        try await client.send(try TestMessages.short(1))
        await client.quit()
        let received = try await server.messages()
        #expect(received.count == 1)
        #expect(received.first?.headers["Bcc"] == nil)
        #expect(received.first?.envelope.rcpt_tos == ["reader@example.org"])
        #expect(server.chunks(containing: "victim").isEmpty)
    }

    @Test func timesOutOnAServerThatNeverAnswers() async throws {
        // Accepts TCP connections and never says a word.
        let silent = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { $0.eventLoop.makeSucceededVoidFuture() }
            .bind(host: "127.0.0.1", port: 0).get()
        defer { silent.close(promise: nil) }
        let port = try #require(silent.localAddress?.port)
        let configuration = SMTPConfiguration(
            host: "127.0.0.1", port: port, transportSecurity: .never, connectTimeout: .seconds(2), replyTimeout: .milliseconds(300)
        )
        let clock = ContinuousClock()
        let start = clock.now
        do {
            _ = try await SMTPClient.connect(configuration)
            Issue.record("connected to a server that never greets")
        } catch {
            #expect(error.kind == .timeout(.milliseconds(300)))
            #expect(error.during == "greeting")
            #expect(error.isTransient)
        }
        let elapsed = clock.now - start
        #expect(elapsed >= .milliseconds(300))
        // Generous: the point is that the client gives up instead of hanging; the kind above
        // says it was the 300 ms reply time-out that fired (a loaded CI machine adds seconds).
        #expect(elapsed < .seconds(30), "the time-out took \(elapsed)")
    }

    @Test func timesOutWaitingForTheEndOfData() async throws {
        let server = try await SMTPTestServer.start(["--stall-data"])
        defer { server.stop() }
        let client = try await SMTPClient.connect(server.configuration(replyTimeout: .seconds(1)))
        let message = try TestMessages.short(1)
        do {
            try await client.send(message)
            Issue.record("the message was reported sent although the server never answered")
        } catch {
            #expect(error.kind == .timeout(.seconds(1)))
            #expect(error.during == "end of data")
            #expect(error.isTransient)
        }
        #expect(await !client.isUsable)
        await client.close()
    }

    @Test func connectionDroppedMidTransactionIsTransient() async throws {
        let server = try await SMTPTestServer.start(["--drop", "1"])
        defer { server.stop() }
        let client = try await SMTPClient.connect(server.configuration())
        let message = try TestMessages.short(1)
        do {
            try await client.send(message)
            Issue.record("the message was reported sent although the connection dropped")
        } catch {
            guard case .connectionClosed = error.kind else {
                Issue.record("expected a closed connection, got \(error)")
                return
            }
            #expect(error.isTransient)
            #expect(error.during == "end of data")
        }
        #expect(await !client.isUsable)
        await #expect(throws: SMTPError.self) { try await client.send(try TestMessages.short(2)) }
        await client.close()
    }
}
