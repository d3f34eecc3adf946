import Catalog
import Digests
import Foundation
import PostgresNIO

/// Subscriptions and the digest delivery ledger (migration `003-digests`), behaving as the
/// SQLite backend's do, method for method, with many servers and senders on one database.
///
/// What SQLite gets from running one writer at a time, this backend gets from locks:
/// - a claim is one `UPDATE` whose rows are picked `FOR UPDATE SKIP LOCKED`, so concurrent
///   senders each take rows no other holds, and none waits for another;
/// - the subscribe requests of one address take turns on an advisory lock, so the per-address
///   limit holds however many servers answer the form at once;
/// - planners of a period take turns on another, and the ledger's (subscription, period) key
///   turns a second plan into nothing.
///
/// Every method goes through `perform`, so it runs again, once or twice, on a lost connection.
/// Reads, plans, releases and finishes are safe to repeat as they are; `commitDigest` and
/// `claimDigests` say what a repeat means for them.
extension PostgresCatalog: SubscriptionStore {
    /// Permanent refusals in a row after which an address gets no more digests (the same number
    /// as `SQLiteCatalog.bouncesBeforeSuspension`).
    public static let bouncesBeforeSuspension = 3

    /// The first keys of the two-key advisory locks taken here; the second is a hash of the
    /// address or of the period. PostgreSQL keeps two-key locks apart from the one-key locks
    /// of migrations and writers, so these never wait for those.
    static let subscriberLockSpace: Int32 = 0x7062_0001
    static let plannerLockSpace: Int32 = 0x7062_0002

    private static let columns = "id, email, frequency, topics, user_id, for_me, status, created_at, confirmed_at, bounces"
    /// `columns` of the table named `s`.
    private static let columnsOfS = columns.split(separator: ", ").map { "s.\($0)" }.joined(separator: ", ")

    /// A row of `columns`, from `offset` on.
    private static func subscription(_ cells: PostgresRandomAccessRow, from offset: Int = 0) throws -> Subscription {
        let topics = (try? DigestTopics(parsing: try cells[offset + 3].decode(String.self))) ?? DigestTopics()
        return Subscription(
            id: try cells[offset].decode(Int64.self), email: try cells[offset + 1].decode(String.self),
            frequency: DigestFrequency(rawValue: try cells[offset + 2].decode(String.self)) ?? .daily, topics: topics,
            userID: try cells[offset + 4].decode(Int64?.self), forMe: try cells[offset + 5].decode(Bool.self),
            status: Subscription.Status(rawValue: try cells[offset + 6].decode(String.self)) ?? .pending,
            createdAt: date(try cells[offset + 7].decode(Int64.self)),
            confirmedAt: try cells[offset + 8].decode(Int64?.self).map(date),
            bounces: try cells[offset + 9].decode(Int.self))
    }

    private static func subscriptions(_ rows: PostgresRowSequence) async throws -> [Subscription] {
        var found: [Subscription] = []
        for try await row in rows { found.append(try subscription(row.makeRandomAccess())) }
        return found
    }

    private func fetchSubscription(id: Int64, in db: PostgresConnection) async throws -> Subscription? {
        try await Self.subscriptions(db.query("SELECT \(unescaped: Self.columns) FROM subscriptions WHERE id = \(id)", logger: logger)).first
    }

    // MARK: Subscriptions

