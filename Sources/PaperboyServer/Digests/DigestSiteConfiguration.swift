import Digests
import Foundation
import Mail

/// Email digests on the site: where confirmation emails go out, who they come from, the
/// limits on subscribing, and (for `serve`) when digests are sent. Without it the subscribe
/// page offers feeds only.
public struct DigestSiteConfiguration: Sendable {
    /// Sends the confirmation and "already subscribed" emails, one at a time.
    public var transport: any MailTransport
    /// The sender of every email (`Paperboy <digest@papers.example.org>`).
    public var from: EmailAddress
    /// Subscribe requests per email address (however many clients make them).
    public var requestsPerAddress: Int = 3
    public var addressWindow: TimeInterval = 86_400
    /// Subscribe requests per client address, in this process.
    public var clientLimit = RateLimit(10, per: .seconds(3_600))
    /// When `serve` sends digests itself; nil: only `paperboy digest send` (for cron) does.
    public var schedule: DigestSchedule?
    /// How `serve`'s scheduled runs send (needed with `schedule`).
    public var smtp: SMTPConfiguration?
    public var sender = DigestSenderConfiguration()
    /// How often the scheduler wakes to look for due digests and retries.
    public var scheduleInterval: Duration = .seconds(300)

    public init(transport: any MailTransport, from: EmailAddress) {
        self.transport = transport
        self.from = from
    }
}

/// The signing half of `SubscriptionLinks`, made once the store has given its secret (which
/// it may first have to create), then shared.
actor SubscriptionLinkSigner {
    private let store: any SubscriptionStore
    private let baseURL: String
    private var links: SubscriptionLinks?

    init(store: any SubscriptionStore, baseURL: String) {
        self.store = store
        self.baseURL = baseURL
    }

    func get() async throws -> SubscriptionLinks {
        if let links { return links }
        let made = SubscriptionLinks(secret: try await store.linkSigningSecret(), baseURL: baseURL)
        links = made
        return made
    }
}
