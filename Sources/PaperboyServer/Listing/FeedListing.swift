import Catalog
import Foundation

/// How a list of featured papers is ordered.
enum FeedSort: String, CaseIterable, Sendable {
    /// Most upvoted first (the default, as on hf.co/papers).
    case upvotes
    /// Upvotes discounted by age: `TrendingScore`.
    case trending
    /// Most recently published on arXiv first.
    case newest

    var label: String {
        switch self {
        case .upvotes: "Most upvoted"
        case .trending: "Trending"
        case .newest: "Newest"
        }
    }
}

/// The featured papers of a period or of a submitter, in a chosen order: one place for the
/// pages, the JSON API and the feeds, so all three list the same papers in the same order.
struct FeedListing: Sendable {
    let catalog: any CatalogStore
    /// The current time as days since 1970-01-01 (fractional); injectable for tests.
    let now: @Sendable () -> Double

    /// A period holds a few hundred papers at most; trending ranks all of them in memory.
    static let rankingWindow = 5_000
    /// `/papers/trending` ranks the papers of the last week of the feed.
    static let trendingDays = 7

    /// The latest day with featured papers, if any.
    func latestDay() async throws -> String? {
        try await catalog.papers(PaperQuery(order: .featured, limit: 1)).first?.featuredDate
    }

    /// Featured papers from `from` through `through` (either may be open), optionally only
    /// those `submitter` submitted, sorted, the page `offset..<offset+limit`.
    func papers(
        from: String?, through: String?, submitter: String? = nil, sort: FeedSort, limit: Int, offset: Int
    ) async throws -> [Paper] {
        var query = PaperQuery(
            featuredFrom: from ?? "0000-01-01", featuredThrough: through, submittedBy: submitter,
            order: sort == .newest ? .published : .upvotes, limit: limit, offset: offset)
        guard sort == .trending else { return try await catalog.papers(query) }
        query.limit = Self.rankingWindow
        query.offset = 0
        return Array(rankTrending(try await catalog.papers(query)).dropFirst(offset).prefix(limit))
    }

    /// The trending list: the last `trendingDays` days of the feed, by trending score.
    func trending(limit: Int, offset: Int) async throws -> [Paper] {
        guard let latest = try await latestDay() else { return [] }
        return try await papers(
            from: DateText.day(latest, plus: 1 - Self.trendingDays), through: latest, sort: .trending, limit: limit, offset: offset)
    }

    func rankTrending(_ papers: [Paper]) -> [Paper] {
        let now = now()
        return papers.map { ($0, TrendingScore.score(upvotes: $0.upvotes, featuredDay: $0.featuredDate, now: now)) }
            .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0.upvotes > $1.0.upvotes }
            .map(\.0)
    }

    static func systemNow() -> Double { Date().timeIntervalSince1970 / 86_400 }
}