    public func subscribe(_ request: SubscriptionRequest, at time: Date, limit: (count: Int, window: TimeInterval)) async throws -> SubscribeOutcome {
        let now = Self.seconds(time)
        let windowStart = now - Int64(limit.window)
        return try await perform("record a subscribe request") {
            try await self.transaction { db in
                // Requests for one address take turns from here to the commit, in every process:
                // each counts the requests of those before it.
                try await db.query(
                    "SELECT pg_advisory_xact_lock(\(Self.subscriberLockSpace), hashtext(ascii_lower(\(request.email))))", logger: self.logger)
                // Old requests of any address go, a slice at a time; rows another request is
                // deleting are left to it rather than waited for.
                try await db.query("""
                    DELETE FROM subscription_requests WHERE ctid = ANY(ARRAY(
                        SELECT ctid FROM subscription_requests WHERE requested_at < \(windowStart) LIMIT 1000 FOR UPDATE SKIP LOCKED))
                    """, logger: self.logger)
                var recent: [Int64] = []
                for try await at in try await db.query("""
                    SELECT requested_at FROM subscription_requests
                    WHERE ascii_lower(email) = ascii_lower(\(request.email)) AND requested_at >= \(windowStart) ORDER BY requested_at
                    """, logger: self.logger).decode(Int64.self) {
                    recent.append(at)
                }
                if recent.count >= limit.count {
                    // The address may ask again once the oldest request that keeps it at the
                    // limit leaves the window.
                    let keeping = recent.count - limit.count
                    let retryAfter = keeping < recent.count ? Int(recent[keeping] + Int64(limit.window) - now) : Int(limit.window)
                    return .tooManyRequests(retryAfter: max(1, retryAfter))
                }
                try await db.query(
                    "INSERT INTO subscription_requests (email, requested_at) VALUES (\(request.email), \(now))", logger: self.logger)
                let existing = try await Self.subscriptions(db.query(
                    "SELECT \(unescaped: Self.columns) FROM subscriptions WHERE ascii_lower(email) = ascii_lower(\(request.email))",
                    logger: self.logger)).first
                if let existing {
                    if existing.status == .active { return .alreadyActive(existing) }
                    let renewed = try await Self.subscriptions(db.query("""
                        UPDATE subscriptions SET frequency = \(request.frequency.rawValue), topics = \(request.topics.text),
                            user_id = coalesce(\(request.userID), user_id), for_me = \(request.forMe),
                            status = 'pending', confirmed_at = NULL, updated_at = \(now), bounces = 0
                        WHERE id = \(existing.id) RETURNING \(unescaped: Self.columns)
                        """, logger: self.logger))
                    return .needsConfirmation(try self.exactlyOne(renewed, "subscription \(existing.id)"))
                }
                let created = try await Self.subscriptions(db.query("""
                    INSERT INTO subscriptions (email, frequency, topics, user_id, for_me, status, created_at, updated_at)
                    VALUES (\(request.email), \(request.frequency.rawValue), \(request.topics.text), \(request.userID), \(request.forMe),
                            'pending', \(now), \(now))
                    RETURNING \(unescaped: Self.columns)
                    """, logger: self.logger))
                return .needsConfirmation(try self.exactlyOne(created, "the new subscription"))
            }
        }
    }

    /// The row a write that must touch one row answered. (None would mean the subscription
    /// went away while its address's lock was held: nothing in Paperboy deletes subscriptions.)
    private func exactlyOne(_ rows: [Subscription], _ what: String) throws -> Subscription {
        guard rows.count == 1, let row = rows.first else {
            throw PostgresCatalogError.failed(location, reason: "\(what) was not found where it had just been read")
        }
        return row
    }

    public func subscription(id: Int64) async throws -> Subscription? {
        try await perform("read subscription \(id)") {
            try await Self.subscriptions(self.client.query(
                "SELECT \(unescaped: Self.columns) FROM subscriptions WHERE id = \(id)", logger: self.logger)).first
        }
    }

    public func subscription(email: String) async throws -> Subscription? {
        try await perform("read the subscription of an address") {
            try await Self.subscriptions(self.client.query(
                "SELECT \(unescaped: Self.columns) FROM subscriptions WHERE ascii_lower(email) = ascii_lower(\(email))",
                logger: self.logger)).first
        }
    }

    public func confirmSubscription(id: Int64, at time: Date) async throws -> Subscription? {
        let now = Self.seconds(time)
        return try await perform("confirm subscription \(id)") {
            try await self.transaction { db in
                try await db.query(
                    "UPDATE subscriptions SET status = 'active', confirmed_at = \(now), updated_at = \(now) WHERE id = \(id) AND status = 'pending'",
                    logger: self.logger)
                guard let subscription = try await self.fetchSubscription(id: id, in: db), subscription.status == .active else { return nil }
                return subscription
            }
        }
    }

