import Catalog
import Foundation

/// Storage for subscriptions and the digest delivery ledger. Async and free of any database,
/// like `CatalogStore`, so a PostgreSQL backend can implement it unchanged.
///
/// The ledger is what makes delivery exactly-once. Each digest is one row, unique per
/// (subscription, period), which moves through:
///
///     queued ──claim──▶ sending ──commit──▶ committed ──250──▶ delivered
///        ▲                 │                     │
///        └── retry (4xx) ──┘                     └── (sender died after commit: counted as sent)
///                          └──▶ failed (5xx, or too many tries) / skipped (nothing to send)
///
/// A sender claims a row (with a lease), writes the whole message to the SMTP server except
/// the final ".", commits the row, and only then sends the "." that makes the server take the
/// message. A sender killed before the commit never finished the DATA, so the server dropped
/// the message and the row, once its lease runs out, is claimed again; a sender killed after
/// the commit may or may not have sent the ".", and the row is never sent again. Claims are
/// single writes, so two senders never hold the same row.
public protocol SubscriptionStore: Sendable {
    /// Records a subscribe request for an address, refusing it (and storing nothing) when the
    /// address already made `limit.count` requests within `limit.window` seconds.
    /// A new address, or one that had left, becomes `pending` with the request's choices; a
    /// pending one takes the new choices; an active one is left as it is (the request may not
    /// come from its owner) and is answered `.alreadyActive`, so the caller can mail the owner
    /// a preferences link instead of a confirmation.
    func subscribe(_ request: SubscriptionRequest, at time: Date, limit: (count: Int, window: TimeInterval)) async throws -> SubscribeOutcome
    func subscription(id: Int64) async throws -> Subscription?
    func subscription(email: String) async throws -> Subscription?
    /// Makes a pending (or already active) subscription active; nil when there is no such
    /// subscription or it was unsubscribed or suspended since the link was sent.
    func confirmSubscription(id: Int64, at time: Date) async throws -> Subscription?
    /// Ends a subscription; answers it, or nil when there is none with this id.
    func unsubscribe(id: Int64, at time: Date) async throws -> Subscription?
    /// Changes how often and about what; nil when there is no such subscription.
    func updateSubscription(id: Int64, frequency: DigestFrequency, topics: DigestTopics, forMe: Bool, at time: Date) async throws -> Subscription?
    /// Active subscriptions of a frequency with ids above `after`, in id order: a page of them.
    func activeSubscriptions(frequency: DigestFrequency, after: Int64, limit: Int) async throws -> [Subscription]
    /// Subscriptions in each status, for `digest status` and the metrics.
    func subscriptionCounts() async throws -> [Subscription.Status: Int]

    /// Queues the digest of `period` for every active subscription of its frequency that has
    /// no row for it yet; answers how many rows it added (0 when run again).
    func planDigests(for period: DigestPeriod, at time: Date) async throws -> Int
    /// Takes up to `limit` queued digests of `period` that are due (or whose sender's lease ran
    /// out before they committed) for `worker`, until `leaseUntil`, in one write. Empty when
    /// none is left.
    func claimDigests(of period: DigestPeriod, worker: String, limit: Int, leaseUntil: Date, now: Date) async throws -> [DigestJob]
    /// Gives claimed digests that were not tried back to the queue, as they were.
    func releaseDigests(_ jobs: [DigestJob], worker: String, at time: Date) async throws
    /// The commit point: the claimed row becomes `committed`, durably, before the message is
    /// let go. False when `worker` no longer holds the claim (its lease ran out and another
    /// sender took the row): the caller must then abandon the message.
    func commitDigest(_ job: DigestJob, worker: String, at time: Date) async throws -> Bool
    /// Records how claimed or committed digests ended, in one write. A sender records a few
    /// at a time; one that dies first leaves them `committed` (sent, never resent) or, when it
    /// never committed them, claimed until the lease runs out.
    func finishDigests(_ results: [(job: DigestJob, outcome: DigestOutcome)], worker: String, at time: Date) async throws
    /// How many digests of `period` are in each state.
    func digestStates(of period: DigestPeriod) async throws -> [DigestState: Int]

    /// Papers the user showed a liking for (upvoted or saved), most recent first: the seed of
    /// "for me" digests.
    func papersLiked(byUser userID: Int64, limit: Int) async throws -> [ArxivID]

    /// The installation's secret for signing links, made on first use and shared by every
    /// process on this store.
    func linkSigningSecret() async throws -> [UInt8]
}

extension SubscriptionStore {
    /// Records how one claimed or committed digest ended.
    public func finishDigest(_ job: DigestJob, worker: String, outcome: DigestOutcome, at time: Date) async throws {
        try await finishDigests([(job, outcome)], worker: worker, at: time)
    }

    /// Takes the next due digest of `period` for `worker`; nil when none is left.
    public func claimDigest(of period: DigestPeriod, worker: String, leaseUntil: Date, now: Date) async throws -> DigestJob? {
        try await claimDigests(of: period, worker: worker, limit: 1, leaseUntil: leaseUntil, now: now).first
    }
}

public enum SubscribeOutcome: Sendable, Equatable {
    /// A new (or renewed) pending subscription: mail a confirmation link.
    case needsConfirmation(Subscription)
    /// The address is already subscribed and confirmed: mail its owner a preferences link.
    case alreadyActive(Subscription)
    /// Too many requests for this address lately; try again after this many seconds.
    case tooManyRequests(retryAfter: Int)
}

public enum DigestState: String, Sendable, CaseIterable {
    case queued, sending, committed, delivered, failed, skipped
}

/// One claimed digest: whom it goes to and for which period.
public struct DigestJob: Sendable, Equatable {
    public let id: Int64
    public let subscription: Subscription
    public let periodKey: String
    /// Attempts before this one.
    public let attempts: Int

    public init(id: Int64, subscription: Subscription, periodKey: String, attempts: Int) {
        self.id = id
        self.subscription = subscription
        self.periodKey = periodKey
        self.attempts = attempts
    }
}

public enum DigestOutcome: Sendable, Equatable {
    /// The server took the message (250 after the data).
    case delivered(messageID: String)
    /// Not sent now (a 4xx, the relay unreachable, the claim abandoned before the commit):
    /// queued again, due at `retryAt`.
    case retry(retryAt: Date, reason: String)
    /// Given up: a permanent refusal (5xx) or too many temporary ones. `bounce` counts towards
    /// suspending the address.
    case failed(reason: String, bounce: Bool)
    /// Nothing to send (no paper matched the subscriber's topics, or the subscription ended).
    case skipped(reason: String)
}
