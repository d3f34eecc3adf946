import Foundation
import Mail
import Testing

/// `send(_:beforeEndOfData:)`, the commit point the digest sender's exactly-once delivery rests
/// on, against the real server: the hook runs when the whole message but its final "." is on
/// the wire, and a hook that throws leaves the server with nothing.
@Suite(.enabled(if: SMTPTestEnvironment.hasAiosmtpd, SMTPTestEnvironment.skipMessage))
struct SMTPCommitHookTests {
    /// What the hook saw of the server, and how often it ran.
    final class HookLog: @unchecked Sendable {
        private let lock = NSLock()
        private var entries: [String] = []
        func append(_ entry: String) { lock.withLock { entries.append(entry) } }
        var all: [String] { lock.withLock { entries } }
    }

    struct LedgerUnavailable: Error, CustomStringConvertible {
        var description: String { "the ledger is locked by another writer" }
    }

    /// Waits until the server has read a chunk holding `text` on `connection`, as the hook
    /// must see when the body was flushed before it ran (the server reads on its own time).
    static func serverHasRead(_ text: String, on connection: Int, _ server: SMTPTestServer) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if try stream(of: connection, server).contains(text) { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    /// Everything the server has read on one connection so far, in order. Read while the server
    /// writes, so a last line not yet complete is left for the next look.
    static func stream(of connection: Int, _ server: SMTPTestServer) throws -> String {
        let text = try String(contentsOf: server.folder.appendingPathComponent("events.jsonl"), encoding: .utf8)
        return text.split(separator: "\n")
            .compactMap { try? JSONDecoder().decode(ServerEvent.self, from: Data($0.utf8)) }
            .filter { $0.event == "chunk" && $0.connection == connection }
            .compactMap(\.data).joined()
    }

    @Test(arguments: [[], ["--pipelining"]])
    func theHookRunsWithTheMessageWrittenButNotEnded(options: [String]) async throws {
        let server = try await SMTPTestServer.start(options)
        defer { server.stop() }
        let client = try await SMTPClient.connect(server.configuration())
        // The digest has lines that start with "." and a lone "." line: dot-stuffing must hold
        // with the end of data split off.
        let message = try TestMessages.digest(7)
        let log = HookLog()
        let receipt = try await client.send(message, beforeEndOfData: {
            log.append("hook")
            // The body was flushed before the hook: the server reads it while the hook waits.
            let bodyArrived = try await Self.serverHasRead("</body></html>", on: 1, server)
            log.append("body arrived: \(bodyArrived)")
            // ... but it has no message: the final "." has not been written.
            log.append("messages: \(try await server.messages().count)")
            let written = try Self.stream(of: 1, server)
            log.append("ended: \(written.contains("\r\n.\r\n"))")
        })
        #expect(log.all == ["hook", "body arrived: true", "messages: 0", "ended: false"])
        #expect(receipt.reply.code == 250)
        #expect(receipt.accepted == [TestMessages.reader])
        #expect(await client.isUsable)
        // The session goes on as usual afterwards: a second message, without a hook.
        try await client.send(try TestMessages.short(8))
        await client.quit()

        let received = try await server.messages()
        try #require(received.count == 2)
        SMTPClientTests.expectDecodesToOriginal(received[0], message, encoding: "quoted-printable")
        #expect(received[1].headers["Subject"] == "Message 8")
        // The "." came on its own, after the body, in a later write.
        let chunks = try server.events().filter { $0.event == "chunk" }.compactMap(\.data)
        #expect(chunks.contains(".\r\n"))
        #expect(server.connectionCount == 1)
    }

    @Test func aThrowingHookLeavesTheServerWithNothingAndTheClientUnusable() async throws {
        let server = try await SMTPTestServer.start(["--pipelining"])
        defer { server.stop() }
        let client = try await SMTPClient.connect(server.configuration())
        let log = HookLog()
        let message = try TestMessages.digest(1)
        do {
            try await client.send(message, beforeEndOfData: {
                log.append("hook")
                throw LedgerUnavailable()
            })
            Issue.record("send succeeded although its hook threw")
        } catch {
            guard case .aborted(let cause) = error.kind else {
                Issue.record("expected .aborted, got \(error)")
                return
            }
            #expect(cause == "the ledger is locked by another writer")
            #expect(error.during == "before end of data")
            #expect(error.replyCode == nil)
            #expect(error.description.contains("discarded"))
        }
        #expect(log.all == ["hook"])
        #expect(await !client.isUsable)
        await #expect(throws: SMTPError.self) { try await client.send(try TestMessages.short(2)) }

        // The server read the body, and never the end of data.
        #expect(try await Self.serverHasRead("</body></html>", on: 1, server))
        #expect(try !Self.stream(of: 1, server).contains("\r\n.\r\n"))
        // A message on a new connection is received, and only it: when the server has finished
        // that one, it has long dealt with the first connection's unfinished data.
        let second = try await SMTPClient.connect(server.configuration())
        try await second.send(try TestMessages.short(3))
        await second.quit()
        let received = try await server.messages()
        #expect(received.map { $0.headers["Subject"] } == ["Message 3"])
        #expect(received.first?.envelope.connection == 2)
    }

    @Test func theHookIsNotCalledWhenTheServerRefusesTheMessageBeforeData() async throws {
        let server = try await SMTPTestServer.start(["--pipelining", "--reject", "gone@example.org"])
        defer { server.stop() }
        let client = try await SMTPClient.connect(server.configuration())
        let log = HookLog()
        let refused = try TestMessages.short(1, to: try EmailAddress("gone@example.org"))
        do {
            try await client.send(refused, beforeEndOfData: { log.append("hook") })
            Issue.record("a message to a refused recipient was accepted")
        } catch {
            #expect(error.replyCode == 550)
        }
        #expect(log.all.isEmpty)
        // A refusal is not an abort: the session stays usable and the next hook runs once.
        #expect(await client.isUsable)
        try await client.send(try TestMessages.short(2), beforeEndOfData: { log.append("hook") })
        await client.quit()
        #expect(log.all == ["hook"])
        #expect(try await server.messages().map { $0.headers["Subject"] } == ["Message 2"])
    }

    @Test func theHookWorksThroughSTARTTLS() async throws {
        let certificate = try await TestCertificate.make()
        defer { certificate.remove() }
        let server = try await SMTPTestServer.start(["--tls-cert", certificate.certificatePath, "--tls-key", certificate.keyPath])
        defer { server.stop() }
        let client = try await SMTPClient.connect(try SMTPClientTests.tlsConfiguration(server, trusting: certificate))
        #expect(await client.isEncrypted)
        let log = HookLog()
        try await client.send(try TestMessages.short(1), beforeEndOfData: {
            // Through TLS too, the body is on the wire (decrypted by the server) before the hook.
            log.append("body arrived: \(try await Self.serverHasRead("Body of message 1", on: 1, server))")
            log.append("messages: \(try await server.messages().count)")
        })
        await client.quit()
        #expect(log.all == ["body arrived: true", "messages: 0"])
        let received = try await server.messages()
        #expect(received.map { $0.headers["Subject"] } == ["Message 1"])
        #expect(received.first?.envelope.tls == true)
    }
}
