import Catalog
import Foundation
import Logging
import Mail

/// How a digest run behaves. The defaults suit a small installation with a relay nearby.
public struct DigestSenderConfiguration: Sendable {
    /// Papers in one digest.
    public var papersPerDigest = 10
    /// SMTP connections used side by side, each sending one message after another. Each
    /// message waits on a few round trips to the relay and on the ledger; more connections
    /// overlap those waits. Eight kept a local relay (aiosmtpd) four-fifths busy in the
    /// benchmark, where four left it a third idle; relays commonly allow ten or more a client.
    public var connections = 8
    /// How long a claim is held before another sender may take the digest over. Far longer
    /// than sending one message takes; it only matters when a sender dies mid-message.
    public var lease: TimeInterval = 300
    /// Digests a connection claims in one write. Few enough that a sender that dies leaves
    /// little waiting for its lease to run out.
    public var claimBatch = 8
    /// Tries before a digest that keeps meeting temporary failures (4xx) is given up.
    public var maximumAttempts = 4
    /// The wait before the first retry; it doubles with each further try.
    public var retryDelay: TimeInterval = 300
    /// Names this sender in the ledger's claims; unique per process by default.
    public var worker: String

    public init(worker: String? = nil) {
        self.worker = worker ?? "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))"
    }
}

/// What one run did, for the command line, the log and the tests.
public struct DigestRunReport: Sendable, Equatable, CustomStringConvertible {
    public var period: String
    /// Ledger rows this run added (0 when another run had planned the period already).
    public var planned = 0
    public var delivered = 0
    /// Given up: permanent refusals, or too many temporary ones.
    public var failed = 0
    /// Put back for a later run after a temporary failure.
    public var retried = 0
    /// Nothing to send: no paper passed the topic filter, or the subscription ended.
    public var skipped = 0
    /// The message was let go but the server's answer never came (connection lost after the
    /// final "."): it may have arrived, so it is never sent again.
    public var inDoubt = 0
    /// Why the run stopped early, if it did (the relay unreachable, for instance).
    public var stoppedBecause: String?

    public var description: String {
        var text = "\(period): \(delivered) delivered, \(skipped) skipped, \(retried) to retry, \(failed) failed"
        if inDoubt > 0 { text += ", \(inDoubt) in doubt" }
        if planned > 0 { text += " (\(planned) newly queued)" }
        if let stoppedBecause { text += "; stopped: \(stoppedBecause)" }
        return text
    }
}

/// Sends the digests of a period, each exactly once, through the ledger of a `SubscriptionStore`
/// (see there for the states and why they make delivery exactly-once). Any number of senders,
/// in this process or others, may run the same period at once: each claims its own digests.
///
/// ```swift
/// let report = try await sender.run(.daily("2026-11-24")!)
/// ```
public struct DigestSender: Sendable {
    public let store: any SubscriptionStore
    public let catalog: any CatalogStore
    public let composer: DigestComposer
    public let links: SubscriptionLinks
    public let smtp: SMTPConfiguration
    public let configuration: DigestSenderConfiguration
    let logger: Logger
    let now: @Sendable () -> Date

    public init(
        store: any SubscriptionStore, catalog: any CatalogStore, composer: DigestComposer, links: SubscriptionLinks,
        smtp: SMTPConfiguration, configuration: DigestSenderConfiguration = DigestSenderConfiguration(),
        logger: Logger = Logger(label: "paperboy.digest"), now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.store = store
        self.catalog = catalog
        self.composer = composer
        self.links = links
        self.smtp = smtp
        self.configuration = configuration
        self.logger = logger
        self.now = now
    }

    /// Queues the period's digests for every active subscriber (if not done already) and sends
    /// every one that is due. `progress` hears the running totals after each digest.
    public func run(_ period: DigestPeriod, progress: (@Sendable (DigestRunReport) -> Void)? = nil) async throws -> DigestRunReport {
        let planned = try await store.planDigests(for: period, at: now())
        return try await send(period, planned: planned, progress: progress)
    }

