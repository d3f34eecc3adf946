import CatalogSQLite
import Community
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
@testable import PaperboyServer
import Testing

/// Expired sessions leave the database while the server runs (`SessionPurgeService`); live
/// ones stay and keep working.
@Suite struct SessionPurgeTests {
    /// Stores a session of `user` that expires at `expiresAt`; answers its cookie token.
    func session(_ store: SiteStore, _ user: User, expiresAt: Date) async throws -> String {
        let token = SecretToken.make()
        try await store.createSession(
            userID: user.id, tokenDigest: SecretToken.digest(token), csrfToken: SecretToken.make(), expiresAt: expiresAt,
            at: expiresAt.addingTimeInterval(-3_600))
        return token
    }

    /// Whether the session's row is still in the database, expired or not.
    func stored(_ store: SiteStore, _ token: String) async throws -> Bool {
        try await store.session(tokenDigest: SecretToken.digest(token), now: .distantPast) != nil
    }

    func user(_ store: SiteStore, _ name: String) async throws -> User {
        try await store.createUser(NewUser(username: name, email: "\(name)@example.org", passwordHash: "$2b$04$unused"), at: Date())
    }

    @Test func aPassRemovesWhatExpiredByThenAndLogsHowMany() async throws {
        let store = try await TestSite.catalog()
        let ann = try await user(store, "ann")
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let expired = try await session(store, ann, expiresAt: now.addingTimeInterval(-60))
        let expiringNow = try await session(store, ann, expiresAt: now)
        let live = try await session(store, ann, expiresAt: now.addingTimeInterval(60))

        let log = CapturedLog()
        let service = SessionPurgeService(store: store, interval: .seconds(3_600), logger: log.logger)
        #expect(await service.purge(now: now) == 2)
        #expect(try await !stored(store, expired))
        #expect(try await !stored(store, expiringNow))
        #expect(try await stored(store, live))
        #expect(log.entries.contains { $0.level == .info && $0.message == "expired sessions purged" && $0.metadata["sessions"]?.description == "2" })

        // Nothing more to remove: said quietly.
        #expect(await service.purge(now: now) == 0)
        #expect(log.entries.last.map { $0.level == .debug && $0.metadata["sessions"]?.description == "0" } == true)
        #expect(try await stored(store, live))
    }

    @Test func theServerPurgesAtStartAndThenEveryInterval() async throws {
        let store = try await TestSite.catalog()
        let ann = try await user(store, "ann")
        let expired = try await session(store, ann, expiresAt: Date().addingTimeInterval(-60))
        let live = try await session(store, ann, expiresAt: Date().addingTimeInterval(3_600))
        var configuration = CommunitySite.configuration()
        configuration.community.sessionPurgeInterval = .milliseconds(100)
        let app = buildApplication(configuration: configuration, catalog: store, logger: quietLogger, now: { TestSite.now })
        try await app.test(.router) { (client: any TestClientProtocol) async throws in
            #expect(try await waitUntil { try await !stored(store, expired) }, "the first pass, at start")
            // A session that expires while the server runs goes on a later pass.
            let shortLived = try await session(store, ann, expiresAt: Date().addingTimeInterval(1))
            #expect(try await stored(store, shortLived))
            #expect(try await waitUntil { try await !stored(store, shortLived) }, "a later pass")

            // The live session is kept and still signs its browser in.
            #expect(try await stored(store, live))
            let account = try await client.execute(uri: "/account", method: .get, headers: [.cookie: "\(SessionCookies.sessionName)=\(live)"])
            #expect(account.status == .ok && String(buffer: account.body).contains("ann"))
        }
    }

    @Test func noIntervalMeansNoPurge() async throws {
        let store = try await TestSite.catalog()
        let ann = try await user(store, "ann")
        let expired = try await session(store, ann, expiresAt: Date().addingTimeInterval(-60))
        var configuration = CommunitySite.configuration()
        configuration.community.sessionPurgeInterval = nil
        let app = buildApplication(configuration: configuration, catalog: store, logger: quietLogger, now: { TestSite.now })
        try await app.test(.router) { (client: any TestClientProtocol) async throws in
            #expect(try await client.get("/papers").status == .ok)
            #expect(try await stored(store, expired))
        }
    }

    /// Polls `condition` every 50 ms for up to 10 s; answers whether it came true.
    func waitUntil(_ condition: () async throws -> Bool) async throws -> Bool {
        for _ in 0..<200 {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }
}

/// A logger whose entries a test can read back.
final class CapturedLog: @unchecked Sendable {
    struct Entry {
        let level: Logger.Level
        let message: String
        let metadata: Logger.Metadata
    }

    private let lock = NSLock()
    private var stored: [Entry] = []

    var entries: [Entry] { lock.withLock { stored } }

    var logger: Logger {
        var logger = Logger(label: "paperboy.test-capture") { _ in Handler(log: self) }
        logger.logLevel = .trace
        return logger
    }

    fileprivate func append(_ entry: Entry) { lock.withLock { stored.append(entry) } }

    private struct Handler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            log.append(Entry(level: event.level, message: event.message.description, metadata: metadata.merging(event.metadata ?? [:]) { $1 }))
        }
    }
}
