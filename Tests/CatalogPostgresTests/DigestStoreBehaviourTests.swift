import Catalog
import Digests
import Foundation
import Testing

/// What every `SubscriptionStore` must do, run against SQLite and PostgreSQL alike: double
/// opt-in, the per-address limit, and the delivery ledger's exactly-once promises, with
/// several instances of the store on one database wherever several servers would race.
@Suite struct DigestStoreBehaviourTests {
    let now = Date(timeIntervalSince1970: 1_764_000_000)
    let period = DigestPeriod("daily:2026-11-24")!
    let oneADay: (count: Int, window: TimeInterval) = (3, 86_400)

    // MARK: Subscriptions

    @Test(arguments: Backend.available)
    func doubleOptInAndLeaving(backend: Backend) async throws {
        try await backend.withDigestStore { store, _ in
            let request = try SubscriptionRequest.make(email: "Ann@Example.org", frequency: "weekly", topics: "cs.CL, diffusion")
            guard case .needsConfirmation(let pending) = try await store.subscribe(request, at: now, limit: oneADay) else {
                Issue.record("expected a pending subscription"); return
            }
            #expect(pending.status == .pending && pending.frequency == .weekly && pending.email == "Ann@example.org")
            #expect(pending.topics == DigestTopics(categories: ["cs.CL"], keywords: ["diffusion"]))
            #expect(pending.createdAt == now && pending.confirmedAt == nil && pending.userID == nil && !pending.forMe)
            // Pending subscribers get no digest.
            #expect(try await store.planDigests(for: DigestPeriod("weekly:2026-W48")!, at: now) == 0)
            let active = try #require(try await store.confirmSubscription(id: pending.id, at: now.addingTimeInterval(60)))
            #expect(active.status == .active && active.confirmedAt == now.addingTimeInterval(60))
            // Confirming twice (a link opened again) answers the active subscription.
            #expect(try await store.confirmSubscription(id: pending.id, at: now.addingTimeInterval(120)) == active)
            // Someone else asking for the same address, in any case, changes nothing.
            let stranger = try SubscriptionRequest.make(email: "ann@EXAMPLE.org", frequency: "daily", topics: "")
            #expect(try await store.subscribe(stranger, at: now, limit: oneADay) == .alreadyActive(active))
            #expect(try await store.subscription(email: "ANN@example.org") == active)
            #expect(try await store.subscription(id: pending.id)?.frequency == .weekly)
            #expect(try await store.unsubscribe(id: pending.id, at: now)?.status == .unsubscribed)
            // A confirmation link opened after leaving does not bring the subscription back.
            #expect(try await store.confirmSubscription(id: pending.id, at: now) == nil)
            #expect(try await store.subscriptionCounts() == [.unsubscribed: 1])
            // Coming back is a new request to confirm, on the same row, with the new choices.
            guard case .needsConfirmation(let back) = try await store.subscribe(stranger, at: now, limit: oneADay) else {
                Issue.record("a subscriber who left may subscribe again"); return
            }
            #expect(back.id == pending.id && back.status == .pending && back.frequency == .daily && back.topics.isEmpty)
            #expect(back.confirmedAt == nil)
            // Ids nobody has are answered with nothing.
            #expect(try await store.subscription(id: back.id + 1) == nil)
            #expect(try await store.subscription(email: "nobody@example.org") == nil)
            #expect(try await store.confirmSubscription(id: back.id + 1, at: now) == nil)
            #expect(try await store.unsubscribe(id: back.id + 1, at: now) == nil)
        }
    }

