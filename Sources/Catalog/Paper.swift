/// A paper as the catalog holds it: the arXiv metadata of its latest known version plus the
/// Daily Papers fields (when it was featured, by whom, how many upvotes).
public struct Paper: Sendable, Equatable, Codable {
    public var id: ArxivID
    /// Latest version number seen; 0 when no source told it (the Daily Papers feeds do not).
    public var version: Int
    public var title: String
    public var abstract: String
    /// Authors' names, in the paper's order.
    public var authors: [String]
    /// arXiv categories, primary first.
    public var categories: [String]
    /// First-version date, ISO 8601 (`2025-10-16T17:59:37Z`).
    public var published: String?
    /// Last-updated date, ISO 8601.
    public var updated: String?
    public var comment: String?
    public var journalRef: String?
    public var doi: String?
    public var license: String?
    public var githubRepo: String?
    public var projectPage: String?

    // Daily Papers fields.
    /// The first day the paper was featured on the Daily Papers feed, `YYYY-MM-DD`.
    public var featuredDate: String?
    public var submittedBy: String?
    public var upvotes: Int
    public var numComments: Int
    public var githubStars: Int?
    public var organization: String?

    /// Set when an OAI-PMH harvest reported the record deleted; such papers leave listings.
    public var deleted: Bool

    public var primaryCategory: String? { categories.first }

    public init(
        id: ArxivID, version: Int = 0, title: String, abstract: String, authors: [String] = [],
        categories: [String] = [], published: String? = nil, updated: String? = nil,
        comment: String? = nil, journalRef: String? = nil, doi: String? = nil, license: String? = nil,
        githubRepo: String? = nil, projectPage: String? = nil, featuredDate: String? = nil,
        submittedBy: String? = nil, upvotes: Int = 0, numComments: Int = 0, githubStars: Int? = nil,
        organization: String? = nil, deleted: Bool = false
    ) {
        self.id = id
        self.version = version
        self.title = title
        self.abstract = abstract
        self.authors = authors
        self.categories = categories
        self.published = published
        self.updated = updated
        self.comment = comment
        self.journalRef = journalRef
        self.doi = doi
        self.license = license
        self.githubRepo = githubRepo
        self.projectPage = projectPage
        self.featuredDate = featuredDate
        self.submittedBy = submittedBy
        self.upvotes = upvotes
        self.numComments = numComments
        self.githubStars = githubStars
        self.organization = organization
        self.deleted = deleted
    }
}

extension ArxivID: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let id = ArxivID(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an arXiv id: \(text)")
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}

/// What one source says about a paper. Every field but the id is optional: a source that
/// does not know a field leaves it nil (or empty), and merging keeps what the catalog had.
public struct PaperRecord: Sendable, Equatable {
    public var id: ArxivID
    public var version: Int?
    public var title: String?
    public var abstract: String?
    public var authors: [String]
    public var categories: [String]
    public var published: String?
    public var updated: String?
    public var comment: String?
    public var journalRef: String?
    public var doi: String?
    public var license: String?
    public var githubRepo: String?
    public var projectPage: String?
    public var featuredDate: String?
    public var submittedBy: String?
    public var upvotes: Int?
    public var numComments: Int?
    public var githubStars: Int?
    public var organization: String?

    public init(id: ArxivID) {
        self.id = id
        authors = []
        categories = []
    }

}

/// One change an importer asks of the catalog.
public enum CatalogChange: Sendable, Equatable {
    case upsert(PaperRecord)
    /// The source withdrew the record (an OAI-PMH `deleted` header).
    case delete(ArxivID)

    public var id: ArxivID {
        switch self {
        case .upsert(let record): record.id
        case .delete(let id): id
        }
    }
}
