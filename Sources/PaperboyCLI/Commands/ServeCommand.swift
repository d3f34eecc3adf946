import ArgumentParser
import Catalog
import Community
import Digests
import Foundation
import Hummingbird
import Embeddings
import Logging
import Mail
import PaperboyServer
import SemanticSearch

/// `paperboy serve`: the web site over the catalog.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the Daily Papers site, feeds and JSON API over the catalog.",
        discussion: """
            Every option can also come from the environment: PAPERBOY_HOST, PAPERBOY_PORT,
            PAPERBOY_DATABASE, PAPERBOY_PUBLIC_URL, PAPERBOY_CACHE_SECONDS, PAPERBOY_MODEL_DIR,
            PAPERBOY_ARXIV_API_URL, and for email PAPERBOY_SMTP_HOST, PAPERBOY_SMTP_PORT,
            PAPERBOY_SMTP_TLS, PAPERBOY_SMTP_USER, PAPERBOY_SMTP_PASSWORD, PAPERBOY_MAIL_FROM,
            PAPERBOY_DIGEST_TIME, PAPERBOY_DIGEST_TIME_ZONE.
            A flag wins.
            The database is a SQLite file by default; with --database postgres://…, any number of
            instances share one PostgreSQL behind a load balancer: votes, comments and digests are
            exact across them, and each picks up the papers and vectors the others store. A lost
            database fails /healthz (503) and requests until it is back; the server recovers by
            itself.
            With a mail relay (--smtp-host), readers subscribe to the email digest from any page
            (double opt-in), and the server sends the digests itself at --digest-time: on weekdays
            the previous weekday's papers, on Mondays the past week's too. Several instances on one
            database never send a digest twice.
            With an embedding model installed, search is hybrid (words and meaning) and paper
            pages list similar papers by meaning; the server loads the stored vectors in the
            background and embeds papers that have none, one core's worth at most. Without a
            model, search and similar papers use keywords, and say so.
            Pages and API answers are reused until the catalog changes (any process's write
            shows at once) or for at most the cache lifetime, since trending moves with the clock.
            Logs: one line per request on standard error; PAPERBOY_LOG_FORMAT=json makes them
            JSON objects, PAPERBOY_LOG_LEVEL=warning quiets them. Prometheus metrics are at /metrics.
            SIGTERM or Ctrl-C stops the server after the requests in flight are answered.
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup(title: "Email") var mail: MailOptions
    @OptionGroup(title: "Digest schedule") var digestTime: DigestTimeOptions

    @Flag(help: "Send no digests from this process (another instance or cron's `paperboy digest send` does); subscribing still works.")
    var noDigestSchedule = false

    @Option(help: "Address to listen on. Default: $PAPERBOY_HOST, else 127.0.0.1.")
    var host: String?

    @Option(help: "Port to listen on. Default: $PAPERBOY_PORT, else 8080.")
    var port: Int?

    @Option(help: ArgumentHelp(
        "The address readers reach the site at, for links in feeds and API answers (e.g. https://papers.example.org). Default: $PAPERBOY_PUBLIC_URL, else http://HOST:PORT.",
        valueName: "url"))
    var publicURL: String?

    @Option(help: ArgumentHelp(
        "How long a rendered page may be reused while the catalog is unchanged; 0 renders every request. Default: $PAPERBOY_CACHE_SECONDS, else 60.",
        valueName: "seconds"))
    var cacheSeconds: Int?

    @Option(help: ArgumentHelp(
        "The sentence-embedding model folder. Default: $PAPERBOY_MODEL_DIR, else \(EmbeddingModel.defaultFolder).", valueName: "folder"))
    var model: String?

    @Option(help: ArgumentHelp(
        "With PostgreSQL: how long to wait at start for the database server to answer, trying every 2 s, before giving up.",
        valueName: "seconds"))
    var databaseWait = 60

    @Flag(help: "Keyword search only: don't load the embedding model even if it is installed.")
    var noSemantic = false

    @Option(help: ArgumentHelp(
        "bcrypt's cost for new passwords, \(PasswordHasher.minimumProductionCost) to 16. Default: \(PasswordHasher.productionCost).",
        valueName: "cost"))
    var passwordCost: UInt8 = PasswordHasher.productionCost

    @Flag(help: "Behind a reverse proxy: rate-limit by the first address of X-Forwarded-For, not by the proxy's.")
    var trustForwardedFor = false

    @Option(name: .customLong("arxiv-api-url"), help: ArgumentHelp(
        "The arXiv API endpoint asked for the metadata of submitted papers the catalog lacks; 'none': catalog papers only. Default: $PAPERBOY_ARXIV_API_URL, else https://export.arxiv.org/api/query.",
        valueName: "url"))
    var arxivAPIURL: String?

    @Option(help: ArgumentHelp("Submitted papers' first version may be at most this many days old; 0: any age.", valueName: "days"))
    var submitMaxAgeDays = 7

    @Option(help: ArgumentHelp("Papers each user may submit per UTC day; 0: no cap.", valueName: "count"))
    var submitDailyCap = 3

    @Flag(help: "Let papers featured before be submitted again (by default a paper is featured once).")
    var allowResubmission = false

    @Option(help: ArgumentHelp(
        "Pin the site's clock to this UTC time (2026-08-21T18:00:00Z), standing still, instead of the system's: what the latest day and trending are, the day submissions are featured on and checked against, and which digests are due. For demos and tests over recorded data.",
        valueName: "time"))
    var clock: String?

    func validate() throws {
        if let port, !(0...65_535).contains(port) { throw ValidationError("--port \(port): not a port number (0 to 65535)") }
        guard (PasswordHasher.minimumProductionCost...16).contains(passwordCost) else {
            throw ValidationError("--password-cost \(passwordCost): must be from \(PasswordHasher.minimumProductionCost) to 16")
        }
        if submitMaxAgeDays < 0 { throw ValidationError("--submit-max-age-days \(submitMaxAgeDays): must be 0 or more") }
        if submitDailyCap < 0 { throw ValidationError("--submit-daily-cap \(submitDailyCap): must be 0 or more") }
        if let clock, pinnedClock == nil {
            throw ValidationError("--clock \(clock): not a UTC time like 2026-08-21T18:00:00Z (or a day, 2026-08-21)")
        }
        if let arxivAPIURL, arxivAPIURL != "none", !(arxivAPIURL.hasPrefix("http://") || arxivAPIURL.hasPrefix("https://")) {
            throw ValidationError("--arxiv-api-url \(arxivAPIURL): must start with http:// or https://, or be 'none'")
        }
        if databaseWait < 0 { throw ValidationError("--database-wait \(databaseWait): must be 0 or more") }
        if let cacheSeconds, cacheSeconds < 0 { throw ValidationError("--cache-seconds \(cacheSeconds): must be 0 or more") }
        if let publicURL, !(publicURL.hasPrefix("http://") || publicURL.hasPrefix("https://")) {
            throw ValidationError("--public-url \(publicURL): must start with http:// or https://")
        }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let envPort = try environment["PAPERBOY_PORT"].map { text in
            guard let n = Int(text), (0...65_535).contains(n) else { throw ValidationError("PAPERBOY_PORT=\(text): not a port number") }
            return n
        }
        let envCache = try environment["PAPERBOY_CACHE_SECONDS"].map { text in
            guard let n = Int(text), n >= 0 else { throw ValidationError("PAPERBOY_CACHE_SECONDS=\(text): not a number of seconds") }
            return n
        }
        let cache = cacheSeconds ?? envCache ?? 60
        var configuration = ServerConfiguration(
            host: host ?? environment["PAPERBOY_HOST"] ?? "127.0.0.1",
            port: port ?? envPort ?? 8080,
            publicBaseURL: publicURL ?? environment["PAPERBOY_PUBLIC_URL"],
            searchIndexInterval: .seconds(30),
            responseCacheLifetime: cache > 0 ? .seconds(cache) : nil)
        configuration.community.passwordCost = passwordCost
        configuration.community.trustForwardedFor = trustForwardedFor
        configuration.community.submissionRules = SubmissionRules(
            maxAgeDays: submitMaxAgeDays > 0 ? submitMaxAgeDays : nil, notFeaturedBefore: !allowResubmission,
            dailyCapPerUser: submitDailyCap > 0 ? submitDailyCap : nil)
        let arxiv = arxivAPIURL ?? environment["PAPERBOY_ARXIV_API_URL"] ?? "https://export.arxiv.org/api/query"
        configuration.arxivAPIURL = arxiv == "none" ? nil : arxiv
        if mail.isConfigured {
            let smtp = try mail.smtpConfiguration()
            var digests = DigestSiteConfiguration(transport: SMTPMailTransport(configuration: smtp), from: try mail.fromAddress())
            digests.smtp = smtp
            digests.schedule = noDigestSchedule ? nil : try digestTime.schedule()
            configuration.digests = digests
        }
        let logger = Logger(label: "paperboy.server")
        try await database.waitForDatabase(upTo: .seconds(databaseWait), logger: logger)
        try await database.withCatalog { catalog in
            logger.info("serving", metadata: [
                "database": .string(database.displayName), "address": .string("http://\(configuration.host):\(configuration.port)"),
                "public_url": .string(configuration.publicBaseURL),
            ])
            if let digests = configuration.digests {
                logger.info("email digests on", metadata: [
                    "relay": .string("\(digests.smtp?.host ?? ""):\(digests.smtp?.port ?? 0)"),
                    "schedule": .string(digests.schedule.map { "\($0)" } ?? "off (digest send)"),
                ])
            } else {
                logger.info("no mail relay (--smtp-host): the subscribe page offers feeds, and no digests are sent")
            }
            // Said loudly: a pinned clock left on in production would freeze the feed.
            if let clock { logger.warning("the clock is pinned", metadata: ["clock": .string(clock)]) }
            var now: (@Sendable () -> Double)?
            if let days = pinnedClock { now = { days } }
            let app = buildApplication(
                configuration: configuration, catalog: catalog, community: catalog, semantic: try semanticIndex(catalog, logger), logger: logger,
                now: now)
            try await app.runService()
            logger.info("stopped")
        }
    }

    /// `--clock` as days since 1970, the unit of the site's clock; nil without one (or when unreadable).
    var pinnedClock: Double? { clock.flatMap(SubmissionRules.days(ofTimestamp:)) }

    /// The model, when there is one: a model folder that is missing is a warning (the site works
    /// with keyword search), one that is broken stops the server (it was clearly meant to be used).
    func semanticIndex(_ catalog: any CatalogStore, _ logger: Logger) throws -> SemanticIndex? {
        guard !noSemantic else { return nil }
        let folder = EmbeddingModel.folder(model)
        guard EmbeddingModel.isInstalled(folder) else {
            logger.warning("no embedding model: search is keyword only", metadata: ["model": .string(folder)])
            return nil
        }
        // One thread: embedding runs beside the requests and must leave them a core.
        let embedder = try SentenceEmbedder(modelFolder: folder, threads: 1)
        logger.info("embedding model loaded", metadata: ["model": .string(folder), "dimensions": "\(embedder.dimension)"])
        return SemanticIndex(catalog: catalog, embedder: embedder, modelName: EmbeddingModel.name(of: folder))
    }
}