    /// Sends the digests of `period` already queued (by `SubscriptionStore.planDigests`, which
    /// `run` calls first); `planned` is only reported. For callers that plan themselves, to
    /// learn how many are waiting before the sending starts.
    public func send(
        _ period: DigestPeriod, planned: Int = 0, progress: (@Sendable (DigestRunReport) -> Void)? = nil
    ) async throws -> DigestRunReport {
        let selection = try await DigestSelection.load(period, from: catalog, perDigest: configuration.papersPerDigest)
        let tally = RunTally(DigestRunReport(period: period.key, planned: planned), progress: progress)
        let tastes = TasteCache(store: store, catalog: catalog, candidates: selection.candidates)
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<max(1, configuration.connections) {
                group.addTask {
                    await self.work(as: "\(configuration.worker)/\(index)", period: period, selection: selection, tastes: tastes, tally: tally)
                }
            }
        }
        let report = await tally.report
        logger.info("digest run finished", metadata: ["report": "\(report)"])
        return report
    }

    /// The digest one subscription would get for `period`, without the ledger or SMTP: what
    /// `digest send --dry-run` shows. Nil when no paper passes the subscription's filter.
    public func preview(_ subscription: Subscription, period: DigestPeriod, selection: DigestSelection) async throws -> MailMessage? {
        let tastes = TasteCache(store: store, catalog: catalog, candidates: selection.candidates)
        return try await message(for: subscription, period: period, selection: selection, tastes: tastes)
    }

    /// One SMTP connection's share of the run: claim, compose, send, record; until no digest
    /// of the period is left to claim.
    private func work(as worker: String, period: DigestPeriod, selection: DigestSelection, tastes: TasteCache, tally: RunTally) async {
        var client: SMTPClient?
        // Claimed a few at a time, and their outcomes recorded a few at a time: one write claims
        // what the connection sends next, one records how the last few went. Only the commit
        // before each message's final "." is a write of its own, as exactly-once needs.
        var claimed: [DigestJob] = []
        var finished = FinishedDigests(store: store, worker: worker, now: now)
        defer { if let client { Task { await client.quit() } } }
        while !Task.isCancelled {
            if claimed.isEmpty {
                do {
                    try await finished.record()
                    claimed = try await store.claimDigests(
                        of: period, worker: worker, limit: configuration.claimBatch,
                        leaseUntil: now().addingTimeInterval(configuration.lease), now: now())
                } catch {
                    await tally.stop("the ledger could not be read or written: \(error)")
                    break
                }
                if claimed.isEmpty { break }
            }
            let job = claimed.removeFirst()
            let outcome: DigestOutcome?
            do {
                if let message = try await message(
                    for: job.subscription, period: period, selection: selection, tastes: tastes) {
                    let usable: Bool
                    if let client { usable = await client.isUsable } else { usable = false }
                    if !usable {
                        if let old = client { await old.close() }
                        client = nil
                        do {
                            client = try await SMTPClient.connect(smtp, logger: logger)
                        } catch {
                            // The relay is down or refuses us: every digest would fail alike, so
                            // this one goes back to the queue and the worker stops.
                            await count(job, .retry(retryAt: now().addingTimeInterval(configuration.retryDelay), reason: "\(error)"), tally)
                            finished.add(job, .retry(retryAt: now().addingTimeInterval(configuration.retryDelay), reason: "\(error)"))
                            await tally.stop("cannot open an SMTP session: \(error)")
                            break
                        }
                    }
                    outcome = await send(message, job: job, worker: worker, on: client!)
                } else {
                    outcome = .skipped(reason: job.subscription.status == .active
                        ? "no paper of the period matched the subscriber's topics" : "the subscription is \(job.subscription.status.rawValue)")
                }
            } catch {
                // Composing failed (a subscriber address the mail layer refuses): nothing was sent.
                outcome = .failed(reason: "\(error)", bounce: false)
            }
            if let outcome {
                finished.add(job, outcome)
                await count(job, outcome, tally)
            } else {
                await tally.count(\.inDoubt)
            }
        }
        do { try await finished.record() } catch { await tally.stop("the ledger could not be written: \(error)") }
        // A worker that stopped early hands back what it claimed and did not try.
        if !claimed.isEmpty { try? await store.releaseDigests(claimed, worker: worker, at: now()) }
    }

    /// Sends one claimed digest with the ledger's commit as the last step before the final
    /// ".". Answers the outcome to record, or nil when the message is in doubt (committed and
    /// let go, but the server's answer never came), which stays committed.
    private func send(_ message: MailMessage, job: DigestJob, worker: String, on client: SMTPClient) async -> DigestOutcome? {
        let committed = CommitFlag()
        do {
            let receipt = try await client.send(message, beforeEndOfData: { [store, now] in
                guard try await store.commitDigest(job, worker: worker, at: now()) else {
                    throw DigestSenderError.claimLost(job.id)
                }
                committed.set()
            })
            return .delivered(messageID: receipt.messageID)
        } catch {
            if committed.isSet {
                // The "." went out. A reply that refuses it means the server did not take the
                // message; anything else (time-out, dropped connection) leaves it in doubt.
                guard case .rejected(let reply) = error.kind else { return nil }
                return reply.kind == .transientNegative ? retryOrGiveUp(job, "\(error)") : .failed(reason: "\(error)", bounce: true)
            }
            if case .aborted = error.kind {
                // The commit failed or the claim was lost: another sender owns the digest now,
                // or it will once the lease runs out. Either way the server dropped the message.
                logger.warning("digest abandoned before its commit point", metadata: ["job": "\(job.id)", "error": "\(error)"])
                return .retry(retryAt: now(), reason: "\(error)")
            }
            if error.isPermanent {
                // A 5xx to MAIL FROM or RCPT TO: the address (or the whole message) is refused.
                return .failed(reason: "\(error)", bounce: error.replyCode != nil)
            }
            return retryOrGiveUp(job, "\(error)")
        }
    }

    private func retryOrGiveUp(_ job: DigestJob, _ reason: String) -> DigestOutcome {
        let attempt = job.attempts + 1
        if attempt >= configuration.maximumAttempts {
            return .failed(reason: "gave up after \(attempt) tries: \(reason)", bounce: false)
        }
        let delay = configuration.retryDelay * pow(2, Double(attempt - 1))
        return .retry(retryAt: now().addingTimeInterval(delay), reason: reason)
    }

    private func count(_ job: DigestJob, _ outcome: DigestOutcome, _ tally: RunTally) async {
        switch outcome {
        case .delivered: await tally.count(\.delivered)
        case .retry: await tally.count(\.retried)
        case .failed(let reason, _):
            logger.warning("digest not delivered", metadata: ["subscription": "\(job.subscription.id)", "reason": "\(reason)"])
            await tally.count(\.failed)
        case .skipped: await tally.count(\.skipped)
        }
    }

    /// The digest email for one subscription, or nil when it has nothing to show.
    private func message(
        for subscription: Subscription, period: DigestPeriod, selection: DigestSelection, tastes: TasteCache
    ) async throws -> MailMessage? {
        guard subscription.status == .active else { return nil }
        let taste = subscription.forMe ? try await tastes.profile(for: subscription.userID) : nil
        let papers = selection.papers(for: subscription, taste: taste)
        guard !papers.isEmpty else { return nil }
        let time = now()
        let recipient = DigestRecipient(
            address: try EmailAddress(subscription.email), subscriberID: subscription.id,
            topicDescription: subscription.forMe ? ["picked for you", subscription.topics.text].filter { !$0.isEmpty }.joined(separator: "; ")
                : (subscription.topics.isEmpty ? nil : subscription.topics.text))
        let links = DigestLinks(
            unsubscribeURL: links.url(.unsubscribe, subscription: subscription.id, now: time),
            preferencesURL: links.url(.preferences, subscription: subscription.id, now: time))
        return try composer.compose(for: recipient, period: period, papers: papers.map(DigestPaper.init), links: links, date: time)
    }
}

