import Catalog
import Foundation

/// Collections: a user saves papers into named lists, private (only the owner sees them) or
/// public (a page and a feed of their own). The rules live here, free of any database: the
/// server checks what people type with them and the store enforces the caps with them inside
/// its transactions, so every backend refuses the same things in the same words.

/// A named list of papers as stored, with its owner and how many papers it holds.
public struct PaperCollection: Sendable, Equatable {
    public var id: Int64
    public var ownerID: Int64
    public var owner: String
    public var name: String
    public var description: String?
    public var isPublic: Bool
    public var createdAt: Date
    /// When the collection last changed: its name, description, visibility or papers.
    public var updatedAt: Date
    public var paperCount: Int

    public init(
        id: Int64, ownerID: Int64, owner: String, name: String, description: String?, isPublic: Bool, createdAt: Date,
        updatedAt: Date, paperCount: Int
    ) {
        self.id = id
        self.ownerID = ownerID
        self.owner = owner
        self.name = name
        self.description = description
        self.isPublic = isPublic
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.paperCount = paperCount
    }

    /// Whether `userID` may see it: everyone when public, only its owner otherwise.
    public func isVisible(to userID: Int64?) -> Bool { isPublic || userID == ownerID }
}

/// One of a user's collections for the "save to collection" control: does it hold the paper?
public struct CollectionChoice: Sendable, Equatable {
    public var collection: PaperCollection
    public var holdsPaper: Bool

    public init(collection: PaperCollection, holdsPaper: Bool) {
        self.collection = collection
        self.holdsPaper = holdsPaper
    }
}

/// A paper in a collection, with when it was added (what the collection's feed dates it by).
public struct CollectedPaper: Sendable, Equatable {
    public var paper: Paper
    public var addedAt: Date

    public init(paper: Paper, addedAt: Date) {
        self.paper = paper
        self.addedAt = addedAt
    }
}

/// The caps that keep one account from filling the database. The store checks them in the
/// same transaction as the write, so concurrent requests cannot slip past them.
public struct CollectionLimits: Sendable, Equatable {
    public var maxCollectionsPerUser: Int
    public var maxPapersPerCollection: Int

    public init(maxCollectionsPerUser: Int = 100, maxPapersPerCollection: Int = 1_000) {
        self.maxCollectionsPerUser = maxCollectionsPerUser
        self.maxPapersPerCollection = maxPapersPerCollection
    }
}

/// What people may type into a collection's fields.
public enum CollectionText {
    public static let maxNameCharacters = 100
    public static let maxDescriptionCharacters = 1_000

    /// A name as stored: one line (control characters, line breaks included, become spaces),
    /// trimmed; 1 to `maxNameCharacters` characters as a person counts them.
    public static func name(_ raw: String) throws(CollectionProblem) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in raw.unicodeScalars {
            scalars.append(scalar.properties.generalCategory == .control ? " " : scalar)
        }
        let name = String(scalars).trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { throw .emptyName }
        guard name.count <= maxNameCharacters else { throw .nameTooLong(characters: name.count) }
        return name
    }

    /// A description as stored: line endings made `\n`, other control characters dropped
    /// (they only ever hide things), trimmed; nil when nothing is left.
    public static func description(_ raw: String?) throws(CollectionProblem) -> String? {
        guard let raw else { return nil }
        let unified = raw.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        var scalars = String.UnicodeScalarView()
        for scalar in unified.unicodeScalars where !(scalar.properties.generalCategory == .control && scalar != "\n" && scalar != "\t") {
            scalars.append(scalar)
        }
        let text = String(scalars).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { return nil }
        guard text.count <= maxDescriptionCharacters else { throw .descriptionTooLong(characters: text.count) }
        return text
    }
}

/// A new collection's fields, checked: one can only be made from valid input.
public struct CollectionDraft: Sendable, Equatable {
    public let name: String
    public let description: String?
    public let isPublic: Bool

    public init(name: String, description: String?, isPublic: Bool) throws(CollectionProblem) {
        self.name = try CollectionText.name(name)
        self.description = try CollectionText.description(description)
        self.isPublic = isPublic
    }
}

/// A change to a collection, checked: each field given is set, the others stay as they are.
public struct CollectionUpdate: Sendable, Equatable {
    public let name: String?
    /// nil: unchanged; `.some(nil)`: the description is removed.
    public let description: String??
    public let isPublic: Bool?

