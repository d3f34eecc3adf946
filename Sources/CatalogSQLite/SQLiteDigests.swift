import Catalog
import Digests
import Foundation
import GRDB

/// Migration 010: email subscriptions and the digest delivery ledger (issue 6).
enum SQLiteDigestsSchema {
    static func create(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE subscriptions (
                id INTEGER PRIMARY KEY AUTOINCREMENT,   -- never reused: old links cannot reach a new subscriber
                email TEXT NOT NULL UNIQUE COLLATE NOCASE,
                frequency TEXT NOT NULL CHECK (frequency IN ('daily', 'weekly')),
                topics TEXT NOT NULL DEFAULT '',        -- as DigestTopics.text writes it
                user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
                for_me INTEGER NOT NULL DEFAULT 0,
                status TEXT NOT NULL CHECK (status IN ('pending', 'active', 'unsubscribed', 'suspended')),
                created_at INTEGER NOT NULL,
                confirmed_at INTEGER,
                updated_at INTEGER NOT NULL,
                bounces INTEGER NOT NULL DEFAULT 0
            );
            CREATE INDEX subscriptions_live ON subscriptions (frequency, id) WHERE status = 'active';
            -- Every subscribe request, kept a day: the per-address limit counts them.
            CREATE TABLE subscription_requests (
                email TEXT NOT NULL COLLATE NOCASE,
                requested_at INTEGER NOT NULL
            );
            CREATE INDEX subscription_requests_by_email ON subscription_requests (email, requested_at);
            -- The ledger: one row per digest, unique per subscription and period.
            CREATE TABLE digest_deliveries (
                id INTEGER PRIMARY KEY,
                subscription_id INTEGER NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
                period TEXT NOT NULL,                   -- DigestPeriod.key: daily:2026-11-24, weekly:2026-W48
                state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'committed', 'delivered', 'failed', 'skipped')),
                worker TEXT,                            -- the sender holding the claim
                lease_until INTEGER,                    -- when a 'sending' claim may be taken over
                not_before INTEGER NOT NULL DEFAULT 0,  -- a retried row waits until then
                attempts INTEGER NOT NULL DEFAULT 0,
                message_id TEXT,
                detail TEXT,                            -- the last error, or why it was skipped
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL,
                UNIQUE (subscription_id, period)
            );
            -- A period's rows by state: claims read the due ones in order, `digest status` counts.
            CREATE INDEX digest_deliveries_by_period ON digest_deliveries (period, state, not_before);
            """)
    }
}

/// Subscriptions and the digest ledger in the catalog's SQLite file. Each method is one write
/// transaction, and claims are single `UPDATE … RETURNING` statements: SQLite runs writers one
/// at a time across processes, so two senders can never claim the same digest.
extension SQLiteCatalog: SubscriptionStore {
    private static let columns = "id, email, frequency, topics, user_id, for_me, status, created_at, confirmed_at, bounces"

    private static func subscription(_ row: Row) -> Subscription {
        let topics = (try? DigestTopics(parsing: row["topics"] as String)) ?? DigestTopics()
        return Subscription(
            id: row["id"], email: row["email"],
            frequency: DigestFrequency(rawValue: row["frequency"]) ?? .daily, topics: topics,
            userID: row["user_id"], forMe: row["for_me"],
            status: Subscription.Status(rawValue: row["status"]) ?? .pending,
            createdAt: date(row["created_at"]), confirmedAt: (row["confirmed_at"] as Int64?).map(date),
            bounces: row["bounces"])
    }

    private static func date(_ seconds: Int64) -> Date { Date(timeIntervalSince1970: TimeInterval(seconds)) }
    private static func seconds(_ date: Date) -> Int64 { Int64(date.timeIntervalSince1970.rounded(.down)) }

    private static func fetch(_ db: Database, id: Int64) throws -> Subscription? {
        try Row.fetchOne(db, sql: "SELECT \(columns) FROM subscriptions WHERE id = ?", arguments: [id]).map { subscription($0) }
    }

    public func subscribe(_ request: SubscriptionRequest, at time: Date, limit: (count: Int, window: TimeInterval)) async throws -> SubscribeOutcome {
        let now = Self.seconds(time)
        return try await pool.write { db in
            let windowStart = now - Int64(limit.window)
            try db.execute(sql: "DELETE FROM subscription_requests WHERE requested_at < ?", arguments: [windowStart])
            let recent = try Int64.fetchAll(
                db, sql: "SELECT requested_at FROM subscription_requests WHERE email = ? AND requested_at >= ? ORDER BY requested_at",
                arguments: [request.email, windowStart])
            if recent.count >= limit.count {
                let retryAfter = max(1, Int(recent[recent.count - limit.count] + Int64(limit.window) - now))
                return .tooManyRequests(retryAfter: retryAfter)
            }
            try db.execute(sql: "INSERT INTO subscription_requests (email, requested_at) VALUES (?, ?)", arguments: [request.email, now])
            if let existing = try Row.fetchOne(db, sql: "SELECT \(Self.columns) FROM subscriptions WHERE email = ?", arguments: [request.email]).map({ Self.subscription($0) }) {
                if existing.status == .active { return .alreadyActive(existing) }
                try db.execute(
                    sql: """
                        UPDATE subscriptions SET frequency = ?, topics = ?, user_id = coalesce(?, user_id), for_me = ?,
                            status = 'pending', confirmed_at = NULL, updated_at = ?, bounces = 0 WHERE id = ?
                        """,
                    arguments: [request.frequency.rawValue, request.topics.text, request.userID, request.forMe, now, existing.id])
                return .needsConfirmation(try Self.fetch(db, id: existing.id)!)
            }
            try db.execute(
                sql: """
                    INSERT INTO subscriptions (email, frequency, topics, user_id, for_me, status, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)
                    """,
                arguments: [request.email, request.frequency.rawValue, request.topics.text, request.userID, request.forMe, now, now])
            return .needsConfirmation(try Self.fetch(db, id: db.lastInsertedRowID)!)
        }
    }

    public func subscription(id: Int64) async throws -> Subscription? {
        try readNow { db in try Self.fetch(db, id: id) }
    }

    public func subscription(email: String) async throws -> Subscription? {
        try readNow { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.columns) FROM subscriptions WHERE email = ?", arguments: [email]).map { Self.subscription($0) }
        }
    }

    public func confirmSubscription(id: Int64, at time: Date) async throws -> Subscription? {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE subscriptions SET status = 'active', confirmed_at = ?, updated_at = ? WHERE id = ? AND status = 'pending'",
                arguments: [Self.seconds(time), Self.seconds(time), id])
            guard let subscription = try Self.fetch(db, id: id), subscription.status == .active else { return nil }
            return subscription
        }
    }

    public func unsubscribe(id: Int64, at time: Date) async throws -> Subscription? {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE subscriptions SET status = 'unsubscribed', updated_at = ? WHERE id = ? AND status IN ('pending', 'active')",
                arguments: [Self.seconds(time), id])
            return try Self.fetch(db, id: id)
        }
    }

    public func updateSubscription(
        id: Int64, frequency: DigestFrequency, topics: DigestTopics, forMe: Bool, at time: Date
    ) async throws -> Subscription? {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE subscriptions SET frequency = ?, topics = ?, for_me = (? AND user_id IS NOT NULL), updated_at = ? WHERE id = ?",
                arguments: [frequency.rawValue, topics.text, forMe, Self.seconds(time), id])
            return try Self.fetch(db, id: id)
        }
    }

    public func activeSubscriptions(frequency: DigestFrequency, after: Int64, limit: Int) async throws -> [Subscription] {
        try readNow { db in
            try Row.fetchAll(
                db, sql: "SELECT \(Self.columns) FROM subscriptions WHERE status = 'active' AND frequency = ? AND id > ? ORDER BY id LIMIT ?",
                arguments: [frequency.rawValue, after, limit]
            ).map { Self.subscription($0) }
        }
    }

    public func subscriptionCounts() async throws -> [Subscription.Status: Int] {
        try readNow { db in
            var counts: [Subscription.Status: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT status, count(*) AS n FROM subscriptions GROUP BY status") {
                if let status = Subscription.Status(rawValue: row["status"]) { counts[status] = row["n"] }
            }
            return counts
        }
    }

    public func planDigests(for period: DigestPeriod, at time: Date) async throws -> Int {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO digest_deliveries (subscription_id, period, state, created_at, updated_at)
                    SELECT id, ?, 'queued', ?, ? FROM subscriptions WHERE status = 'active' AND frequency = ?
                    """,
                arguments: [period.key, Self.seconds(time), Self.seconds(time), period.frequency.rawValue])
            return db.changesCount
        }
    }

    public func claimDigests(of period: DigestPeriod, worker: String, limit: Int, leaseUntil: Date, now: Date) async throws -> [DigestJob] {
        let current = Self.seconds(now)
        return try await pool.write { db in
            // One statement: the rows are chosen and taken in the same step. A 'sending' row whose
            // lease ran out belongs to a sender that died before its commit point, so the server
            // never got its message and it is safe to send again.
            let claimed = try Row.fetchAll(
                db,
                sql: """
                    UPDATE digest_deliveries SET state = 'sending', worker = ?, lease_until = ?, updated_at = ?
                    WHERE id IN (
                        SELECT id FROM (
                            SELECT id FROM digest_deliveries
                            WHERE period = ? AND state = 'sending' AND lease_until < ? LIMIT ?)
                        UNION ALL
                        SELECT id FROM (
                            SELECT id FROM digest_deliveries
                            WHERE period = ? AND state = 'queued' AND not_before <= ? ORDER BY not_before, id LIMIT ?)
                        LIMIT ?)
                    RETURNING id, subscription_id, attempts
                    """,
                // Two ranges of `digest_deliveries_by_period`, each read in index order and
                // stopped at the limit: one OR over both states made every claim scan the whole
                // ledger, every period's rows.
                arguments: [worker, Self.seconds(leaseUntil), current, period.key, current, max(1, limit), period.key, current,
                            max(1, limit), max(1, limit)])
            return try claimed.sorted { ($0["id"] as Int64) < ($1["id"] as Int64) }.map { row in
                DigestJob(id: row["id"], subscription: try Self.fetch(db, id: row["subscription_id"])!, periodKey: period.key, attempts: row["attempts"])
            }
        }
    }

    public func releaseDigests(_ jobs: [DigestJob], worker: String, at time: Date) async throws {
        guard !jobs.isEmpty else { return }
        try await pool.write { db in
            for job in jobs {
                try db.execute(
                    sql: """
                        UPDATE digest_deliveries SET state = 'queued', worker = NULL, lease_until = NULL, updated_at = ?
                        WHERE id = ? AND worker = ? AND state = 'sending'
                        """,
                    arguments: [Self.seconds(time), job.id, worker])
            }
        }
    }

    public func commitDigest(_ job: DigestJob, worker: String, at time: Date) async throws -> Bool {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE digest_deliveries SET state = 'committed', attempts = attempts + 1, updated_at = ? WHERE id = ? AND state = 'sending' AND worker = ?",
                arguments: [Self.seconds(time), job.id, worker])
            return db.changesCount == 1
        }
    }

    public func finishDigests(_ results: [(job: DigestJob, outcome: DigestOutcome)], worker: String, at time: Date) async throws {
        guard !results.isEmpty else { return }
        let now = Self.seconds(time)
        try await pool.write { db in
            for (job, outcome) in results { try Self.finish(job, outcome, worker: worker, now: now, in: db) }
        }
    }

    private static func finish(_ job: DigestJob, _ outcome: DigestOutcome, worker: String, now: Int64, in db: Database) throws {
        let mine = "id = ? AND worker = ? AND state IN ('sending', 'committed')"
        switch outcome {
        case .delivered(let messageID):
            try db.execute(
                sql: "UPDATE digest_deliveries SET state = 'delivered', message_id = ?, detail = NULL, updated_at = ? WHERE \(mine)",
                arguments: [messageID, now, job.id, worker])
            if db.changesCount == 1 {
                try db.execute(sql: "UPDATE subscriptions SET bounces = 0 WHERE id = ? AND bounces > 0", arguments: [job.subscription.id])
            }
        case .retry(let retryAt, let reason):
            try db.execute(
                sql: """
                    UPDATE digest_deliveries SET state = 'queued', worker = NULL, lease_until = NULL, not_before = ?,
                        attempts = attempts + (state = 'sending'), detail = ?, updated_at = ? WHERE \(mine)
                    """,
                arguments: [Self.seconds(retryAt), reason, now, job.id, worker])
        case .failed(let reason, let bounce):
            try db.execute(
                sql: "UPDATE digest_deliveries SET state = 'failed', detail = ?, updated_at = ? WHERE \(mine)",
                arguments: [reason, now, job.id, worker])
            if bounce && db.changesCount == 1 {
                // An address refused permanently three digests in a row is suspended.
                try db.execute(
                    sql: """
                        UPDATE subscriptions SET bounces = bounces + 1,
                            status = CASE WHEN bounces + 1 >= ? AND status = 'active' THEN 'suspended' ELSE status END,
                            updated_at = ? WHERE id = ?
                        """,
                    arguments: [bouncesBeforeSuspension, now, job.subscription.id])
            }
        case .skipped(let reason):
            try db.execute(
                sql: "UPDATE digest_deliveries SET state = 'skipped', detail = ?, updated_at = ? WHERE \(mine)",
                arguments: [reason, now, job.id, worker])
        }
    }

    /// Permanent refusals in a row after which an address gets no more digests.
    public static let bouncesBeforeSuspension = 3

    public func digestStates(of period: DigestPeriod) async throws -> [DigestState: Int] {
        try readNow { db in
            var counts: [DigestState: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, count(*) AS n FROM digest_deliveries WHERE period = ? GROUP BY state", arguments: [period.key]) {
                if let state = DigestState(rawValue: row["state"]) { counts[state] = row["n"] }
            }
            return counts
        }
    }

    public func papersLiked(byUser userID: Int64, limit: Int) async throws -> [ArxivID] {
        try readNow { db in
            // Upvoted or saved into any of the user's collections, most recent first, each once.
            try String.fetchAll(
                db,
                sql: """
                    SELECT paper_id FROM (
                        SELECT paper_id, created_at AS at FROM paper_votes WHERE user_id = ?
                        UNION ALL
                        SELECT cp.paper_id, cp.added_at AS at FROM collection_papers cp
                        JOIN collections c ON c.id = cp.collection_id WHERE c.user_id = ?)
                    GROUP BY paper_id ORDER BY max(at) DESC LIMIT ?
                    """,
                arguments: [userID, userID, limit]
            ).compactMap { ArxivID($0) }
        }
    }

    public func linkSigningSecret() async throws -> [UInt8] {
        let key = "digest_link_secret"
        if let stored = try await state(key), let bytes = SubscriptionLinks.secret(stored: stored) { return bytes }
        // Two processes may make one at once: the first write wins and both read it back.
        let fresh = SubscriptionLinks.newStoredSecret()
        try await pool.write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO catalog_state (key, value) VALUES (?, ?)", arguments: [key, fresh])
        }
        guard let stored = try await state(key), let bytes = SubscriptionLinks.secret(stored: stored) else {
            throw CatalogError.cannotOpen(path: path, reason: "the link signing secret could not be stored")
        }
        return bytes
    }
}
