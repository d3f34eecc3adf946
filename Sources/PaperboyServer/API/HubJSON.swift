import Catalog

/// The JSON shapes of the Hugging Face Hub papers API (`/api/daily_papers`, `/api/papers/{id}`,
/// `/api/papers/search`), field for field, so that Hub clients such as `huggingface_hub` read
/// Paperboy unchanged. The real response this follows is
/// `shared/formats/hf_api_daily_papers_date-2026-08-21.json`; `/openapi.json` documents it.
enum HubJSON {
    /// The `paper` object: also the whole body of `/api/papers/{id}`.
    static func paper(_ p: Paper, into json: inout JSONWriter) {
        json.object { o in
            o.field("id", p.id.value)
            o.key("authors")
            o.array(p.authors.enumerated()) { a, author in
                a.object { o in
                    o.field("_id", objectID("author", "\(p.id.value)#\(author.offset)"))
                    o.field("name", author.element)
                    o.field("hidden", false)
                }
            }
            o.field("publishedAt", p.published.map(hubDate))
            o.field("submittedOnDailyAt", p.featuredDate.map { "\($0)T00:00:00.000Z" })
            o.field("title", p.title)
            o.field("summary", p.abstract)
            o.field("upvotes", p.upvotes)
            o.field("discussionId", objectID("discussion", p.id.value))
            if let submitter = p.submittedBy {
                o.key("submittedOnDailyBy")
                user(submitter, into: &o)
            }
            o.field("projectPage", p.projectPage)
            o.field("githubRepo", p.githubRepo)
            o.field("githubStars", p.githubStars)
            organization(p, into: &o)
            o.field("numComments", p.numComments)
        }
    }

    /// One item of `/api/daily_papers`: the paper, and its title, summary and submitter again
    /// at the top level, as the Hub repeats them.
    static func dailyItem(_ p: Paper, baseURL: String, into json: inout JSONWriter) {
        json.object { o in
            o.key("paper")
            paper(p, into: &o)
            o.field("publishedAt", p.published.map(hubDate))
            o.field("title", p.title)
            o.field("summary", p.abstract)
            o.field("thumbnail", "\(baseURL)/papers/\(p.id.value)")
            o.field("numComments", p.numComments)
            if let submitter = p.submittedBy {
                o.key("submittedBy")
                user(submitter, into: &o)
            }
            organization(p, into: &o)
            o.field("isAuthorParticipating", false)
        }
    }

    static func dailyItems(_ papers: [Paper], baseURL: String) -> [UInt8] {
        var json = JSONWriter(capacity: 4_096 * max(1, papers.count))
        json.array(papers) { json, p in dailyItem(p, baseURL: baseURL, into: &json) }
        return json.bytes
    }

    private static func user(_ name: String, into json: inout JSONWriter) {
        json.object { o in
            o.field("_id", objectID("user", name))
            o.field("name", name)
            o.field("fullname", name)
            o.field("user", name)
            o.field("avatarUrl", "")
            o.field("isPro", false)
            o.field("type", "user")
        }
    }

    private static func organization(_ p: Paper, into json: inout JSONWriter) {
        guard let name = p.organization else { return }
        let slug = name.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).joined(separator: "-")
        json.key("organization")
        json.object { o in
            o.field("_id", objectID("organization", name))
            o.field("name", slug)
            o.field("fullname", name)
        }
    }

    /// `2025-10-16T17:59:37Z` as the Hub writes it: `2025-10-16T17:59:37.000Z`.
    static func hubDate(_ timestamp: String) -> String {
        timestamp.hasSuffix("Z") && timestamp.utf8.count == 20 ? String(timestamp.dropLast()) + ".000Z" : timestamp
    }

    /// A stable 24-hex-digit id in the Hub's ObjectId format, derived from what it names
    /// (FNV-1a, twice with different seeds): the same paper always gets the same ids.
    static func objectID(_ kind: String, _ key: String) -> String {
        func fnv(_ seed: UInt64) -> UInt64 {
            var h = seed
            for b in kind.utf8 { h = (h ^ UInt64(b)) &* 0x100000001b3 }
            h = (h ^ UInt64(UInt8(ascii: ":"))) &* 0x100000001b3
            for b in key.utf8 { h = (h ^ UInt64(b)) &* 0x100000001b3 }
            return h
        }
        let hex = Array("0123456789abcdef".utf8)
        return String(unsafeUninitializedCapacity: 24) { out in
            let high = fnv(0xcbf29ce484222325), low = fnv(0x84222325cbf29ce4) & 0xFFFF_FFFF
            for i in 0..<16 { out[i] = hex[Int((high >> UInt64(60 - 4 * i)) & 15)] }
            for i in 0..<8 { out[16 + i] = hex[Int((low >> UInt64(28 - 4 * i)) & 15)] }
            return 24
        }
    }
}
