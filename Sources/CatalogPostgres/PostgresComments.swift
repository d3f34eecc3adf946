import Catalog
import Community
import Foundation
import PostgresNIO

/// Comments and bans (migration `002-community`), behaving as the SQLite backend's do. Every
/// change is one transaction that first locks the paper's row, then checks the rules, changes
/// the comment and recounts the paper's visible comments: changes to one paper's thread take
/// turns across servers, so the count shown is always exact.
extension PostgresCatalog: CommentStore {
    private static let commentSelect = """
        SELECT c.id, c.paper_id, c.parent_id, c.user_id, u.username, c.body, c.created_at, c.edited_at, c.deleted,
               c.hidden_reason, c.hidden_at, m.username AS moderator
        FROM comments c JOIN users u ON u.id = c.user_id LEFT JOIN users m ON m.id = c.hidden_by
        """

    private static func comment(_ cells: PostgresRandomAccessRow) throws -> Comment {
        var hidden: Moderation?
        if let reason = try cells[9].decode(String?.self).flatMap(HideReason.init(rawValue:)) {
            hidden = Moderation(
                reason: reason, moderator: try cells[11].decode(String?.self) ?? "", at: date(try cells[10].decode(Int64?.self) ?? 0))
        }
        let paperText = try cells[1].decode(String.self)
        guard let paper = ArxivID(paperText) else { throw PostgresPaperRow.InvalidStoredID(text: paperText) }
        return Comment(
            id: try cells[0].decode(Int64.self), paper: paper, parentID: try cells[2].decode(Int64?.self),
            authorID: try cells[3].decode(Int64.self), author: try cells[4].decode(String.self), body: try cells[5].decode(String.self),
            createdAt: date(try cells[6].decode(Int64.self)), editedAt: try cells[7].decode(Int64?.self).map(date),
            deleted: try cells[8].decode(Bool.self), hidden: hidden)
    }

    private func comments(_ query: PostgresQuery, on db: PostgresConnection? = nil) async throws -> [Comment] {
        let rows = try await self.rows(query, on: db)
        var found: [Comment] = []
        for try await row in rows { found.append(try Self.comment(row.makeRandomAccess())) }
        return found
    }

    private func fetchComment(_ id: Int64, on db: PostgresConnection) async throws -> Comment? {
        try await comments("\(unescaped: Self.commentSelect) WHERE c.id = \(id)", on: db).first
    }

    /// The comment as it is now, having just been written in this transaction.
    private func written(_ id: Int64, on db: PostgresConnection) async throws -> Comment {
        guard let comment = try await fetchComment(id, on: db) else {
            throw PostgresCatalogError.failed(location, reason: "comment \(id) was not found where it had just been written")
        }
        return comment
    }

    private func userBan(_ userID: Int64, on db: PostgresConnection?) async throws -> UserBan? {
        let query: PostgresQuery = """
            SELECT u.ban_reason, u.banned_at, m.username FROM users u LEFT JOIN users m ON m.id = u.banned_by
            WHERE u.id = \(userID) AND u.banned_at IS NOT NULL
            """
        let rows = try await self.rows(query, on: db)
        for try await (reason, at, moderator) in rows.decode((String?, Int64, String?).self) {
            return UserBan(reason: reason ?? "", moderator: moderator ?? "a moderator", at: Self.date(at))
        }
        return nil
    }

    /// Locks the paper's row until the commit; false when the catalog has no such paper (or it
    /// was withdrawn, with `liveOnly`).
    private func lockPaper(_ paper: String, liveOnly: Bool, on db: PostgresConnection) async throws -> Bool {
        let rows = try await db.query(
            "SELECT deleted FROM papers WHERE id = \(paper) FOR UPDATE", logger: logger)
        for try await deleted in rows.decode(Bool.self) { return !(liveOnly && deleted) }
        return false
    }

    /// Sets the paper's local count from its visible comments (a count, not a step, so it is
    /// right whatever the change was), keeps the Hub's share as it was, and tells caches.
    private func recount(_ paper: String, on db: PostgresConnection) async throws {
        try await db.query("""
            UPDATE papers SET local_comments = visible.n, num_comments = num_comments - local_comments + visible.n
            FROM (SELECT count(*)::integer AS n FROM comments WHERE paper_id = \(paper) AND NOT deleted AND hidden_reason IS NULL) AS visible
            WHERE id = \(paper)
            """, logger: logger)
        try await Self.bumpContentVersion(db, logger: logger)
    }

    /// The user's own, undeleted comment, or the refusal that says why not; its paper's row
    /// locked.
    private func ownComment(_ id: Int64, userID: Int64, on db: PostgresConnection) async throws -> Comment {
        guard let found = try await fetchComment(id, on: db) else { throw CommentError.commentNotFound(id) }
        _ = try await lockPaper(found.paper.value, liveOnly: false, on: db)
        // Read again under the lock: another server may have changed it in between.
        guard let comment = try await fetchComment(id, on: db) else { throw CommentError.commentNotFound(id) }
        guard comment.authorID == userID else { throw CommentError.notYours(id) }
        guard !comment.deleted else { throw CommentError.alreadyDeleted(id) }
        return comment
    }

