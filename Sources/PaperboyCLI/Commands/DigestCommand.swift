import ArgumentParser
import CatalogSQLite
import Digests
import Foundation
import Logging
import Mail

/// `paperboy digest`: the email digests from the command line, for cron and for admins.
struct DigestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "digest",
        abstract: "Send the email digests, see how a run went, add subscribers.",
        subcommands: [SendDigests.self, DigestStatus.self, AddSubscribers.self]
    )
}

/// `paperboy digest send`: one run, as cron starts it. Safe to start twice, or beside `serve`'s
/// own schedule: each digest is sent once, whoever sends it.
struct SendDigests: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send the digests that are due (or those of --period), each exactly once.",
        discussion: """
            Without --period, sends what is due by the schedule (--digest-time, --digest-time-zone):
            on a weekday after the send time, the daily digest of the previous weekday, and on Mondays
            the weekly digest of the week before; at other times, the last digests that were due.
            Every (subscriber, period) is recorded in the ledger before its email is let go, so a run
            that is killed and started again sends what is left and nothing twice, and two runs at
            once share the work. Temporary failures are retried by a later run.
              paperboy digest send --smtp-host mail.example.org --mail-from 'Paperboy <digest@example.org>'
              paperboy digest send --period weekly:2026-W48 --dry-run
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var mail: MailOptions
    @OptionGroup var time: DigestTimeOptions

    @Option(help: ArgumentHelp(
        "daily:YYYY-MM-DD, weekly:YYYY-Www (or a day in that week), or 'daily'/'weekly' for the latest due. Default: what is due now.",
        valueName: "period"))
    var period: [String] = []

    @Flag(help: "Show who would get what, without sending or recording anything.")
    var dryRun = false

    @Option(help: ArgumentHelp("The site's address, for the links in the emails. Default: $PAPERBOY_PUBLIC_URL, else http://127.0.0.1:8080.", valueName: "url"))
    var publicURL: String?

    @Option(help: ArgumentHelp("Papers in each digest.", valueName: "count"))
    var papers = 10

    @Option(help: ArgumentHelp("SMTP connections used side by side.", valueName: "count"))
    var connections = 8

    @Option(help: ArgumentHelp(
        "How long a claimed digest stays with this run before another may take it over, should this one die mid-message.",
        valueName: "seconds"))
    var leaseSeconds = 300

    func validate() throws {
        guard (1...50).contains(papers) else { throw ValidationError("--papers \(papers): must be from 1 to 50") }
        guard (1...32).contains(connections) else { throw ValidationError("--connections \(connections): must be from 1 to 32") }
        guard leaseSeconds >= 1 else { throw ValidationError("--lease-seconds \(leaseSeconds): must be 1 or more") }
        for text in period where !["daily", "weekly"].contains(text) && DigestPeriod(text) == nil {
            throw ValidationError("--period \(text): not a period; write daily:2026-11-24, weekly:2026-W48, daily or weekly")
        }
    }

    func run() async throws {
        let schedule = try time.schedule()
        let periods = try chosenPeriods(schedule)
        try await database.withCatalog { catalog in
            let baseURL = publicURL ?? ProcessInfo.processInfo.environment["PAPERBOY_PUBLIC_URL"] ?? "http://127.0.0.1:8080"
            let from = try mail.fromAddress()
            let links = SubscriptionLinks(secret: try await catalog.linkSigningSecret(), baseURL: baseURL)
            let composer = DigestComposer(baseURL: links.baseURL, from: from)
            if dryRun {
                for period in periods { try await preview(period, catalog: catalog, composer: composer, links: links) }
                return
            }
            var settings = DigestSenderConfiguration()
            settings.papersPerDigest = papers
            settings.connections = connections
            settings.lease = TimeInterval(leaseSeconds)
            let sender = DigestSender(
                store: catalog, catalog: catalog, composer: composer, links: links, smtp: try mail.smtpConfiguration(),
                configuration: settings, logger: Logger(label: "paperboy.digest"))
            var stopped = false
            for period in periods {
                let queued = try await catalog.planDigests(for: period, at: Date())
                let open = try await catalog.digestStates(of: period)
                let total = (open[.queued] ?? 0) + (open[.sending] ?? 0)
                let progress = LockedProgress(ProgressReporter(label: "digest \(period.key)", totalBytes: Int64(total)))
                let report = try await sender.send(period, planned: queued) { report in
                    let done = report.delivered + report.failed + report.retried + report.skipped + report.inDoubt
                    progress.update(done)
                }
                progress.finish()
                print(report)
                if report.stoppedBecause != nil { stopped = true }
            }
            if stopped { throw ExitCode(1) }
        }
    }

    func chosenPeriods(_ schedule: DigestSchedule) throws -> [DigestPeriod] {
        let latest = schedule.latestPeriods(at: Date())
        if period.isEmpty { return latest }
        return try period.map { text in
            switch text {
            case "daily":
                if let due = latest.first(where: { $0.frequency == .daily }) { return due }
                throw ValidationError("--period daily: no daily digest is due")
            case "weekly":
                // The week before the current one: the last weekly digest due.
                return DigestPeriod.weekly(containing: schedule.localDay(at: Date()))!.previous
            default:
                return DigestPeriod(text)!
            }
        }
    }


    private func preview(_ period: DigestPeriod, catalog: any PaperboyStore, composer: DigestComposer, links: SubscriptionLinks) async throws {
        var settings = DigestSenderConfiguration()
        settings.papersPerDigest = papers
        let sender = DigestSender(
            store: catalog, catalog: catalog, composer: composer, links: links,
            smtp: SMTPConfiguration(host: "dry-run.invalid"), configuration: settings)
        let selection = try await DigestSelection.load(period, from: catalog, perDigest: papers)
        print("\(period.key): \(selection.candidates.count) papers featured in \(period.title) (dry run: nothing sent or recorded)")
        var after: Int64 = 0, count = 0, empty = 0
        while true {
            let page = try await catalog.activeSubscriptions(frequency: period.frequency, after: after, limit: 500)
            guard let last = page.last else { break }
            after = last.id
            for subscription in page {
                count += 1
                guard let message = try await sender.preview(subscription, period: period, selection: selection) else {
                    empty += 1
                    print("  \(subscription.email): nothing matches its topics (\(subscription.topics.text))")
                    continue
                }
                print("  \(subscription.email): \(message.subject)")
            }
        }
        print("\(count) active \(period.frequency.rawValue) subscribers; \(count - empty) would get an email")
    }
}

/// `paperboy digest status`: the ledger of a period and the subscriptions by state.
struct DigestStatus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "How the digests of a period stand, and how many subscribers there are.")

    @OptionGroup var database: DatabaseOptions

    @Option(help: ArgumentHelp("daily:YYYY-MM-DD or weekly:YYYY-Www.", valueName: "period"))
    var period: [String] = []

    func validate() throws {
        for text in period where DigestPeriod(text) == nil {
            throw ValidationError("--period \(text): not a period; write daily:2026-11-24 or weekly:2026-W48")
        }
    }

    func run() async throws {
        try await database.withCatalog { catalog in
            let counts = try await catalog.subscriptionCounts()
            print("subscriptions: " + Subscription.Status.allCases.map { "\(counts[$0] ?? 0) \($0.rawValue)" }.joined(separator: ", "))
            for text in period {
                let period = DigestPeriod(text)!
                let states = try await catalog.digestStates(of: period)
                print("\(period.key): " + DigestState.allCases.map { "\(states[$0] ?? 0) \($0.rawValue)" }.joined(separator: ", "))
            }
        }
    }
}

/// `paperboy digest subscribe`: adds addresses directly, for moving a list over or for tests.
/// Without --confirmed each gets a pending subscription (confirmed by the usual email, sent by
/// the site); with it they are live at once, on the admin's word that they asked.
struct AddSubscribers: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "subscribe", abstract: "Add subscribers (one address per argument, or per line of --file).")

    @OptionGroup var database: DatabaseOptions

    @Argument(help: "Email addresses.")
    var addresses: [String] = []

    @Option(help: ArgumentHelp("A file of addresses, one per line.", valueName: "path"))
    var file: String?

    @Option(help: "daily or weekly.")
    var frequency = "daily"

    @Option(help: ArgumentHelp("Topics: categories and keywords separated by commas.", valueName: "topics"))
    var topics = ""

    @Flag(help: "Make them active at once, without a confirmation email.")
    var confirmed = false

    func run() async throws {
        var all = addresses
        if let file {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { throw ValidationError("--file \(file): cannot be read") }
            all += text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        guard !all.isEmpty else { throw ValidationError("give addresses as arguments or with --file") }
        // Every address is checked before any is stored: a list with a bad line adds nothing.
        var requests: [SubscriptionRequest] = []
        for (index, address) in all.enumerated() {
            do {
                requests.append(try SubscriptionRequest.make(email: address, frequency: frequency, topics: topics))
            } catch {
                throw ValidationError("address \(index + 1) ('\(address.prefix(80))'): \(error)")
            }
        }
        try await database.withCatalog { catalog in
            var added = 0, already = 0
            let now = Date()
            for request in requests {
                switch try await catalog.subscribe(request, at: now, limit: (Int.max, 1)) {
                case .needsConfirmation(let pending):
                    if confirmed { _ = try await catalog.confirmSubscription(id: pending.id, at: now) }
                    added += 1
                case .alreadyActive: already += 1
                case .tooManyRequests: break
                }
            }
            print("\(added) added\(confirmed ? " and confirmed" : " (pending confirmation)"), \(already) already subscribed")
        }
    }
}

/// The progress bar behind a lock: the sender reports from several tasks.
private final class LockedProgress: @unchecked Sendable {
    private let lock = NSLock()
    private let reporter: ProgressReporter

    init(_ reporter: ProgressReporter) { self.reporter = reporter }

    func update(_ done: Int) { lock.withLock { reporter.update(records: done, bytes: Int64(done)) } }
    func finish() { lock.withLock { reporter.finish() } }
}
