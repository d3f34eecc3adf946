import Catalog
import CatalogSQLite
import Digests
import Foundation
import Testing
import TestSupport

/// The delivery ledger's promises, on a real SQLite file: one claim per digest however many
/// senders ask at once, a claim that dies before its commit comes back, a committed one never
/// does, and an address that keeps bouncing is suspended.
@Suite struct LedgerTests {
    let now = Date(timeIntervalSince1970: 1_764_000_000)
    let period = DigestPeriod("daily:2026-11-24")!

    func storeWithSubscribers(_ count: Int) async throws -> SQLiteCatalog {
        let store = try await TestSupport.freshCatalog()
        for i in 0..<count {
            let request = try SubscriptionRequest.make(email: "reader\(i)@example.org", frequency: "daily", topics: "")
            guard case .needsConfirmation(let pending) = try await store.subscribe(request, at: now, limit: (3, 86_400)) else {
                throw LedgerTestError.notPending
            }
            _ = try await store.confirmSubscription(id: pending.id, at: now)
        }
        return store
    }

    enum LedgerTestError: Error { case notPending }

    @Test func planningIsIdempotentAndCoversOnlyThatFrequency() async throws {
        let store = try await storeWithSubscribers(5)
        let weekly = try SubscriptionRequest.make(email: "weekly@example.org", frequency: "weekly", topics: "")
        if case .needsConfirmation(let pending) = try await store.subscribe(weekly, at: now, limit: (3, 86_400)) {
            _ = try await store.confirmSubscription(id: pending.id, at: now)
        }
        #expect(try await store.planDigests(for: period, at: now) == 5)
        #expect(try await store.planDigests(for: period, at: now) == 0)
        #expect(try await store.digestStates(of: period) == [.queued: 5])
    }

    @Test func concurrentClaimersNeverShareADigest() async throws {
        let store = try await storeWithSubscribers(60)
        _ = try await store.planDigests(for: period, at: now)
        // Two catalogs on one file: two processes' worth of connections.
        let other = try SQLiteCatalog(path: store.path)
        let claimed = try await withThrowingTaskGroup(of: [Int64].self) { group in
            for worker in 0..<8 {
                let claimer = worker % 2 == 0 ? store : other
                group.addTask {
                    var mine: [Int64] = []
                    while let job = try await claimer.claimDigest(
                        of: period, worker: "w\(worker)", leaseUntil: now.addingTimeInterval(300), now: now) {
                        #expect(try await claimer.commitDigest(job, worker: "w\(worker)", at: now))
                        try await claimer.finishDigest(job, worker: "w\(worker)", outcome: .delivered(messageID: "<\(job.id)@x>"), at: now)
                        mine.append(job.id)
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

    @Test func aClaimThatDiesBeforeItsCommitComesBackAndACommittedOneNever() async throws {
        let store = try await storeWithSubscribers(2)
        _ = try await store.planDigests(for: period, at: now)
        let lease = now.addingTimeInterval(300)
        let first = try #require(try await store.claimDigest(of: period, worker: "dead", leaseUntil: lease, now: now))
        let second = try #require(try await store.claimDigest(of: period, worker: "dead", leaseUntil: lease, now: now))
        #expect(try await store.commitDigest(second, worker: "dead", at: now))
        // The sender dies. Before the lease runs out nothing is claimable.
        #expect(try await store.claimDigest(of: period, worker: "next", leaseUntil: lease, now: now.addingTimeInterval(10)) == nil)
        // After it, only the uncommitted digest comes back.
        let later = now.addingTimeInterval(301)
        let again = try #require(try await store.claimDigest(of: period, worker: "next", leaseUntil: later.addingTimeInterval(300), now: later))
        #expect(again.id == first.id)
        #expect(try await store.claimDigest(of: period, worker: "next", leaseUntil: later.addingTimeInterval(300), now: later) == nil)
        // The dead sender cannot commit or close what it lost.
        #expect(try await store.commitDigest(first, worker: "dead", at: later) == false)
        try await store.finishDigest(first, worker: "dead", outcome: .delivered(messageID: "<x@y>"), at: later)
        #expect(try await store.digestStates(of: period) == [.sending: 1, .committed: 1])
        #expect(try await store.commitDigest(again, worker: "next", at: later))
    }

    @Test func claimsComeInBatchesAndUntriedOnesGoBack() async throws {
        let store = try await storeWithSubscribers(5)
        _ = try await store.planDigests(for: period, at: now)
        let lease = now.addingTimeInterval(300)
        let batch = try await store.claimDigests(of: period, worker: "a", limit: 3, leaseUntil: lease, now: now)
        #expect(batch.count == 3)
        #expect(batch.map(\.id) == batch.map(\.id).sorted())
        let rest = try await store.claimDigests(of: period, worker: "b", limit: 10, leaseUntil: lease, now: now)
        #expect(rest.count == 2)
        #expect(Set(batch.map(\.id)).isDisjoint(with: rest.map(\.id)))
        // "a" sends one and stops: the other two go back as they were, attempts untouched.
        #expect(try await store.commitDigest(batch[0], worker: "a", at: now))
        try await store.releaseDigests(Array(batch.dropFirst()), worker: "a", at: now)
        // Another worker cannot release what it does not hold.
        try await store.releaseDigests(rest, worker: "a", at: now)
        #expect(try await store.digestStates(of: period) == [.committed: 1, .queued: 2, .sending: 2])
        let again = try await store.claimDigests(of: period, worker: "c", limit: 10, leaseUntil: lease, now: now)
        #expect(Set(again.map(\.id)) == Set(batch.dropFirst().map(\.id)))
        #expect(again.allSatisfy { $0.attempts == 0 })
    }

    @Test func retriesWaitTheirTurnAndBouncesSuspend() async throws {
        let store = try await storeWithSubscribers(1)
        var day = period
        for round in 0..<3 {
            _ = try await store.planDigests(for: day, at: now)
            let job = try #require(try await store.claimDigest(of: day, worker: "w", leaseUntil: now.addingTimeInterval(300), now: now))
            if round == 0 {
                try await store.finishDigest(job, worker: "w", outcome: .retry(retryAt: now.addingTimeInterval(600), reason: "451 try later"), at: now)
                #expect(try await store.claimDigest(of: day, worker: "w", leaseUntil: now.addingTimeInterval(300), now: now.addingTimeInterval(599)) == nil)
                let retried = try #require(try await store.claimDigest(
                    of: day, worker: "w", leaseUntil: now.addingTimeInterval(900), now: now.addingTimeInterval(600)))
                #expect(retried.attempts == 1)
                try await store.finishDigest(retried, worker: "w", outcome: .failed(reason: "550 no such user", bounce: true), at: now)
            } else {
                try await store.finishDigest(job, worker: "w", outcome: .failed(reason: "550 no such user", bounce: true), at: now)
            }
            day = DigestPeriod.daily(DateText.day(day.from, plus: 1)!)!
        }
        let subscription = try #require(try await store.subscription(email: "reader0@example.org"))
        #expect(subscription.status == .suspended)
        #expect(subscription.bounces == 3)
        // A suspended address is not planned again.
        #expect(try await store.planDigests(for: day, at: now) == 0)
    }
}