    public func unsubscribe(id: Int64, at time: Date) async throws -> Subscription? {
        let now = Self.seconds(time)
        return try await perform("end subscription \(id)") {
            try await self.transaction { db in
                try await db.query(
                    "UPDATE subscriptions SET status = 'unsubscribed', updated_at = \(now) WHERE id = \(id) AND status IN ('pending', 'active')",
                    logger: self.logger)
                return try await self.fetchSubscription(id: id, in: db)
            }
        }
    }

    public func updateSubscription(
        id: Int64, frequency: DigestFrequency, topics: DigestTopics, forMe: Bool, at time: Date
    ) async throws -> Subscription? {
        let now = Self.seconds(time)
        return try await perform("change subscription \(id)") {
            try await Self.subscriptions(self.client.query("""
                UPDATE subscriptions SET frequency = \(frequency.rawValue), topics = \(topics.text),
                    for_me = (\(forMe) AND user_id IS NOT NULL), updated_at = \(now)
                WHERE id = \(id) RETURNING \(unescaped: Self.columns)
                """, logger: self.logger)).first
        }
    }

    public func activeSubscriptions(frequency: DigestFrequency, after: Int64, limit: Int) async throws -> [Subscription] {
        try await perform("list active \(frequency.rawValue) subscriptions") {
            try await Self.subscriptions(self.client.query("""
                SELECT \(unescaped: Self.columns) FROM subscriptions
                WHERE status = 'active' AND frequency = \(frequency.rawValue) AND id > \(after) ORDER BY id LIMIT \(max(0, limit))
                """, logger: self.logger))
        }
    }

    public func subscriptionCounts() async throws -> [Subscription.Status: Int] {
        try await perform("count subscriptions") {
            var counts: [Subscription.Status: Int] = [:]
            for try await (status, count) in try await self.client.query(
                "SELECT status, count(*) FROM subscriptions GROUP BY status", logger: self.logger
            ).decode((String, Int).self) {
                if let status = Subscription.Status(rawValue: status) { counts[status] = count }
            }
            return counts
        }
    }

    // MARK: The ledger

    public func planDigests(for period: DigestPeriod, at time: Date) async throws -> Int {
        let now = Self.seconds(time)
        return try await perform("plan the digests of \(period.key)") {
            try await self.transaction { db in
                // Planners of one period take turns: the second finds every row there and adds
                // none, rather than racing the first row by row (which can deadlock).
                try await db.query(
                    "SELECT pg_advisory_xact_lock(\(Self.plannerLockSpace), hashtext(\(period.key)))", logger: self.logger)
                let rows = try await db.query("""
                    WITH added AS (
                        INSERT INTO digest_deliveries (subscription_id, period, state, created_at, updated_at)
                        SELECT id, \(period.key), 'queued', \(now), \(now) FROM subscriptions
                        WHERE status = 'active' AND frequency = \(period.frequency.rawValue) ORDER BY id
                        ON CONFLICT (subscription_id, period) DO NOTHING
                        RETURNING 1
                    )
                    SELECT count(*) FROM added
                    """, logger: self.logger)
                for try await added in rows.decode(Int.self) { return added }
                return 0
            }
        }
    }

