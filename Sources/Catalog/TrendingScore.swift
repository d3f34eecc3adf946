import Foundation

/// How "trending" a paper is: its upvotes, discounted by the time since it was featured.
///
///     score = upvotes / (hours since featured + 2) ^ 1.5
///
/// The same shape as Hacker News's ranking: a paper keeps rising while votes come in faster
/// than time passes. Of two papers featured one and two days ago, the older needs about 2.7
/// times the votes to rank beside the newer ((50 / 26)^1.5). Two hours of head start stop
/// brand-new papers from dividing by zero.
/// A pure function, so every listing and the API agree.
public enum TrendingScore {
    public static let gravity = 1.5
    public static let headStartHours = 2.0
    /// The formula in words, for pages and API documentation.
    public static let formula = "upvotes / (hours since featured + 2)^1.5"

    /// - Parameters:
    ///   - featuredDay: `YYYY-MM-DD`; papers never featured count from their publication day.
    ///   - now: the current time, as days since 1970-01-01 (fractional).
    public static func score(upvotes: Int, featuredDay: String?, now: Double) -> Double {
        guard let day = featuredDay, DateText.isDay(day) else { return 0 }
        let parts = day.split(separator: "-").compactMap { Int($0) }
        let featured = Double(DateText.daysFromCivil(parts[0], parts[1], parts[2]))
        let hours = max(0, (now - featured) * 24)
        return Double(upvotes) / pow(hours + headStartHours, gravity)
    }
}
