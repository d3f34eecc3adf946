import Catalog
import Community
import Foundation
import GRDB

/// Accounts, sessions, API tokens and votes in the catalog's SQLite file (migration
/// `006-community`). Every change is one write transaction; SQLite runs them one at a time, so
/// a vote's row and the counts it moves can never disagree.
extension SQLiteCatalog: CommunityStore {
    private static let userColumns = "id, username, email, role, created_at"

    private static func user(_ row: Row) -> User {
        User(
            id: row["id"], username: row["username"], email: row["email"], role: Role(rawValue: row["role"]) ?? .user,
            createdAt: Date(timeIntervalSince1970: TimeInterval(row["created_at"] as Int64)))
    }

    private static func seconds(_ date: Date) -> Int64 { Int64(date.timeIntervalSince1970.rounded(.down)) }

    public func createUser(_ new: NewUser, at time: Date) async throws -> User {
        try await pool.write { db in
            // Writes are serialised, so checking first cannot race another sign-up; the UNIQUE
            // constraints stay as the last word.
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM users WHERE username = ?", arguments: [new.username]) == true {
                throw CommunityError.usernameTaken(new.username)
            }
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM users WHERE email = ?", arguments: [new.email]) == true {
                throw CommunityError.emailTaken(new.email)
            }
            try db.execute(
                sql: "INSERT INTO users (username, email, password_hash, role, created_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [new.username, new.email, new.passwordHash, new.role.rawValue, Self.seconds(time)])
            return User(
                id: db.lastInsertedRowID, username: new.username, email: new.email, role: new.role,
                createdAt: Date(timeIntervalSince1970: TimeInterval(Self.seconds(time))))
        }
    }

    public func user(id: Int64) async throws -> User? {
        try readNow { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.userColumns) FROM users WHERE id = ?", arguments: [id]).map(Self.user)
        }
    }

    public func user(username: String) async throws -> User? {
        try readNow { db in
            // The column is COLLATE NOCASE, so any case finds the account.
            try Row.fetchOne(db, sql: "SELECT \(Self.userColumns) FROM users WHERE username = ?", arguments: [username]).map(Self.user)
        }
    }

    public func userForLogin(_ usernameOrEmail: String) async throws -> (user: User, passwordHash: String)? {
        try readNow { db in
            try Row.fetchOne(
                db, sql: "SELECT \(Self.userColumns), password_hash FROM users WHERE username = ? OR email = ? LIMIT 1",
                arguments: [usernameOrEmail, usernameOrEmail]
            ).map { (Self.user($0), $0["password_hash"]) }
        }
    }

    public func userCount() async throws -> Int {
        try readNow { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM users") ?? 0 }
    }

    public func createSession(userID: Int64, tokenDigest: String, csrfToken: String, expiresAt: Date, at time: Date) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "INSERT INTO sessions (token_digest, user_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [tokenDigest, userID, csrfToken, Self.seconds(time), Self.seconds(expiresAt)])
        }
    }

    public func session(tokenDigest: String, now: Date) async throws -> Session? {
        try readNow { db in
            let sql = """
                SELECT u.id, u.username, u.email, u.role, u.created_at, s.csrf_token, s.expires_at
                FROM sessions s JOIN users u ON u.id = s.user_id
                WHERE s.token_digest = ? AND s.expires_at > ?
                """
            return try Row.fetchOne(db, sql: sql, arguments: [tokenDigest, Self.seconds(now)]).map { row in
                Session(
                    user: Self.user(row), csrfToken: row["csrf_token"],
                    expiresAt: Date(timeIntervalSince1970: TimeInterval(row["expires_at"] as Int64)))
            }
        }
    }

    public func deleteSession(tokenDigest: String) async throws {
        try await pool.write { db in try db.execute(sql: "DELETE FROM sessions WHERE token_digest = ?", arguments: [tokenDigest]) }
    }

    public func deleteExpiredSessions(now: Date) async throws -> Int {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM sessions WHERE expires_at <= ?", arguments: [Self.seconds(now)])
            return db.changesCount
        }
    }

    public func createAPIToken(userID: Int64, name: String, tokenDigest: String, prefix: String, at time: Date) async throws -> APIToken {
        try await pool.write { db in
            try db.execute(
                sql: "INSERT INTO api_tokens (user_id, name, token_digest, prefix, created_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [userID, name, tokenDigest, prefix, Self.seconds(time)])
            return APIToken(
                id: db.lastInsertedRowID, name: name, prefix: prefix,
                createdAt: Date(timeIntervalSince1970: TimeInterval(Self.seconds(time))), revokedAt: nil)
        }
    }

    public func apiTokens(userID: Int64) async throws -> [APIToken] {
        try readNow { db in
            try Row.fetchAll(
                db, sql: "SELECT id, name, prefix, created_at, revoked_at FROM api_tokens WHERE user_id = ? ORDER BY id DESC",
                arguments: [userID]
            ).map { row in
                APIToken(
                    id: row["id"], name: row["name"], prefix: row["prefix"],
                    createdAt: Date(timeIntervalSince1970: TimeInterval(row["created_at"] as Int64)),
                    revokedAt: (row["revoked_at"] as Int64?).map { Date(timeIntervalSince1970: TimeInterval($0)) })
            }
        }
    }

    public func revokeAPIToken(id: Int64, userID: Int64, at time: Date) async throws -> Bool {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL",
                arguments: [Self.seconds(time), id, userID])
            return db.changesCount == 1
        }
    }

    public func user(apiTokenDigest: String) async throws -> User? {
        try readNow { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT u.id, u.username, u.email, u.role, u.created_at FROM api_tokens t JOIN users u ON u.id = t.user_id
                    WHERE t.token_digest = ? AND t.revoked_at IS NULL
                    """,
                arguments: [apiTokenDigest]
            ).map(Self.user)
        }
    }

    public func setVote(userID: Int64, paper: ArxivID, voted: Bool, at time: Date) async throws -> VoteTally? {
        try await pool.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM papers WHERE id = ? AND deleted = 0", arguments: [paper.value]) == true else {
                return nil
            }
            if voted {
                try db.execute(
                    sql: "INSERT OR IGNORE INTO paper_votes (paper_id, user_id, created_at) VALUES (?, ?, ?)",
                    arguments: [paper.value, userID, Self.seconds(time)])
            } else {
                try db.execute(sql: "DELETE FROM paper_votes WHERE paper_id = ? AND user_id = ?", arguments: [paper.value, userID])
            }
            // Only a vote that was not there (or a withdrawal of one that was) moves the counts.
            if db.changesCount == 1 {
                let step = voted ? 1 : -1
                try db.execute(
                    sql: "UPDATE papers SET local_upvotes = local_upvotes + ?, upvotes = upvotes + ? WHERE id = ?",
                    arguments: [step, step, paper.value])
                try db.execute(sql: """
                    INSERT INTO catalog_state (key, value) VALUES ('content_version', '1')
                    ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1
                    """)
            }
            let upvotes = try Int.fetchOne(db, sql: "SELECT upvotes FROM papers WHERE id = ?", arguments: [paper.value]) ?? 0
            return VoteTally(upvotes: upvotes, voted: voted)
        }
    }

    public func votedPapers(userID: Int64, among papers: [ArxivID]) async throws -> Set<ArxivID> {
        guard !papers.isEmpty else { return [] }
        return try readNow { db in
            let statement = try db.cachedStatement(sql: "SELECT 1 FROM paper_votes WHERE paper_id = ? AND user_id = ?")
            return Set(try papers.filter { id in try Bool.fetchOne(statement, arguments: [id.value, userID]) == true })
        }
    }
}
