import Foundation
import Logging
import Mail
import NIOCore
import NIOPosix
import Testing

/// `MailDeliverer` against the real server: retries, reconnection, permanent failures.
@Suite(.enabled(if: SMTPTestEnvironment.hasAiosmtpd, SMTPTestEnvironment.skipMessage))
struct MailDelivererTests {
    static let quickRetries = MailRetryPolicy(maximumAttempts: 4, baseDelay: .milliseconds(10), maximumDelay: .milliseconds(40))
    /// The deliverer logs each failed try as a warning; the tests cause many on purpose.
    static let quiet = Logger(label: "mail-tests", factory: { _ in SwiftLogNoOpLogHandler() })

    static func deliverer(_ configuration: SMTPConfiguration, _ policy: MailRetryPolicy = quickRetries) -> MailDeliverer {
        MailDeliverer(configuration: configuration, retryPolicy: policy, logger: quiet)
    }

    @Test func retriesTemporaryFailuresUntilAccepted() async throws {
        let server = try await SMTPTestServer.start(["--tempfail", "2"])
        defer { server.stop() }
        let message = try TestMessages.digest()
        let reports = await Self.deliverer(server.configuration(), Self.quickRetries).deliver([message])
        try #require(reports.count == 1)
        #expect(reports[0].isDelivered)
        #expect(reports[0].attempts == 3)
        #expect(reports[0].messageID == message.messageID)
        let received = try await server.messages()
        #expect(received.count == 1)
        #expect(received.first?.headers["Message-ID"] == message.messageID)
        // A 451 leaves the session usable: all three tries went over one connection.
        #expect(server.connectionCount == 1)
    }

    @Test func reportsATransientFailureWhenTriesRunOut() async throws {
        let server = try await SMTPTestServer.start(["--tempfail", "10"])
        defer { server.stop() }
        let policy = MailRetryPolicy(maximumAttempts: 3, baseDelay: .milliseconds(10))
        let reports = await Self.deliverer(server.configuration(), policy).deliver([try TestMessages.short(1)])
        try #require(reports.count == 1)
        #expect(reports[0].attempts == 3)
        guard case .transientFailure(let error) = reports[0].outcome else {
            Issue.record("expected a transient failure, got \(reports[0].outcome)")
            return
        }
        #expect(error.replyCode == 451)
        #expect(error.serverText?.contains("try again later") == true)
        #expect(try await server.messages().isEmpty)
    }

    @Test func recordsPermanentRefusalsAndGoesOn() async throws {
        let server = try await SMTPTestServer.start(["--pipelining", "--reject", "gone@example.org"])
        defer { server.stop() }
        let messages = [
            try TestMessages.short(1),
            try TestMessages.short(2, to: try EmailAddress("gone@example.org")),
            try TestMessages.short(3),
        ]
        let reports = await Self.deliverer(server.configuration(), Self.quickRetries).deliver(messages)
        #expect(reports.map(\.messageID) == messages.map(\.messageID))
        #expect(reports.map(\.isDelivered) == [true, false, true])
        #expect(reports.map(\.attempts) == [1, 1, 1])
        guard case .permanentFailure(let error) = reports[1].outcome else {
            Issue.record("expected a permanent failure, got \(reports[1].outcome)")
            return
        }
        #expect(error.replyCode == 550)
        #expect(error.serverText?.contains("no such user") == true)
        #expect(try await server.messages().map { $0.headers["Subject"] } == ["Message 1", "Message 3"])
        #expect(server.connectionCount == 1)
    }

    @Test func reconnectsWhenTheConnectionDrops() async throws {
        let server = try await SMTPTestServer.start(["--drop", "1"])
        defer { server.stop() }
        let messages = [try TestMessages.short(1), try TestMessages.short(2)]
        let reports = await Self.deliverer(server.configuration(), Self.quickRetries).deliver(messages)
        #expect(reports.map(\.isDelivered) == [true, true])
        #expect(reports.map(\.attempts) == [2, 1])
        #expect(try await server.messages().map { $0.headers["Subject"] } == ["Message 1", "Message 2"])
        #expect(server.connectionCount == 2)
    }

    @Test func wrongPasswordFailsTheBatchOnceNotOncePerMessage() async throws {
        let server = try await SMTPTestServer.start(["--auth", "paperboy:right"])
        defer { server.stop() }
        var configuration = server.configuration()
        configuration.credentials = SMTPCredentials(username: "paperboy", password: "wrong")
        configuration.allowsAuthenticationWithoutTLS = true
        let messages = try (1...3).map { try TestMessages.short($0) }
        let reports = await Self.deliverer(configuration, Self.quickRetries).deliver(messages)
        #expect(reports.map(\.attempts) == [1, 0, 0])
        for report in reports {
            guard case .permanentFailure(let error) = report.outcome else {
                Issue.record("expected a permanent failure, got \(report.outcome)")
                continue
            }
            #expect(error.replyCode == 535)
        }
        #expect(server.connectionCount == 1)
    }

    @Test func unreachableRelayIsTransient() async throws {
        // A port that was free a moment ago: nothing listens there.
        let probe = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(probe.localAddress?.port)
        try await probe.close()
        let configuration = SMTPConfiguration(host: "127.0.0.1", port: port, transportSecurity: .never, connectTimeout: .seconds(2))
        let policy = MailRetryPolicy(maximumAttempts: 2, baseDelay: .milliseconds(10))
        let reports = await Self.deliverer(configuration, policy).deliver([try TestMessages.short(1), try TestMessages.short(2)])
        #expect(reports.map(\.attempts) == [2, 0])
        for report in reports {
            guard case .transientFailure(let error) = report.outcome else {
                Issue.record("expected a transient failure, got \(report.outcome)")
                continue
            }
            guard case .connectionFailed = error.kind else {
                Issue.record("expected a failed connection, got \(error)")
                continue
            }
        }
    }
}