    /// Repeated on a lost connection, a claim whose first try committed takes other rows: the
    /// first ones stay with `worker`, unsent and uncommitted, until their lease runs out and any
    /// sender takes them again, as when a sender dies.
    public func claimDigests(of period: DigestPeriod, worker: String, limit: Int, leaseUntil: Date, now: Date) async throws -> [DigestJob] {
        let current = Self.seconds(now)
        let lease = Self.seconds(leaseUntil)
        let count = max(1, limit)
        return try await perform("claim digests of \(period.key)") {
            // One statement: the rows are chosen, locked and taken in the same step. Rows another
            // claim has locked are skipped, not waited for, and a row another claim took since
            // this one began no longer passes its condition when locked, so is left out. A
            // 'sending' row whose lease ran out belongs to a sender that died before its commit
            // point, so the server never got its message and it is safe to send again. The
            // two states are read apart, each an index range stopped at the limit.
            let rows = try await self.client.query("""
                WITH claimed AS (
                    UPDATE digest_deliveries SET state = 'sending', worker = \(worker), lease_until = \(lease), updated_at = \(current)
                    WHERE id IN (
                        SELECT id FROM (
                            SELECT id FROM digest_deliveries
                            WHERE period = \(period.key) AND state = 'sending' AND lease_until < \(current)
                            LIMIT \(count) FOR UPDATE SKIP LOCKED) AS expired
                        UNION ALL
                        SELECT id FROM (
                            SELECT id FROM digest_deliveries
                            WHERE period = \(period.key) AND state = 'queued' AND not_before <= \(current)
                            ORDER BY not_before, id LIMIT \(count) FOR UPDATE SKIP LOCKED) AS due
                        LIMIT \(count))
                    RETURNING id, subscription_id, attempts
                )
                SELECT c.id, c.attempts, \(unescaped: Self.columnsOfS)
                FROM claimed c JOIN subscriptions s ON s.id = c.subscription_id ORDER BY c.id
                """, logger: self.logger)
            var jobs: [DigestJob] = []
            for try await row in rows {
                let cells = row.makeRandomAccess()
                jobs.append(DigestJob(
                    id: try cells[0].decode(Int64.self), subscription: try Self.subscription(cells, from: 2), periodKey: period.key,
                    attempts: try cells[1].decode(Int.self)))
            }
            return jobs
        }
    }

    public func releaseDigests(_ jobs: [DigestJob], worker: String, at time: Date) async throws {
        guard !jobs.isEmpty else { return }
        let now = Self.seconds(time)
        let ids = jobs.map(\.id)
        try await perform("release \(ids.count) digests") {
            try await self.client.query("""
                UPDATE digest_deliveries SET state = 'queued', worker = NULL, lease_until = NULL, updated_at = \(now)
                WHERE id = ANY(\(ids)) AND worker = \(worker) AND state = 'sending'
                """, logger: self.logger)
        }
    }

    public func commitDigest(_ job: DigestJob, worker: String, at time: Date) async throws -> Bool {
        let now = Self.seconds(time)
        var retrying = false
        return try await perform("commit digest \(job.id)") {
            defer { retrying = true }
            let committed = try await self.single("""
                UPDATE digest_deliveries SET state = 'committed', attempts = attempts + 1, updated_at = \(now)
                WHERE id = \(job.id) AND state = 'sending' AND worker = \(worker) RETURNING id
                """, as: Int64.self) != nil
            guard !committed, retrying else { return committed }
            // The try before this one may have committed and lost its connection before the
            // answer came: the row is then committed in this worker's name, and answering false
            // would drop a message the ledger counts as sent.
            return try await self.single("""
                SELECT id FROM digest_deliveries WHERE id = \(job.id) AND state = 'committed' AND worker = \(worker)
                """, as: Int64.self) != nil
        }
    }

    public func finishDigests(_ results: [(job: DigestJob, outcome: DigestOutcome)], worker: String, at time: Date) async throws {
        guard !results.isEmpty else { return }
        let now = Self.seconds(time)
        // Subscriptions are locked in id order, so two senders finishing digests of the same
        // subscribers (a daily and a weekly run) cannot deadlock.
        let ordered = results.sorted { ($0.job.subscription.id, $0.job.id) < ($1.job.subscription.id, $1.job.id) }
        try await perform("record how \(results.count) digests ended") {
            try await self.transaction { db in
                for (job, outcome) in ordered { try await self.finish(job, outcome, worker: worker, now: now, in: db) }
            }
        }
    }