    private func role(of userID: Int64, on db: PostgresConnection) async throws -> Role? {
        for try await role in try await db.query("SELECT role FROM users WHERE id = \(userID)", logger: logger).decode(String.self) {
            return Role(rawValue: role)
        }
        return nil
    }

    public func comments(on paper: ArxivID) async throws -> [Comment] {
        try await perform("read the comments on \(paper.value)") {
            try await self.comments("\(unescaped: Self.commentSelect) WHERE c.paper_id = \(paper.value) ORDER BY c.id")
        }
    }

    public func comment(id: Int64) async throws -> Comment? {
        try await perform("read comment \(id)") {
            try await self.comments("\(unescaped: Self.commentSelect) WHERE c.id = \(id)").first
        }
    }

    public func addComment(paper: ArxivID, userID: Int64, parentID: Int64?, body: String, at time: Date) async throws -> Comment {
        try await perform("add a comment on \(paper.value)") {
            try await self.transaction { db in
                if let ban = try await self.userBan(userID, on: db) { throw CommentError.banned(ban) }
                guard try await self.lockPaper(paper.value, liveOnly: true, on: db) else { throw CommentError.paperNotFound(paper) }
                if let parentID {
                    guard let parent = try await self.fetchComment(parentID, on: db), parent.paper == paper else {
                        throw CommentError.parentNotFound(parentID)
                    }
                    guard !parent.deleted else { throw CommentError.parentDeleted(parentID) }
                }
                let id = try await Self.count(db, logger: self.logger, """
                    INSERT INTO comments (paper_id, user_id, parent_id, body, created_at)
                    VALUES (\(paper.value), \(userID), \(parentID), \(body), \(Self.seconds(time))) RETURNING id
                    """)
                try await self.recount(paper.value, on: db)
                return try await self.written(Int64(id), on: db)
            }
        }
    }

    public func editComment(id: Int64, userID: Int64, body: String, at time: Date) async throws -> Comment {
        try await perform("edit comment \(id)") {
            try await self.transaction { db in
                if let ban = try await self.userBan(userID, on: db) { throw CommentError.banned(ban) }
                let comment = try await self.ownComment(id, userID: userID, on: db)
                try await db.query(
                    "UPDATE comments SET body = \(body), edited_at = \(Self.seconds(time)) WHERE id = \(id)", logger: self.logger)
                try await self.recount(comment.paper.value, on: db)
                return try await self.written(id, on: db)
            }
        }
    }

    public func deleteComment(id: Int64, userID: Int64, at time: Date) async throws -> Comment {
        try await perform("delete comment \(id)") {
            try await self.transaction { db in
                let comment = try await self.ownComment(id, userID: userID, on: db)
                try await db.query(
                    "UPDATE comments SET deleted = true, body = '', edited_at = \(Self.seconds(time)) WHERE id = \(id)",
                    logger: self.logger)
                try await self.recount(comment.paper.value, on: db)
                return try await self.written(id, on: db)
            }
        }
    }

    public func moderateComment(id: Int64, moderatorID: Int64, reason: HideReason?, at time: Date) async throws -> Comment {
        try await perform("moderate comment \(id)") {
            try await self.transaction { db in
                guard let role = try await self.role(of: moderatorID, on: db), role >= .curator else { throw CommentError.notAModerator }
                guard let comment = try await self.fetchComment(id, on: db) else { throw CommentError.commentNotFound(id) }
                _ = try await self.lockPaper(comment.paper.value, liveOnly: false, on: db)
                if let reason {
                    try await db.query("""
                        UPDATE comments SET hidden_reason = \(reason.rawValue), hidden_by = \(moderatorID),
                            hidden_at = \(Self.seconds(time)) WHERE id = \(id)
                        """, logger: self.logger)
                } else {
                    try await db.query(
                        "UPDATE comments SET hidden_reason = NULL, hidden_by = NULL, hidden_at = NULL WHERE id = \(id)", logger: self.logger)
                }
                try await self.recount(comment.paper.value, on: db)
                return try await self.written(id, on: db)
            }
        }
    }

    public func setBan(userID: Int64, moderatorID: Int64, reason: String?, at time: Date) async throws {
        try await perform("change the ban of account \(userID)") {
            try await self.transaction { db in
                guard let moderatorRole = try await self.role(of: moderatorID, on: db), moderatorRole >= .curator else {
                    throw CommentError.notAModerator
                }
                guard let targetRole = try await self.role(of: userID, on: db) else { throw CommentError.userNotFound(userID) }
                guard targetRole < moderatorRole else {
                    var name = "\(userID)"
                    for try await username in try await db.query("SELECT username FROM users WHERE id = \(userID)", logger: self.logger)
                        .decode(String.self) { name = username }
                    throw CommentError.outranked(name)
                }
                if let reason {
                    try await db.query("""
                        UPDATE users SET banned_at = \(Self.seconds(time)), banned_by = \(moderatorID), ban_reason = \(reason)
                        WHERE id = \(userID)
                        """, logger: self.logger)
                } else {
                    try await db.query(
                        "UPDATE users SET banned_at = NULL, banned_by = NULL, ban_reason = NULL WHERE id = \(userID)", logger: self.logger)
                }
            }
        }
    }

    public func ban(userID: Int64) async throws -> UserBan? {
        try await perform("read the ban of account \(userID)") { try await self.userBan(userID, on: nil) }
    }
}
