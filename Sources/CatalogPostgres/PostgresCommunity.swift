import Catalog
import Community
import Foundation
import PostgresNIO

/// Accounts, sessions, API tokens and votes (migration `002-community`), behaving as the SQLite
/// backend's do, method for method, with many servers on one database.
///
/// What SQLite gets from running one writer at a time, this backend gets from locks: sign-ups
/// take turns on an advisory lock (so "is the name free?" and the insert cannot race another
/// server; the unique indexes stay the last word), and a vote changes its row and the paper's
/// counts in one transaction, the paper's row locked, so the counts stay exact however many
/// servers take votes at once.
extension PostgresCatalog: CommunityStore {
    /// The advisory lock sign-ups take turns on (a two-key lock, apart from the one-key locks of
    /// migrations and writers).
    static let signUpLockSpace: Int32 = 0x7062_0003

    private static let userColumns = "id, username, email, role, created_at"
    static var userColumnsOfU: String { userColumns.split(separator: ", ").map { "u.\($0)" }.joined(separator: ", ") }

    /// A row of `userColumns`, from `offset` on.
    static func user(_ cells: PostgresRandomAccessRow, from offset: Int = 0) throws -> User {
        User(
            id: try cells[offset].decode(Int64.self), username: try cells[offset + 1].decode(String.self),
            email: try cells[offset + 2].decode(String.self), role: Role(rawValue: try cells[offset + 3].decode(String.self)) ?? .user,
            createdAt: date(try cells[offset + 4].decode(Int64.self)))
    }

    /// The rows of a query whose first columns are `userColumns`.
    private func users(_ query: PostgresQuery, on db: PostgresConnection? = nil) async throws -> [User] {
        let rows = try await self.rows(query, on: db)
        var found: [User] = []
        for try await row in rows { found.append(try Self.user(row.makeRandomAccess())) }
        return found
    }

    // MARK: Accounts

    public func createUser(_ new: NewUser, at time: Date) async throws -> User {
        let now = Self.seconds(time)
        return try await perform("create account \(new.username)") {
            try await self.transaction { db in
                try await db.query("SELECT pg_advisory_xact_lock(\(Self.signUpLockSpace), 0)", logger: self.logger)
                let taken = try await db.query("""
                    SELECT ascii_lower(username) = ascii_lower(\(new.username)), ascii_lower(email) = ascii_lower(\(new.email))
                    FROM users WHERE ascii_lower(username) = ascii_lower(\(new.username)) OR ascii_lower(email) = ascii_lower(\(new.email))
                    ORDER BY 1 DESC LIMIT 1
                    """, logger: self.logger)
                for try await (sameName, _) in taken.decode((Bool, Bool).self) {
                    throw sameName ? CommunityError.usernameTaken(new.username) : CommunityError.emailTaken(new.email)
                }
                let created = try await self.users(
                    """
                    INSERT INTO users (username, email, password_hash, role, created_at)
                    VALUES (\(new.username), \(new.email), \(new.passwordHash), \(new.role.rawValue), \(now))
                    RETURNING \(unescaped: Self.userColumns)
                    """, on: db)
                guard let user = created.first else { throw PostgresCatalogError.failed(self.location, reason: "the new account was not stored") }
                return user
            }
        }
    }

    public func user(id: Int64) async throws -> User? {
        try await perform("read account \(id)") {
            try await self.users("SELECT \(unescaped: Self.userColumns) FROM users WHERE id = \(id)").first
        }
    }

    public func user(username: String) async throws -> User? {
        try await perform("read account \(username)") {
            try await self.users(
                "SELECT \(unescaped: Self.userColumns) FROM users WHERE ascii_lower(username) = ascii_lower(\(username))").first
        }
    }

    public func userForLogin(_ usernameOrEmail: String) async throws -> (user: User, passwordHash: String)? {
        try await perform("read an account to log in") {
            let rows = try await self.client.query("""
                SELECT \(unescaped: Self.userColumns), password_hash FROM users
                WHERE ascii_lower(username) = ascii_lower(\(usernameOrEmail)) OR ascii_lower(email) = ascii_lower(\(usernameOrEmail))
                ORDER BY id LIMIT 1
                """, logger: self.logger)
            for try await row in rows {
                let cells = row.makeRandomAccess()
                return (try Self.user(cells), try cells[5].decode(String.self))
            }
            return nil
        }
    }

    public func userCount() async throws -> Int {
        try await perform("count accounts") { try await self.single("SELECT count(*) FROM users", as: Int.self) ?? 0 }
    }

    // MARK: Sessions

    public func createSession(userID: Int64, tokenDigest: String, csrfToken: String, expiresAt: Date, at time: Date) async throws {
        try await perform("start a session") {
            try await self.client.query("""
                INSERT INTO sessions (token_digest, user_id, csrf_token, created_at, expires_at)
                VALUES (\(tokenDigest), \(userID), \(csrfToken), \(Self.seconds(time)), \(Self.seconds(expiresAt)))
                """, logger: self.logger)
        }
    }

    public func session(tokenDigest: String, now: Date) async throws -> Session? {
        try await perform("read a session") {
            let rows = try await self.client.query("""
                SELECT \(unescaped: Self.userColumnsOfU), s.csrf_token, s.expires_at
                FROM sessions s JOIN users u ON u.id = s.user_id
                WHERE s.token_digest = \(tokenDigest) AND s.expires_at > \(Self.seconds(now))
                """, logger: self.logger)
            for try await row in rows {
                let cells = row.makeRandomAccess()
                return Session(
                    user: try Self.user(cells), csrfToken: try cells[5].decode(String.self),
                    expiresAt: Self.date(try cells[6].decode(Int64.self)))
            }
            return nil
        }
    }