    @Test(arguments: Backend.available)
    func pendingRequestsTakeNewChoicesAndUpdatesChangeThem(backend: Backend) async throws {
        try await backend.withDigestStore { store, _ in
            let first = try SubscriptionRequest.make(email: "bo@example.org", frequency: "daily", topics: "cs.LG")
            guard case .needsConfirmation(let pending) = try await store.subscribe(first, at: now, limit: oneADay) else {
                Issue.record("expected a pending subscription"); return
            }
            // Asked again while pending: the new choices replace the old.
            let second = try SubscriptionRequest.make(email: "BO@example.org", frequency: "weekly", topics: "")
            guard case .needsConfirmation(let renewed) = try await store.subscribe(second, at: now.addingTimeInterval(5), limit: oneADay) else {
                Issue.record("a pending address may ask again"); return
            }
            #expect(renewed.id == pending.id && renewed.frequency == .weekly && renewed.topics.isEmpty)
            #expect(renewed.email == "bo@example.org" && renewed.createdAt == now && renewed.status == .pending)
            #expect(try await store.subscriptionCounts() == [.pending: 1])
            let changed = try await store.updateSubscription(
                id: pending.id, frequency: .daily, topics: try DigestTopics(parsing: "hep-th, \"state space\""), forMe: true, at: now)
            // "For me" needs an account: without one the store keeps it off.
            #expect(changed?.frequency == .daily && changed?.forMe == false)
            #expect(changed?.topics == DigestTopics(categories: ["hep-th"], keywords: ["state space"]))
            #expect(try await store.subscription(id: pending.id) == changed)
            #expect(try await store.updateSubscription(id: pending.id + 1, frequency: .daily, topics: DigestTopics(), forMe: false, at: now) == nil)
        }
    }

    @Test(arguments: Backend.available)
    func activeSubscriptionsComeInPagesOfOneFrequency(backend: Backend) async throws {
        try await backend.withDigestStore { store, _ in
            let daily = try await subscribeActive(store, count: 7)
            _ = try await subscribeActive(store, count: 2, frequency: "weekly", prefix: "weekly")
            let request = try SubscriptionRequest.make(email: "waiting@example.org", frequency: "daily", topics: "")
            _ = try await store.subscribe(request, at: now, limit: oneADay)
            _ = try await store.unsubscribe(id: daily[3].id, at: now)
            var seen: [Int64] = []
            var after: Int64 = 0
            while true {
                let page = try await store.activeSubscriptions(frequency: .daily, after: after, limit: 4)
                guard let last = page.last else { break }
                #expect(page.allSatisfy { $0.status == .active && $0.frequency == .daily })
                seen += page.map(\.id)
                after = last.id
            }
            #expect(seen == daily.map(\.id).filter { $0 != daily[3].id })
            #expect(try await store.subscriptionCounts() == [.active: 8, .pending: 1, .unsubscribed: 1])
        }
    }

    /// Two hundred requests for one address at once, half through each of two instances (two
    /// servers): only the allowed three are recorded, one subscription exists.
    @Test(arguments: Backend.available)
    func theLimitPerAddressHoldsUnderConcurrentRequests(backend: Backend) async throws {
        try await backend.withDigestStore { store, openAnother in
            try await openAnother { other in
                let outcomes = try await withThrowingTaskGroup(of: SubscribeOutcome.self) { group in
                    for i in 0..<200 {
                        // The same address in several spellings of case: one address.
                        let email = i % 3 == 0 ? "flood@example.org" : (i % 3 == 1 ? "FLOOD@example.org" : "Flood@Example.org")
                        let request = try SubscriptionRequest.make(email: email, frequency: "daily", topics: "")
                        let instance = i % 2 == 0 ? store : other
                        group.addTask { try await instance.subscribe(request, at: now, limit: oneADay) }
                    }
                    var all: [SubscribeOutcome] = []
                    for try await outcome in group { all.append(outcome) }
                    return all
                }
                let accepted = outcomes.filter { if case .needsConfirmation = $0 { true } else { false } }
                let refused = outcomes.compactMap { if case .tooManyRequests(let wait) = $0 { wait } else { nil } }
                #expect(accepted.count == 3)
                #expect(refused.count == 197)
                #expect(refused.allSatisfy { $0 == 86_400 })
                #expect(try await store.subscriptionCounts() == [.pending: 1])
                // Other addresses are not held back by this one.
                let neighbour = try SubscriptionRequest.make(email: "neighbour@example.org", frequency: "daily", topics: "")
                guard case .needsConfirmation = try await other.subscribe(neighbour, at: now, limit: oneADay) else {
                    Issue.record("another address may subscribe"); return
                }
                // The window moves on: a day later the address may ask again.
                let later = try SubscriptionRequest.make(email: "flood@example.org", frequency: "daily", topics: "")
                guard case .needsConfirmation = try await store.subscribe(later, at: now.addingTimeInterval(86_401), limit: oneADay) else {
                    Issue.record("a day later the address may ask again"); return
                }
            }
        }
    }

