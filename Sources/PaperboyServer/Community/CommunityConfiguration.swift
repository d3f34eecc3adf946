import Community

/// How accounts, sessions and votes behave: the password cost, how long a session lasts, and
/// the rate limits. Tests lower the cost and the limits; production keeps the defaults.
public struct CommunityConfiguration: Sendable {
    /// bcrypt's cost (log2 of its rounds): 12 by default; `paperboy serve` refuses less than 10.
    public var passwordCost: UInt8
    /// How long a sign-in lasts.
    public var sessionLifetime: Duration
    /// How often the server deletes expired sessions (`SessionPurgeService`), first at start;
    /// nil: never. Expired sessions are refused anyway; this only keeps the table small.
    public var sessionPurgeInterval: Duration? = .seconds(3_600)
    /// Marks cookies Secure (sent over HTTPS only); nil: when the public URL is https.
    public var secureCookies: Bool?
    /// Sign-ups per client address.
    public var signUpLimit: RateLimit
    /// Log-in attempts per client address.
    public var logInLimit: RateLimit
    /// Votes per user.
    public var voteLimit: RateLimit
    /// Behind a reverse proxy every request comes from the proxy: then the client address is
    /// the first one in `X-Forwarded-For`. Off by default, since a client can write that header.
    public var trustForwardedFor: Bool
    /// The largest form body accepted; more is answered 413.
    public var maxFormBytes: Int
    /// What may be submitted to the daily feed (hf.co/papers's rules by default); curators and
    /// admins may set them aside with `override=true`.
    public var submissionRules = SubmissionRules()
    /// Submission attempts per user, refused ones included, so nobody probes ids in bulk.
    public var submitLimit = RateLimit(20, per: .seconds(3_600))
    /// New and edited comments per user.
    public var commentLimit: RateLimit
    /// The largest comment form or JSON body accepted (413 past it): room for the longest
    /// comment in any script, percent-encoded.
    public var maxCommentBytes: Int
    /// How many collections an account may keep and how many papers each may hold.
    public var collectionLimits = CollectionLimits()
    /// New collections per user.
    public var collectionCreateLimit = RateLimit(30, per: .seconds(3_600))
    /// Papers added to collections per user, so nobody copies the catalog in a loop.
    public var collectionAddLimit = RateLimit(120, per: .seconds(60))

    public init(
        passwordCost: UInt8 = 12, sessionLifetime: Duration = .seconds(30 * 86_400), secureCookies: Bool? = nil,
        signUpLimit: RateLimit = RateLimit(5, per: .seconds(3_600)), logInLimit: RateLimit = RateLimit(10, per: .seconds(60)),
        voteLimit: RateLimit = RateLimit(120, per: .seconds(60)), trustForwardedFor: Bool = false, maxFormBytes: Int = 16 * 1_024,
        commentLimit: RateLimit = RateLimit(10, per: .seconds(60)), maxCommentBytes: Int = 64 * 1_024
    ) {
        self.passwordCost = passwordCost
        self.sessionLifetime = sessionLifetime
        self.secureCookies = secureCookies
        self.signUpLimit = signUpLimit
        self.logInLimit = logInLimit
        self.voteLimit = voteLimit
        self.trustForwardedFor = trustForwardedFor
        self.maxFormBytes = maxFormBytes
        self.commentLimit = commentLimit
        self.maxCommentBytes = maxCommentBytes
    }
}

/// At most `requests` in each `window`.
public struct RateLimit: Sendable, Equatable {
    public var requests: Int
    public var window: Duration

    public init(_ requests: Int, per window: Duration) {
        self.requests = requests
        self.window = window
    }
}
