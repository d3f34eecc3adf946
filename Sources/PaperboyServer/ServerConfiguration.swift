import Digests

/// Where and how `paperboy serve` listens.
public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// The address users reach the site at, without a trailing slash (for absolute links in
    /// API answers, feeds and the OpenAPI document). Behind a proxy, set it to the public URL.
    public var publicBaseURL: String
    /// How often the background indexer makes newly written papers searchable; nil: never
    /// (tests index explicitly).
    public var searchIndexInterval: Duration?
    /// How long a rendered page or API answer may be reused while the catalog is unchanged
    /// (trending moves with the clock); nil: render every request.
    public var responseCacheLifetime: Duration?
    /// Accounts, sessions, votes and their rate limits.
    public var community = CommunityConfiguration()
    /// The arXiv API's query endpoint (`https://export.arxiv.org/api/query`), asked for the
    /// metadata of submitted papers the catalog lacks; nil: only catalog papers can be
    /// submitted. `paperboy serve` sets arXiv's; tests point it at a local recorded server.
    public var arxivAPIURL: String?
    /// How long one arXiv API lookup may take before it is tried again (twice in all). A person
    /// waits on it, hence short; tests on a loaded machine lengthen it.
    public var arxivAPITimeout: Duration = .seconds(10)
    /// Email digests: the relay, the sender address, the schedule; nil: no digests (the
    /// subscribe page then offers the feeds).
    public var digests: DigestSiteConfiguration?

    public init(
        host: String = "127.0.0.1", port: Int = 8080, publicBaseURL: String? = nil, searchIndexInterval: Duration? = nil,
        responseCacheLifetime: Duration? = .seconds(60)
    ) {
        self.host = host
        self.port = port
        var base = publicBaseURL ?? "http://\(host):\(port)"
        while base.hasSuffix("/") { base.removeLast() }
        self.publicBaseURL = base
        self.searchIndexInterval = searchIndexInterval
        self.responseCacheLifetime = responseCacheLifetime
    }
}
