import Catalog
import Foundation

/// The JSON shapes of the Hugging Face Hub papers API (`/api/daily_papers`, `/api/papers/{id}`),
/// field for field, so that Hub clients such as `huggingface_hub` read Paperboy unchanged.
/// The real response this follows is `shared/formats/hf_api_daily_papers_date-2026-08-21.json`.
enum HubJSON {
    struct Author: Encodable {
        let id: String
        let name: String
        let hidden = false
        enum CodingKeys: String, CodingKey { case id = "_id", name, hidden }
    }

    struct User: Encodable {
        let id: String
        let name: String
        let fullname: String
        let user: String
        let avatarUrl = ""
        let isPro = false
        let type = "user"
        enum CodingKeys: String, CodingKey { case id = "_id", name, fullname, user, avatarUrl, isPro, type }

        init(id: String, name: String) {
            self.id = id
            self.name = name
            fullname = name
            user = name
        }
    }

    struct Organization: Encodable {
        let id: String
        let name: String
        let fullname: String
        enum CodingKeys: String, CodingKey { case id = "_id", name, fullname }
    }

    /// The `paper` object: also the whole body of `/api/papers/{id}`.
    struct PaperObject: Encodable {
        let id: String
        let authors: [Author]
        let publishedAt: String?
        let submittedOnDailyAt: String?
        let title: String
        let summary: String
        let upvotes: Int
        let discussionId: String
        let submittedOnDailyBy: User?
        let projectPage: String?
        let githubRepo: String?
        let githubStars: Int?
        let organization: Organization?
        let numComments: Int
    }

    /// One item of `/api/daily_papers`.
    struct DailyItem: Encodable {
        let paper: PaperObject
        let publishedAt: String?
        let title: String
        let summary: String
        let thumbnail: String
        let numComments: Int
        let submittedBy: User?
        let organization: Organization?
        let isAuthorParticipating = false
    }

    static func paper(_ p: Paper) -> PaperObject {
        let submitter = p.submittedBy.map { User(id: objectID("user", $0), name: $0) }
        return PaperObject(
            id: p.id.value,
            authors: p.authors.enumerated().map { Author(id: objectID("author", "\(p.id.value)#\($0.offset)"), name: $0.element) },
            publishedAt: p.published.map(hubDate),
            submittedOnDailyAt: p.featuredDate.map { "\($0)T00:00:00.000Z" },
            title: p.title,
            summary: p.abstract,
            upvotes: p.upvotes,
            discussionId: objectID("discussion", p.id.value),
            submittedOnDailyBy: submitter,
            projectPage: p.projectPage,
            githubRepo: p.githubRepo,
            githubStars: p.githubStars,
            organization: organization(p),
            numComments: p.numComments)
    }

    static func dailyItem(_ p: Paper, baseURL: String) -> DailyItem {
        let object = paper(p)
        return DailyItem(
            paper: object, publishedAt: object.publishedAt, title: p.title, summary: p.abstract,
            thumbnail: "\(baseURL)/papers/\(p.id.value)", numComments: p.numComments,
            submittedBy: object.submittedOnDailyBy, organization: object.organization)
    }

    private static func organization(_ p: Paper) -> Organization? {
        guard let name = p.organization else { return nil }
        let slug = name.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).joined(separator: "-")
        return Organization(id: objectID("organization", name), name: slug, fullname: name)
    }

    /// `2025-10-16T17:59:37Z` as the Hub writes it: `2025-10-16T17:59:37.000Z`.
    static func hubDate(_ timestamp: String) -> String {
        timestamp.hasSuffix("Z") && timestamp.count == 20 ? String(timestamp.dropLast()) + ".000Z" : timestamp
    }

    /// A stable 24-hex-digit id in the Hub's ObjectId format, derived from what it names
    /// (FNV-1a, twice with different seeds): the same paper always gets the same ids.
    static func objectID(_ kind: String, _ key: String) -> String {
        func fnv(_ seed: UInt64) -> UInt64 {
            var h = seed
            for b in (kind + ":" + key).utf8 { h = (h ^ UInt64(b)) &* 0x100000001b3 }
            return h
        }
        let high = String(fnv(0xcbf29ce484222325), radix: 16)
        let low = String(fnv(0x84222325cbf29ce4) & 0xFFFF_FFFF, radix: 16)
        let padded = String(repeating: "0", count: max(0, 16 - high.count)) + high
            + String(repeating: "0", count: max(0, 8 - low.count)) + low
        return String(padded.prefix(24))
    }
}