    /// Each outcome changes the row only while `worker` holds it (claimed or committed), so a
    /// repeat, or a sender that lost its claim, changes nothing, bounces included.
    private func finish(_ job: DigestJob, _ outcome: DigestOutcome, worker: String, now: Int64, in db: PostgresConnection) async throws {
        func changed(_ query: PostgresQuery) async throws -> Bool {
            for try await _ in try await db.query(query, logger: logger) { return true }
            return false
        }
        switch outcome {
        case .delivered(let messageID):
            if try await changed("""
                UPDATE digest_deliveries SET state = 'delivered', message_id = \(messageID), detail = NULL, updated_at = \(now)
                WHERE id = \(job.id) AND worker = \(worker) AND state IN ('sending', 'committed') RETURNING id
                """) {
                try await db.query("UPDATE subscriptions SET bounces = 0 WHERE id = \(job.subscription.id) AND bounces > 0", logger: logger)
            }
        case .retry(let retryAt, let reason):
            try await db.query("""
                UPDATE digest_deliveries SET state = 'queued', worker = NULL, lease_until = NULL, not_before = \(Self.seconds(retryAt)),
                    attempts = attempts + CASE WHEN state = 'sending' THEN 1 ELSE 0 END, detail = \(reason), updated_at = \(now)
                WHERE id = \(job.id) AND worker = \(worker) AND state IN ('sending', 'committed')
                """, logger: logger)
        case .failed(let reason, let bounce):
            let failed = try await changed("""
                UPDATE digest_deliveries SET state = 'failed', detail = \(reason), updated_at = \(now)
                WHERE id = \(job.id) AND worker = \(worker) AND state IN ('sending', 'committed') RETURNING id
                """)
            if bounce && failed {
                // An address refused permanently three digests in a row is suspended.
                try await db.query("""
                    UPDATE subscriptions SET bounces = bounces + 1,
                        status = CASE WHEN bounces + 1 >= \(Self.bouncesBeforeSuspension) AND status = 'active' THEN 'suspended' ELSE status END,
                        updated_at = \(now)
                    WHERE id = \(job.subscription.id)
                    """, logger: logger)
            }
        case .skipped(let reason):
            try await db.query("""
                UPDATE digest_deliveries SET state = 'skipped', detail = \(reason), updated_at = \(now)
                WHERE id = \(job.id) AND worker = \(worker) AND state IN ('sending', 'committed')
                """, logger: logger)
        }
    }

    public func digestStates(of period: DigestPeriod) async throws -> [DigestState: Int] {
        try await perform("count the digests of \(period.key)") {
            var counts: [DigestState: Int] = [:]
            for try await (state, count) in try await self.client.query(
                "SELECT state, count(*) FROM digest_deliveries WHERE period = \(period.key) GROUP BY state", logger: self.logger
            ).decode((String, Int).self) {
                if let state = DigestState(rawValue: state) { counts[state] = count }
            }
            return counts
        }
    }

    // MARK: Taste and secrets

    /// Reads `paper_votes`, `collections` and `collection_papers` of migration `002-community`.
    public func papersLiked(byUser userID: Int64, limit: Int) async throws -> [ArxivID] {
        try await perform("read the papers user \(userID) liked") {
            // Upvoted or saved into any of the user's collections, most recent first, each once.
            var liked: [ArxivID] = []
            for try await id in try await self.client.query("""
                SELECT paper_id FROM (
                    SELECT paper_id, created_at AS at FROM paper_votes WHERE user_id = \(userID)
                    UNION ALL
                    SELECT cp.paper_id, cp.added_at AS at FROM collection_papers cp
                    JOIN collections c ON c.id = cp.collection_id WHERE c.user_id = \(userID)
                ) AS liked
                GROUP BY paper_id ORDER BY max(at) DESC LIMIT \(max(0, limit))
                """, logger: self.logger).decode(String.self) {
                if let id = ArxivID(id) { liked.append(id) }
            }
            return liked
        }
    }

    public func linkSigningSecret() async throws -> [UInt8] {
        let key = "digest_link_secret"
        if let stored = try await state(key), let bytes = SubscriptionLinks.secret(stored: stored) { return bytes }
        // Two processes may make one at once: the first write wins and both read it back.
        let fresh = SubscriptionLinks.newStoredSecret()
        try await perform("store the link signing secret") {
            try await self.client.query(
                "INSERT INTO catalog_state (key, value) VALUES (\(key), \(fresh)) ON CONFLICT (key) DO NOTHING", logger: self.logger)
        }
        guard let stored = try await state(key), let bytes = SubscriptionLinks.secret(stored: stored) else {
            throw PostgresCatalogError.failed(location, reason: "the link signing secret could not be stored")
        }
        return bytes
    }
}