    @Test(arguments: Backend.available)
    func aRefusalSaysWhenTheOldestRequestLeavesTheWindow(backend: Backend) async throws {
        try await backend.withDigestStore { store, _ in
            let request = try SubscriptionRequest.make(email: "slow@example.org", frequency: "daily", topics: "")
            for offset in [0.0, 100, 200] {
                guard case .needsConfirmation = try await store.subscribe(request, at: now.addingTimeInterval(offset), limit: oneADay) else {
                    Issue.record("the first three requests are allowed"); return
                }
            }
            #expect(try await store.subscribe(request, at: now.addingTimeInterval(1_000), limit: oneADay) == .tooManyRequests(retryAfter: 85_400))
            // Refused requests are not counted: once the first leaves the window, one more may come.
            guard case .needsConfirmation = try await store.subscribe(request, at: now.addingTimeInterval(86_401), limit: oneADay) else {
                Issue.record("the oldest request has left the window"); return
            }
            #expect(try await store.subscribe(request, at: now.addingTimeInterval(86_402), limit: oneADay) == .tooManyRequests(retryAfter: 98))
        }
    }

    // MARK: Planning

    @Test(arguments: Backend.available)
    func planningIsIdempotentAndCoversOnlyThatFrequency(backend: Backend) async throws {
        try await backend.withDigestStore { store, _ in
            _ = try await subscribeActive(store, count: 5)
            _ = try await subscribeActive(store, count: 1, frequency: "weekly", prefix: "weekly")
            #expect(try await store.planDigests(for: period, at: now) == 5)
            #expect(try await store.planDigests(for: period, at: now) == 0)
            #expect(try await store.digestStates(of: period) == [.queued: 5])
            #expect(try await store.digestStates(of: DigestPeriod("daily:2026-11-25")!) == [:])
            #expect(try await store.planDigests(for: DigestPeriod("weekly:2026-W48")!, at: now) == 1)
        }
    }

    /// Schedulers on several servers plan the same period at once: each row is added once.
    @Test(arguments: Backend.available)
    func concurrentPlannersAddEachDigestOnce(backend: Backend) async throws {
        try await backend.withDigestStore { store, openAnother in
            _ = try await subscribeActive(store, count: 40)
            try await openAnother { other in
                let added = try await withThrowingTaskGroup(of: Int.self) { group in
                    for planner in 0..<8 {
                        let instance = planner % 2 == 0 ? store : other
                        group.addTask { try await instance.planDigests(for: period, at: now) }
                    }
                    var total = 0
                    for try await count in group { total += count }
                    return total
                }
                #expect(added == 40)
                #expect(try await other.digestStates(of: period) == [.queued: 40])
            }
        }
    }

    // MARK: Claims and commits

    /// Eight senders on two instances drain one period: every digest is claimed, committed and
    /// delivered by exactly one of them.
    @Test(arguments: Backend.available)
    func concurrentSendersNeverShareADigest(backend: Backend) async throws {
        try await backend.withDigestStore { store, openAnother in
            _ = try await subscribeActive(store, count: 60)
            _ = try await store.planDigests(for: period, at: now)
            try await openAnother { other in
                let claimed = try await withThrowingTaskGroup(of: [Int64].self) { group in
                    for sender in 0..<8 {
                        let instance = sender % 2 == 0 ? store : other
                        let worker = "sender-\(sender)"
                        group.addTask {
                            var mine: [Int64] = []
                            while true {
                                let jobs = try await instance.claimDigests(
                                    of: period, worker: worker, limit: 3, leaseUntil: now.addingTimeInterval(300), now: now)
                                if jobs.isEmpty { break }
                                for job in jobs {
                                    #expect(try await instance.commitDigest(job, worker: worker, at: now))
                                    mine.append(job.id)
                                }
                                try await instance.finishDigests(
                                    jobs.map { ($0, .delivered(messageID: "<\($0.id)@example.org>")) }, worker: worker, at: now)
                            }
                            return mine
                        }
                    }
                    var all: [Int64] = []
                    for try await ids in group { all += ids }
                    return all
                }
                #expect(claimed.count == 60)
                #expect(Set(claimed).count == 60)
                #expect(try await store.digestStates(of: period) == [.delivered: 60])
            }
        }
    }

