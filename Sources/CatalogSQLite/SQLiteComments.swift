import Catalog
import Community
import Foundation
import GRDB

/// Comments and bans in the catalog's SQLite file (migration `007-comments`). Every change is
/// one write transaction that checks the rules, changes the comment, recounts the paper's
/// visible comments and moves the content version on, so the count shown is always exact.
extension SQLiteCatalog: CommentStore {
    private static let commentSelect = """
        SELECT c.id, c.paper_id, c.parent_id, c.user_id, u.username, c.body, c.created_at, c.edited_at, c.deleted,
               c.hidden_reason, c.hidden_at, m.username AS moderator
        FROM comments c JOIN users u ON u.id = c.user_id LEFT JOIN users m ON m.id = c.hidden_by
        """

    private static func date(_ seconds: Int64) -> Date { Date(timeIntervalSince1970: TimeInterval(seconds)) }
    private static func seconds(_ date: Date) -> Int64 { Int64(date.timeIntervalSince1970.rounded(.down)) }

    private static func comment(_ row: Row) -> Comment {
        var hidden: Moderation?
        if let reason = (row["hidden_reason"] as String?).flatMap(HideReason.init(rawValue:)) {
            hidden = Moderation(reason: reason, moderator: row["moderator"] ?? "", at: date(row["hidden_at"] ?? 0))
        }
        // Only a parsed `ArxivID` is ever stored as a comment's paper, so it parses back.
        return Comment(
            id: row["id"], paper: ArxivID(row["paper_id"] as String)!, parentID: row["parent_id"],
            authorID: row["user_id"], author: row["username"], body: row["body"], createdAt: date(row["created_at"]),
            editedAt: (row["edited_at"] as Int64?).map(date), deleted: row["deleted"] as Bool, hidden: hidden)
    }

    private static func fetchComment(_ db: Database, _ id: Int64) throws -> Comment? {
        try Row.fetchOne(db, sql: "\(commentSelect) WHERE c.id = ?", arguments: [id]).map(comment)
    }

    private static func userBan(_ db: Database, _ userID: Int64) throws -> UserBan? {
        let sql = """
            SELECT u.ban_reason, u.banned_at, m.username FROM users u LEFT JOIN users m ON m.id = u.banned_by
            WHERE u.id = ? AND u.banned_at IS NOT NULL
            """
        return try Row.fetchOne(db, sql: sql, arguments: [userID]).map { row in
            UserBan(reason: row[0] ?? "", moderator: row[2] ?? "a moderator", at: date(row[1]))
        }
    }

    /// Sets the paper's local count from its visible comments (a count, not a step, so it is
    /// right whatever the change was) and tells caches that the catalog changed.
    private static func recount(_ db: Database, paper: String) throws {
        try db.execute(
            sql: """
                UPDATE papers SET
                    local_comments = (SELECT count(*) FROM comments WHERE paper_id = ?1 AND deleted = 0 AND hidden_reason IS NULL),
                    num_comments = hub_comments
                        + (SELECT count(*) FROM comments WHERE paper_id = ?1 AND deleted = 0 AND hidden_reason IS NULL)
                WHERE id = ?1
                """,
            arguments: [paper])
        try db.execute(sql: """
            INSERT INTO catalog_state (key, value) VALUES ('content_version', '1')
            ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1
            """)
    }

    /// The user's own, undeleted comment, or the refusal that says why not.
    private static func ownComment(_ db: Database, id: Int64, userID: Int64) throws -> Comment {
        guard let comment = try fetchComment(db, id) else { throw CommentError.commentNotFound(id) }
        guard comment.authorID == userID else { throw CommentError.notYours(id) }
        guard !comment.deleted else { throw CommentError.alreadyDeleted(id) }
        return comment
    }

    public func comments(on paper: ArxivID) async throws -> [Comment] {
        try readNow { db in
            try Row.fetchAll(db, sql: "\(Self.commentSelect) WHERE c.paper_id = ? ORDER BY c.id", arguments: [paper.value]).map(Self.comment)
        }
    }

    public func comment(id: Int64) async throws -> Comment? {
        try readNow { db in try Self.fetchComment(db, id) }
    }