    public func deleteSession(tokenDigest: String) async throws {
        try await perform("end a session") {
            try await self.client.query("DELETE FROM sessions WHERE token_digest = \(tokenDigest)", logger: self.logger)
        }
    }

    public func deleteExpiredSessions(now: Date) async throws -> Int {
        try await perform("delete expired sessions") {
            try await self.single(
                "WITH gone AS (DELETE FROM sessions WHERE expires_at <= \(Self.seconds(now)) RETURNING 1) SELECT count(*) FROM gone",
                as: Int.self) ?? 0
        }
    }

    // MARK: API tokens

    public func createAPIToken(userID: Int64, name: String, tokenDigest: String, prefix: String, at time: Date) async throws -> APIToken {
        let now = Self.seconds(time)
        return try await perform("create an API token") {
            let id = try await self.single("""
                INSERT INTO api_tokens (user_id, name, token_digest, prefix, created_at)
                VALUES (\(userID), \(name), \(tokenDigest), \(prefix), \(now)) RETURNING id
                """, as: Int64.self)
            guard let id else { throw PostgresCatalogError.failed(self.location, reason: "the new API token was not stored") }
            return APIToken(id: id, name: name, prefix: prefix, createdAt: Self.date(now), revokedAt: nil)
        }
    }

    public func apiTokens(userID: Int64) async throws -> [APIToken] {
        try await perform("list the API tokens of account \(userID)") {
            var tokens: [APIToken] = []
            let rows = try await self.client.query(
                "SELECT id, name, prefix, created_at, revoked_at FROM api_tokens WHERE user_id = \(userID) ORDER BY id DESC",
                logger: self.logger)
            for try await (id, name, prefix, created, revoked) in rows.decode((Int64, String, String, Int64, Int64?).self) {
                tokens.append(APIToken(
                    id: id, name: name, prefix: prefix, createdAt: Self.date(created), revokedAt: revoked.map(Self.date)))
            }
            return tokens
        }
    }

    public func revokeAPIToken(id: Int64, userID: Int64, at time: Date) async throws -> Bool {
        try await perform("revoke API token \(id)") {
            try await self.single("""
                WITH revoked AS (
                    UPDATE api_tokens SET revoked_at = \(Self.seconds(time))
                    WHERE id = \(id) AND user_id = \(userID) AND revoked_at IS NULL RETURNING 1
                ) SELECT count(*) FROM revoked
                """, as: Int.self) == 1
        }
    }

    public func user(apiTokenDigest: String) async throws -> User? {
        try await perform("read the owner of an API token") {
            try await self.users("""
                SELECT \(unescaped: Self.userColumnsOfU) FROM api_tokens t JOIN users u ON u.id = t.user_id
                WHERE t.token_digest = \(apiTokenDigest) AND t.revoked_at IS NULL
                """).first
        }
    }

    // MARK: Votes

    public func setVote(userID: Int64, paper: ArxivID, voted: Bool, at time: Date) async throws -> VoteTally? {
        let now = Self.seconds(time)
        return try await perform("record a vote on \(paper.value)") {
            try await self.transaction { db -> VoteTally? in
                // The paper's row, locked until the commit: votes on one paper (and an import
                // merging it) take turns from here, so each sees the count the last one left.
                let present = try await db.query(
                    "SELECT 1 FROM papers WHERE id = \(paper.value) AND NOT deleted FOR UPDATE", logger: self.logger)
                var exists = false
                for try await _ in present { exists = true }
                guard exists else { return nil }
                let changed: Int
                if voted {
                    changed = try await Self.count(db, logger: self.logger, """
                        WITH added AS (
                            INSERT INTO paper_votes (paper_id, user_id, created_at) VALUES (\(paper.value), \(userID), \(now))
                            ON CONFLICT DO NOTHING RETURNING 1
                        ) SELECT count(*) FROM added
                        """)
                } else {
                    changed = try await Self.count(db, logger: self.logger, """
                        WITH removed AS (
                            DELETE FROM paper_votes WHERE paper_id = \(paper.value) AND user_id = \(userID) RETURNING 1
                        ) SELECT count(*) FROM removed
                        """)
                }
                // Only a vote that was not there (or a withdrawal of one that was) moves the counts.
                if changed == 1 {
                    let step = voted ? 1 : -1
                    try await db.query(
                        "UPDATE papers SET local_upvotes = local_upvotes + \(step), upvotes = upvotes + \(step) WHERE id = \(paper.value)",
                        logger: self.logger)
                    try await Self.bumpContentVersion(db, logger: self.logger)
                }
                let upvotes = try await Self.count(db, logger: self.logger, "SELECT upvotes FROM papers WHERE id = \(paper.value)")
                return VoteTally(upvotes: upvotes, voted: voted)
            }
        }
    }

    public func votedPapers(userID: Int64, among papers: [ArxivID]) async throws -> Set<ArxivID> {
        guard !papers.isEmpty else { return [] }
        return try await perform("read the votes of account \(userID)") {
            var voted = Set<ArxivID>()
            let rows = try await self.client.query(
                "SELECT paper_id FROM paper_votes WHERE user_id = \(userID) AND paper_id = ANY(\(papers.map(\.value)))", logger: self.logger)
            for try await id in rows.decode(String.self) {
                if let id = ArxivID(id) { voted.insert(id) }
            }
            return voted
        }
    }
}
