import Catalog
import Foundation

/// Storage for the community: accounts, browser sessions, personal API tokens and upvotes.
/// Like `CatalogStore`, async and free of any database, so a PostgreSQL backend can implement
/// it unchanged. Secrets arrive already hashed (passwords by bcrypt, tokens by SHA-256): a
/// backend never sees one in the clear.
public protocol CommunityStore: Sendable {
    /// Stores a new account; throws `CommunityError.usernameTaken` or `.emailTaken` (compared
    /// without regard to case) and stores nothing then.
    func createUser(_ user: NewUser, at time: Date) async throws -> User
    func user(id: Int64) async throws -> User?
    /// The account with this username (any case); unlike `userForLogin`, never by email, since
    /// usernames are what pages and URLs show.
    func user(username: String) async throws -> User?
    /// The account with this username or email (any case), with its password hash.
    func userForLogin(_ usernameOrEmail: String) async throws -> (user: User, passwordHash: String)?
    func userCount() async throws -> Int

    /// Starts a session known by the digest of its cookie token.
    func createSession(userID: Int64, tokenDigest: String, csrfToken: String, expiresAt: Date, at time: Date) async throws
    /// The session with this digest, if it has not expired by `now`.
    func session(tokenDigest: String, now: Date) async throws -> Session?
    func deleteSession(tokenDigest: String) async throws
    /// Forgets sessions that expired before `now`; answers how many.
    func deleteExpiredSessions(now: Date) async throws -> Int

    /// Stores a token's digest for `userID`; answers the listed token.
    func createAPIToken(userID: Int64, name: String, tokenDigest: String, prefix: String, at time: Date) async throws -> APIToken
    /// The user's tokens, newest first, revoked ones included (marked).
    func apiTokens(userID: Int64) async throws -> [APIToken]
    /// Revokes one of the user's tokens; false when the user has no such live token.
    func revokeAPIToken(id: Int64, userID: Int64, at time: Date) async throws -> Bool
    /// The owner of a live (unrevoked) token with this digest.
    func user(apiTokenDigest: String) async throws -> User?

    /// Adds (`voted` true) or withdraws the user's vote on a paper, at most one per user and
    /// paper, exactly under any number of concurrent voters. Answers nil when the catalog has
    /// no such paper. A vote changes what listings show, so it counts as a catalog change
    /// (`CatalogStore.contentVersion` moves on) when it changes the count.
    func setVote(userID: Int64, paper: ArxivID, voted: Bool, at time: Date) async throws -> VoteTally?
    /// Which of these papers the user has voted for.
    func votedPapers(userID: Int64, among papers: [ArxivID]) async throws -> Set<ArxivID>
}

/// Refusals a store reports in words a person can act on.
public enum CommunityError: Error, Equatable, CustomStringConvertible {
    case usernameTaken(String)
    case emailTaken(String)

    public var description: String {
        switch self {
        case .usernameTaken(let name): "username: '\(name)' is taken; choose another."
        case .emailTaken(let email): "email: \(email) already has an account; log in instead."
        }
    }

    /// The form field at fault.
    public var field: String {
        switch self {
        case .usernameTaken: "username"
        case .emailTaken: "email"
        }
    }
}