public enum DigestSenderError: Error, CustomStringConvertible {
    case claimLost(Int64)

    public var description: String {
        switch self {
        case .claimLost(let id): "digest \(id) was taken over by another sender (its claim ran out)"
        }
    }
}

/// Outcomes a worker has yet to write to the ledger.
private struct FinishedDigests {
    let store: any SubscriptionStore
    let worker: String
    let now: @Sendable () -> Date
    private var pending: [(job: DigestJob, outcome: DigestOutcome)] = []

    init(store: any SubscriptionStore, worker: String, now: @escaping @Sendable () -> Date) {
        self.store = store
        self.worker = worker
        self.now = now
    }

    mutating func add(_ job: DigestJob, _ outcome: DigestOutcome) { pending.append((job, outcome)) }

    mutating func record() async throws {
        guard !pending.isEmpty else { return }
        try await store.finishDigests(pending, worker: worker, at: now())
        pending.removeAll()
    }
}

/// Set inside the commit hook, read after `send` returns or throws.
private final class CommitFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}

/// The running totals of a run, shared by its workers.
private actor RunTally {
    private(set) var report: DigestRunReport
    private let progress: (@Sendable (DigestRunReport) -> Void)?

    init(_ report: DigestRunReport, progress: (@Sendable (DigestRunReport) -> Void)?) {
        self.report = report
        self.progress = progress
    }

    func count(_ field: WritableKeyPath<DigestRunReport, Int>) {
        report[keyPath: field] += 1
        progress?(report)
    }

    func stop(_ reason: String) {
        if report.stoppedBecause == nil { report.stoppedBecause = reason }
    }
}

/// "For me" profiles, made once per user per run.
private actor TasteCache {
    let store: any SubscriptionStore
    let catalog: any CatalogStore
    let candidates: [Paper]
    private var profiles: [Int64: TasteProfile] = [:]

    init(store: any SubscriptionStore, catalog: any CatalogStore, candidates: [Paper]) {
        self.store = store
        self.catalog = catalog
        self.candidates = candidates
    }

    func profile(for userID: Int64?) async throws -> TasteProfile? {
        guard let userID else { return nil }
        if let known = profiles[userID] { return known }
        let liked = try await catalog.papers(ids: try await store.papersLiked(byUser: userID, limit: 200))
        let profile = TasteProfile(liked: liked, candidates: candidates)
        profiles[userID] = profile
        return profile
    }
}