    @Test(arguments: Backend.available)
    func aClaimCarriesItsSubscriptionAndComesInIdOrder(backend: Backend) async throws {
        try await backend.withDigestStore { store, _ in
            let subscribers = try await subscribeActive(store, count: 4)
            _ = try await store.planDigests(for: period, at: now)
            let jobs = try await store.claimDigests(of: period, worker: "w", limit: 10, leaseUntil: now.addingTimeInterval(300), now: now)
            #expect(jobs.map(\.id) == jobs.map(\.id).sorted())
            #expect(jobs.map(\.subscription).sorted { $0.id < $1.id } == subscribers)
            #expect(jobs.allSatisfy { $0.periodKey == period.key && $0.attempts == 0 })
            // Another period's ledger is apart.
            #expect(try await store.claimDigests(
                of: DigestPeriod("daily:2026-11-25")!, worker: "w", limit: 10, leaseUntil: now.addingTimeInterval(300), now: now).isEmpty)
        }
    }

    /// A sender dies: what it claimed but never committed comes back once its lease runs out;
    /// what it committed never does, and it can no longer commit or close what it lost.
    @Test(arguments: Backend.available)
    func anExpiredClaimIsTakenAgainAndACommittedOneNever(backend: Backend) async throws {
        try await backend.withDigestStore { store, openAnother in
            _ = try await subscribeActive(store, count: 2)
            _ = try await store.planDigests(for: period, at: now)
            let lease = now.addingTimeInterval(300)
            let first = try #require(try await store.claimDigest(of: period, worker: "dead", leaseUntil: lease, now: now))
            let second = try #require(try await store.claimDigest(of: period, worker: "dead", leaseUntil: lease, now: now))
            #expect(try await store.commitDigest(second, worker: "dead", at: now))
            try await openAnother { other in
                // Before the lease runs out nothing is claimable.
                #expect(try await other.claimDigest(of: period, worker: "next", leaseUntil: lease, now: now.addingTimeInterval(10)) == nil)
                // After it, only the uncommitted digest comes back, with its attempts as they were.
                let later = now.addingTimeInterval(301)
                let again = try #require(try await other.claimDigest(
                    of: period, worker: "next", leaseUntil: later.addingTimeInterval(300), now: later))
                #expect(again.id == first.id && again.attempts == 0)
                #expect(try await other.claimDigest(of: period, worker: "next", leaseUntil: later.addingTimeInterval(300), now: later) == nil)
                // The dead sender lost it: its commit is refused and its outcomes change nothing.
                #expect(try await store.commitDigest(first, worker: "dead", at: later) == false)
                try await store.finishDigest(first, worker: "dead", outcome: .delivered(messageID: "<x@y>"), at: later)
                try await store.finishDigest(first, worker: "dead", outcome: .failed(reason: "550", bounce: true), at: later)
                try await store.releaseDigests([first], worker: "dead", at: later)
                #expect(try await other.digestStates(of: period) == [.sending: 1, .committed: 1])
                #expect(try await store.subscription(id: first.subscription.id)?.bounces == 0)
                // A commit happens once: the row is the new holder's, and committing again is refused.
                #expect(try await other.commitDigest(again, worker: "next", at: later))
                #expect(try await other.commitDigest(again, worker: "next", at: later) == false)
                // Long after every lease, committed rows stay where they are.
                let muchLater = now.addingTimeInterval(86_400)
                #expect(try await other.claimDigest(of: period, worker: "third", leaseUntil: muchLater, now: muchLater) == nil)
                #expect(try await store.digestStates(of: period) == [.committed: 2])
            }
        }
    }

    @Test(arguments: Backend.available)
    func claimsComeInBatchesAndUntriedOnesGoBack(backend: Backend) async throws {
        try await backend.withDigestStore { store, _ in
            _ = try await subscribeActive(store, count: 5)
            _ = try await store.planDigests(for: period, at: now)
            let lease = now.addingTimeInterval(300)
            let batch = try await store.claimDigests(of: period, worker: "a", limit: 3, leaseUntil: lease, now: now)
            #expect(batch.count == 3)
            let rest = try await store.claimDigests(of: period, worker: "b", limit: 10, leaseUntil: lease, now: now)
            #expect(rest.count == 2)
            #expect(Set(batch.map(\.id)).isDisjoint(with: rest.map(\.id)))
            // "a" sends one and stops: the other two go back as they were, attempts untouched.
            #expect(try await store.commitDigest(batch[0], worker: "a", at: now))
            try await store.releaseDigests(Array(batch.dropFirst()), worker: "a", at: now)
            // A worker cannot release what it does not hold.
            try await store.releaseDigests(rest, worker: "a", at: now)
            #expect(try await store.digestStates(of: period) == [.committed: 1, .queued: 2, .sending: 2])
            let again = try await store.claimDigests(of: period, worker: "c", limit: 10, leaseUntil: lease, now: now)
            #expect(Set(again.map(\.id)) == Set(batch.dropFirst().map(\.id)))
            #expect(again.allSatisfy { $0.attempts == 0 })
        }
    }

    // MARK: Outcomes

    /// A 4xx queues the digest again, not before the time it names, one attempt counted; three
    /// permanent refusals in a row suspend the address, which is then planned no more.
    @Test(arguments: Backend.available)
    func retriesWaitTheirTurnAndBouncesSuspend(backend: Backend) async throws {
        try await backend.withDigestStore { store, _ in
            _ = try await subscribeActive(store, count: 1)
            var day = period
            for round in 0..<3 {
                #expect(try await store.planDigests(for: day, at: now) == 1)
                let job = try #require(try await store.claimDigest(of: day, worker: "w", leaseUntil: now.addingTimeInterval(300), now: now))
                if round == 0 {
                    try await store.finishDigest(job, worker: "w", outcome: .retry(retryAt: now.addingTimeInterval(600), reason: "451 try later"), at: now)
                    #expect(try await store.digestStates(of: day) == [.queued: 1])
                    #expect(try await store.claimDigest(
                        of: day, worker: "w", leaseUntil: now.addingTimeInterval(300), now: now.addingTimeInterval(599)) == nil)
                    let retried = try #require(try await store.claimDigest(
                        of: day, worker: "w", leaseUntil: now.addingTimeInterval(900), now: now.addingTimeInterval(600)))
                    #expect(retried.id == job.id && retried.attempts == 1)
                    try await store.finishDigest(retried, worker: "w", outcome: .failed(reason: "550 no such user", bounce: true), at: now)
                } else {
                    try await store.finishDigest(job, worker: "w", outcome: .failed(reason: "550 no such user", bounce: true), at: now)
                }
                #expect(try await store.digestStates(of: day) == [.failed: 1])
                #expect(try await store.subscription(email: "reader0@example.org")?.bounces == round + 1)
                day = DigestPeriod.daily(DateText.day(day.from, plus: 1)!)!
            }
            let subscription = try #require(try await store.subscription(email: "reader0@example.org"))
            #expect(subscription.status == .suspended)
            #expect(subscription.bounces == 3)
            #expect(try await store.planDigests(for: day, at: now) == 0)
            #expect(try await store.subscriptionCounts() == [.suspended: 1])
            // Subscribing again (and confirming) starts afresh.
            let request = try SubscriptionRequest.make(email: "reader0@example.org", frequency: "daily", topics: "")
            guard case .needsConfirmation(let back) = try await store.subscribe(request, at: now, limit: (10, 86_400)) else {
                Issue.record("a suspended address may subscribe again"); return
            }
            #expect(back.bounces == 0 && back.status == .pending)
        }
    }

    /// A delivery clears the bounces counted so far; a bounce that is no bounce (too many 4xx)
    /// counts nothing; skipped digests are recorded as such; a committed digest that comes back
    /// for a retry is not counted as another attempt.
    @Test(arguments: Backend.available)
    func eachOutcomeLandsInItsState(backend: Backend) async throws {
        try await backend.withDigestStore { store, _ in
            _ = try await subscribeActive(store, count: 4)
            let lease = now.addingTimeInterval(300)
            _ = try await store.planDigests(for: period, at: now)
            let jobs = try await store.claimDigests(of: period, worker: "w", limit: 4, leaseUntil: lease, now: now)
            #expect(jobs.count == 4)
            try await store.finishDigests([(jobs[0], .failed(reason: "550 mailbox full", bounce: true))], worker: "w", at: now)
            try await store.finishDigests([
                (jobs[1], .skipped(reason: "no paper matched")),
                (jobs[2], .failed(reason: "451 too many tries", bounce: false)),
            ], worker: "w", at: now)
            #expect(try await store.commitDigest(jobs[3], worker: "w", at: now))
            try await store.finishDigest(jobs[3], worker: "w", outcome: .retry(retryAt: now, reason: "lost the connection"), at: now)
            #expect(try await store.digestStates(of: period) == [.failed: 2, .skipped: 1, .queued: 1])
            let retried = try #require(try await store.claimDigest(of: period, worker: "w", leaseUntil: lease, now: now))
            #expect(retried.id == jobs[3].id && retried.attempts == 1, "committed once; the retry adds no attempt of its own")

            let bounced = jobs[0].subscription.id
            #expect(try await store.subscription(id: bounced)?.bounces == 1)
            #expect(try await store.subscription(id: jobs[2].subscription.id)?.bounces == 0)
            // The next digest to the address that bounced gets through: the count starts again.
            let next = DigestPeriod("daily:2026-11-25")!
            _ = try await store.planDigests(for: next, at: now)
            let all = try await store.claimDigests(of: next, worker: "w", limit: 10, leaseUntil: lease, now: now)
            let theirs = try #require(all.first { $0.subscription.id == bounced })
            #expect(try await store.commitDigest(theirs, worker: "w", at: now))
            try await store.finishDigest(theirs, worker: "w", outcome: .delivered(messageID: "<ok@example.org>"), at: now)
            #expect(try await store.subscription(id: bounced)?.bounces == 0)
            #expect(try await store.subscription(id: bounced)?.status == .active)
            #expect(try await store.digestStates(of: next) == [.delivered: 1, .sending: 3])
        }
    }

    // MARK: The signing secret

    /// Several instances asking at once, on a store that has none yet, all get the same secret.
    @Test(arguments: Backend.available)
    func theSigningSecretIsMadeOnceAndShared(backend: Backend) async throws {
        try await backend.withDigestStore { store, openAnother in
            try await openAnother { other in
                let secrets = try await withThrowingTaskGroup(of: [UInt8].self) { group in
                    for i in 0..<8 {
                        let instance = i % 2 == 0 ? store : other
                        group.addTask { try await instance.linkSigningSecret() }
                    }
                    var all: [[UInt8]] = []
                    for try await secret in group { all.append(secret) }
                    return all
                }
                #expect(secrets.count == 8)
                #expect(Set(secrets).count == 1)
                #expect(secrets[0].count == 32)
                #expect(try await other.linkSigningSecret() == secrets[0])
            }
            try await openAnother { third in
                let first = try await store.linkSigningSecret()
                #expect(try await third.linkSigningSecret() == first)
            }
        }
    }

    // MARK: Helpers

    /// `count` confirmed subscribers, `prefix0@example.org` and on, in id order.
    func subscribeActive(
        _ store: any SubscriptionStore, count: Int, frequency: String = "daily", prefix: String = "reader"
    ) async throws -> [Subscription] {
        var active: [Subscription] = []
        for i in 0..<count {
            let request = try SubscriptionRequest.make(email: "\(prefix)\(i)@example.org", frequency: frequency, topics: "")
            guard case .needsConfirmation(let pending) = try await store.subscribe(request, at: now, limit: oneADay) else {
                throw DigestTestError.notPending(request.email)
            }
            active.append(try #require(try await store.confirmSubscription(id: pending.id, at: now)))
        }
        return active
    }

    enum DigestTestError: Error { case notPending(String) }
}

extension Backend {
    /// Runs `body` with a fresh, migrated store of this backend, and a way to open a second
    /// instance of it (another server, as far as the store can tell).
    func withDigestStore(
        _ body: (any SubscriptionStore, _ openAnother: (_ body: (any SubscriptionStore) async throws -> Void) async throws -> Void) async throws -> Void
    ) async throws {
        try await withCatalog { catalog, openAnother in
            let store = try #require(catalog as? any SubscriptionStore, "\(self) catalog keeps no subscriptions")
            try await body(store) { inner in
                try await openAnother { other in
                    try await inner(try #require(other as? any SubscriptionStore, "\(self) catalog keeps no subscriptions"))
                }
            }
        }
    }
}