    public func addComment(paper: ArxivID, userID: Int64, parentID: Int64?, body: String, at time: Date) async throws -> Comment {
        try await pool.write { db in
            if let ban = try Self.userBan(db, userID) { throw CommentError.banned(ban) }
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM papers WHERE id = ? AND deleted = 0", arguments: [paper.value]) == true else {
                throw CommentError.paperNotFound(paper)
            }
            if let parentID {
                guard let parent = try Self.fetchComment(db, parentID), parent.paper == paper else { throw CommentError.parentNotFound(parentID) }
                guard !parent.deleted else { throw CommentError.parentDeleted(parentID) }
            }
            try db.execute(
                sql: "INSERT INTO comments (paper_id, user_id, parent_id, body, created_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [paper.value, userID, parentID, body, Self.seconds(time)])
            let id = db.lastInsertedRowID
            try Self.recount(db, paper: paper.value)
            return try Self.fetchComment(db, id)!
        }
    }

    public func editComment(id: Int64, userID: Int64, body: String, at time: Date) async throws -> Comment {
        try await pool.write { db in
            if let ban = try Self.userBan(db, userID) { throw CommentError.banned(ban) }
            let comment = try Self.ownComment(db, id: id, userID: userID)
            try db.execute(sql: "UPDATE comments SET body = ?, edited_at = ? WHERE id = ?", arguments: [body, Self.seconds(time), id])
            try Self.recount(db, paper: comment.paper.value)
            return try Self.fetchComment(db, id)!
        }
    }

    public func deleteComment(id: Int64, userID: Int64, at time: Date) async throws -> Comment {
        try await pool.write { db in
            let comment = try Self.ownComment(db, id: id, userID: userID)
            try db.execute(sql: "UPDATE comments SET deleted = 1, body = '', edited_at = ? WHERE id = ?", arguments: [Self.seconds(time), id])
            try Self.recount(db, paper: comment.paper.value)
            return try Self.fetchComment(db, id)!
        }
    }

    public func moderateComment(id: Int64, moderatorID: Int64, reason: HideReason?, at time: Date) async throws -> Comment {
        try await pool.write { db in
            let role = try String.fetchOne(db, sql: "SELECT role FROM users WHERE id = ?", arguments: [moderatorID]).flatMap(Role.init(rawValue:))
            guard let role, role >= .curator else { throw CommentError.notAModerator }
            guard let comment = try Self.fetchComment(db, id) else { throw CommentError.commentNotFound(id) }
            if let reason {
                try db.execute(
                    sql: "UPDATE comments SET hidden_reason = ?, hidden_by = ?, hidden_at = ? WHERE id = ?",
                    arguments: [reason.rawValue, moderatorID, Self.seconds(time), id])
            } else {
                try db.execute(sql: "UPDATE comments SET hidden_reason = NULL, hidden_by = NULL, hidden_at = NULL WHERE id = ?", arguments: [id])
            }
            try Self.recount(db, paper: comment.paper.value)
            return try Self.fetchComment(db, id)!
        }
    }

    public func setBan(userID: Int64, moderatorID: Int64, reason: String?, at time: Date) async throws {
        try await pool.write { db in
            let roleOf = { (id: Int64) in
                try String.fetchOne(db, sql: "SELECT role FROM users WHERE id = ?", arguments: [id]).flatMap(Role.init(rawValue:))
            }
            guard let moderatorRole = try roleOf(moderatorID), moderatorRole >= .curator else { throw CommentError.notAModerator }
            guard let targetRole = try roleOf(userID) else { throw CommentError.userNotFound(userID) }
            guard targetRole < moderatorRole else {
                let name = try String.fetchOne(db, sql: "SELECT username FROM users WHERE id = ?", arguments: [userID]) ?? "\(userID)"
                throw CommentError.outranked(name)
            }
            if let reason {
                try db.execute(
                    sql: "UPDATE users SET banned_at = ?, banned_by = ?, ban_reason = ? WHERE id = ?",
                    arguments: [Self.seconds(time), moderatorID, reason, userID])
            } else {
                try db.execute(sql: "UPDATE users SET banned_at = NULL, banned_by = NULL, ban_reason = NULL WHERE id = ?", arguments: [userID])
            }
        }
    }

    public func ban(userID: Int64) async throws -> UserBan? {
        try readNow { db in try Self.userBan(db, userID) }
    }
}