    public init(name: String? = nil, description: String?? = nil, isPublic: Bool? = nil) throws(CollectionProblem) {
        if let name { self.name = try CollectionText.name(name) } else { self.name = nil }
        if let given = description {
            self.description = .some(try CollectionText.description(given))
        } else {
            self.description = nil
        }
        self.isPublic = isPublic
        guard self.name != nil || self.description != nil || self.isPublic != nil else { throw .nothingToChange }
    }
}

/// Input a collection cannot take, naming the field or rule, in words a person can act on.
public enum CollectionProblem: Error, Equatable, CustomStringConvertible {
    case emptyName
    case nameTooLong(characters: Int)
    case descriptionTooLong(characters: Int)
    case nothingToChange

    public var field: String {
        switch self {
        case .emptyName, .nameTooLong: "name"
        case .descriptionTooLong: "description"
        case .nothingToChange: "body"
        }
    }

    public var description: String {
        switch self {
        case .emptyName: "name: give the collection a name (1 to \(CollectionText.maxNameCharacters) characters)."
        case .nameTooLong(let characters):
            "name: the name has \(characters) characters; at most \(CollectionText.maxNameCharacters) fit."
        case .descriptionTooLong(let characters):
            "description: the description has \(characters) characters; at most \(CollectionText.maxDescriptionCharacters) fit."
        case .nothingToChange: "body: give at least one of name, description and public to change."
        }
    }
}

/// Refusals of the store, in words a person can act on. A refusal changes nothing.
public enum CollectionError: Error, Equatable, CustomStringConvertible {
    /// No such collection, or a private one of someone else: the two look alike, so nobody
    /// learns that a private collection exists.
    case collectionNotFound(Int64)
    /// A public collection of someone else: anyone may read it, only its owner change it.
    case notYours(Int64)
    case paperNotFound(ArxivID)
    case tooManyCollections(limit: Int)
    case collectionFull(limit: Int)

    /// The rule broken, as the API names it.
    public var rule: String? {
        switch self {
        case .tooManyCollections: "max_collections_per_user"
        case .collectionFull: "max_papers_per_collection"
        default: nil
        }
    }

    public var description: String {
        switch self {
        case .collectionNotFound(let id): "There is no collection \(id)."
        case .notYours(let id): "Collection \(id) is someone else's: only its owner may change it."
        case .paperNotFound(let id): "paper: \(id) is not in this catalog."
        case .tooManyCollections(let limit):
            "max_collections_per_user: you have \(limit) collections, the most an account may have. Delete one first."
        case .collectionFull(let limit):
            "max_papers_per_collection: the collection holds \(limit) papers, the most one may hold. Remove some or start another."
        }
    }
}

/// Storage for collections. Like `CommunityStore`, async and free of any database, so a
/// PostgreSQL backend can implement it unchanged. Every change is one transaction that checks
/// ownership and the caps before it writes; `ownerID` is who asks, and a collection of someone
/// else answers `CollectionError.collectionNotFound` (private) or `.notYours` (public).
public protocol CollectionStore: Sendable {
    /// Stores a new collection of `ownerID`, holding `firstPaper` when one is given (the paper
    /// page's "new collection with this paper"), both or neither.
    func createCollection(
        ownerID: Int64, _ draft: CollectionDraft, firstPaper: ArxivID?, limits: CollectionLimits, at time: Date
    ) async throws -> PaperCollection
    func updateCollection(id: Int64, ownerID: Int64, _ update: CollectionUpdate, at time: Date) async throws -> PaperCollection
    /// Deletes the collection and its list of papers (not the papers).
    func deleteCollection(id: Int64, ownerID: Int64) async throws
    /// Adds the paper; adding one already there changes nothing (and is no refusal).
    func addPaper(_ paper: ArxivID, toCollection id: Int64, ownerID: Int64, limits: CollectionLimits, at time: Date) async throws -> PaperCollection
    /// Removes the paper; removing one that is not there changes nothing.
    func removePaper(_ paper: ArxivID, fromCollection id: Int64, ownerID: Int64, at time: Date) async throws -> PaperCollection

    /// The user's collections, private ones included, most recently changed first, each
    /// marked with whether it holds `paper` (false for all when nil).
    func collections(ownerID: Int64, marking paper: ArxivID?) async throws -> [CollectionChoice]
    /// The collection, whoever owns it and whether public or not: callers decide who sees it.
    func collection(id: Int64) async throws -> PaperCollection?
    /// The collection's papers, most recently added first.
    func papers(inCollection id: Int64, limit: Int, offset: Int) async throws -> [CollectedPaper]
    /// The public collections of the user with this username (any case), most recently
    /// changed first; nil when nobody has that username.
    func publicCollections(username: String) async throws -> [PaperCollection]?
}
