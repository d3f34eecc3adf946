import Foundation

/// What an account may do. Users vote; curators will edit the feed; admins manage accounts.
public enum Role: String, Sendable, CaseIterable, Codable, Comparable {
    case user
    case curator
    case admin

    private var rank: Int {
        switch self {
        case .user: 0
        case .curator: 1
        case .admin: 2
        }
    }

    public static func < (a: Role, b: Role) -> Bool { a.rank < b.rank }
}

/// An account of the site, as the pages and the API see it (no secrets).
public struct User: Sendable, Equatable {
    public var id: Int64
    public var username: String
    public var email: String
    public var role: Role
    public var createdAt: Date

    public init(id: Int64, username: String, email: String, role: Role, createdAt: Date) {
        self.id = id
        self.username = username
        self.email = email
        self.role = role
        self.createdAt = createdAt
    }
}

/// An account about to be stored: credentials already checked, the password already hashed.
public struct NewUser: Sendable {
    public var username: String
    public var email: String
    public var passwordHash: String
    public var role: Role

    public init(username: String, email: String, passwordHash: String, role: Role = .user) {
        self.username = username
        self.email = email
        self.passwordHash = passwordHash
        self.role = role
    }
}

/// A signed-in browser: who, the token its forms must carry, and until when it lasts.
public struct Session: Sendable, Equatable {
    public var user: User
    public var csrfToken: String
    public var expiresAt: Date

    public init(user: User, csrfToken: String, expiresAt: Date) {
        self.user = user
        self.csrfToken = csrfToken
        self.expiresAt = expiresAt
    }
}

/// A personal API token as its owner's account page lists it; the token itself is shown once,
/// when it is made, and only its digest is kept.
public struct APIToken: Sendable, Equatable {
    public var id: Int64
    public var name: String
    /// The first characters of the token, so its owner can tell tokens apart.
    public var prefix: String
    public var createdAt: Date
    public var revokedAt: Date?

    public init(id: Int64, name: String, prefix: String, createdAt: Date, revokedAt: Date?) {
        self.id = id
        self.name = name
        self.prefix = prefix
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }
}

/// A paper's upvotes after a vote: the total shown (imported plus local) and whether this
/// user's vote is in it.
public struct VoteTally: Sendable, Equatable {
    public var upvotes: Int
    public var voted: Bool

    public init(upvotes: Int, voted: Bool) {
        self.upvotes = upvotes
        self.voted = voted
    }
}
