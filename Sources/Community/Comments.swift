import Catalog
import Foundation

/// Why a moderator hid a comment. The reason is shown to everyone in place of the text.
public enum HideReason: String, Sendable, CaseIterable {
    case spam
    case abuse
    case offTopic = "off-topic"
    case resolved
}

/// A comment's rules that need no database: the body's length and the characters it may hold.
public enum CommentText {
    /// The most characters a comment may have (as a person counts them).
    public static let maxCharacters = 5_000

    /// Refusals of a comment's text, each naming the field.
    public enum Problem: Error, Equatable, CustomStringConvertible {
        case empty
        case tooLong(characters: Int)

        public var description: String {
            switch self {
            case .empty: "text: the comment is empty; write something first."
            case .tooLong(let characters):
                "text: the comment has \(characters) characters; at most \(CommentText.maxCharacters) fit. Shorten it and send it again."
            }
        }
    }

    /// The text as stored: line endings made `\n`, control characters other than line breaks
    /// and tabs dropped (they only ever hide things), surrounding blank space trimmed.
    public static func normalised(_ raw: String) throws(Problem) -> String {
        let unified = raw.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        var scalars = String.UnicodeScalarView()
        for scalar in unified.unicodeScalars where !(scalar.properties.generalCategory == .control && scalar != "\n" && scalar != "\t") {
            scalars.append(scalar)
        }
        let text = String(scalars).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw .empty }
        guard text.count <= maxCharacters else { throw .tooLong(characters: text.count) }
        return text
    }
}

/// A moderator's decision about a comment.
public struct Moderation: Sendable, Equatable {
    public var reason: HideReason
    public var moderator: String
    public var at: Date

    public init(reason: HideReason, moderator: String, at: Date) {
        self.reason = reason
        self.moderator = moderator
        self.at = at
    }
}

/// A comment on a paper as stored. A deleted comment keeps its place (its replies hang from
/// it) but not its text; a hidden one keeps its text for curators only.
public struct Comment: Sendable, Equatable {
    public var id: Int64
    public var paper: ArxivID
    public var parentID: Int64?
    public var authorID: Int64
    public var author: String
    public var body: String
    public var createdAt: Date
    public var editedAt: Date?
    public var deleted: Bool
    public var hidden: Moderation?

    public init(
        id: Int64, paper: ArxivID, parentID: Int64?, authorID: Int64, author: String, body: String, createdAt: Date,
        editedAt: Date?, deleted: Bool, hidden: Moderation?
    ) {
        self.id = id
        self.paper = paper
        self.parentID = parentID
        self.authorID = authorID
        self.author = author
        self.body = body
        self.createdAt = createdAt
        self.editedAt = editedAt
        self.deleted = deleted
        self.hidden = hidden
    }

    /// Counted in the paper's `numComments` and shown to everyone.
    public var isVisible: Bool { !deleted && hidden == nil }
}

/// An account barred from commenting and voting, with who decided it and why.
public struct UserBan: Sendable, Equatable {
    public var reason: String
    public var moderator: String
    public var at: Date

    public init(reason: String, moderator: String, at: Date) {
        self.reason = reason
        self.moderator = moderator
        self.at = at
    }
}

/// Storage for comments and bans. Each change is one transaction that also keeps the paper's
/// `numComments` equal to the Hub's imported count plus the visible local comments, and moves
/// `CatalogStore.contentVersion` on, so cached pages and answers never show stale threads.
/// The store has the last word on the rules (ownership, bans, threads within one paper): a
/// refusal is a `CommentError` and changes nothing.
public protocol CommentStore: Sendable {
    /// Every comment on the paper, deleted and hidden ones included, oldest first.
    func comments(on paper: ArxivID) async throws -> [Comment]
    func comment(id: Int64) async throws -> Comment?
    /// Stores a comment (a reply when `parentID` is given); `body` already normalised.
    func addComment(paper: ArxivID, userID: Int64, parentID: Int64?, body: String, at time: Date) async throws -> Comment
    /// Replaces the text of the user's own comment.
    func editComment(id: Int64, userID: Int64, body: String, at time: Date) async throws -> Comment
    /// Deletes the user's own comment: its text goes, its place stays for its replies.
    func deleteComment(id: Int64, userID: Int64, at time: Date) async throws -> Comment
    /// Hides a comment for `reason`, or shows it again with nil; for curators and admins.
    func moderateComment(id: Int64, moderatorID: Int64, reason: HideReason?, at time: Date) async throws -> Comment

    /// Bans (`reason` given) or lifts the ban of `userID`. A moderator may only ban accounts
    /// of a lower role: curators ban users, admins ban users and curators.
    func setBan(userID: Int64, moderatorID: Int64, reason: String?, at time: Date) async throws
    /// The user's ban, if banned.
    func ban(userID: Int64) async throws -> UserBan?
}

/// Refusals of comment and ban changes, in words a person can act on.
public enum CommentError: Error, Equatable, CustomStringConvertible {
    case paperNotFound(ArxivID)
    case commentNotFound(Int64)
    case parentNotFound(Int64)
    case parentDeleted(Int64)
    case notYours(Int64)
    case alreadyDeleted(Int64)
    case banned(UserBan)
    case notAModerator
    case userNotFound(Int64)
    case outranked(String)

    public var description: String {
        switch self {
        case .paperNotFound(let id): "\(id) is not in this catalog."
        case .commentNotFound(let id): "There is no comment \(id)."
        case .parentNotFound(let id): "parentId: there is no comment \(id) on this paper to reply to."
        case .parentDeleted(let id): "parentId: comment \(id) was deleted; reply to the paper or another comment."
        case .notYours(let id): "Comment \(id) is someone else's: only its author may change or delete it."
        case .alreadyDeleted(let id): "Comment \(id) was deleted and cannot change."
        case .banned(let ban): "Your account was banned by \(ban.moderator): \(ban.reason). You cannot comment or vote."
        case .notAModerator: "Only curators and admins moderate comments."
        case .userNotFound(let id): "There is no account \(id)."
        case .outranked(let name): "\(name)'s role is as high as yours or higher: ask an admin."
        }
    }
}
