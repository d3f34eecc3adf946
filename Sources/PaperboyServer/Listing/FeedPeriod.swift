import Catalog
import Foundation

/// A span of featured days the feed can show: one day, an ISO week or a calendar month.
/// The pages, the JSON API and the feeds all read periods through this one type.
enum FeedPeriod: Equatable, Sendable {
    case day(String)                   // YYYY-MM-DD
    case week(year: Int, week: Int)    // ISO 8601 week, Monday to Sunday
    case month(year: Int, month: Int)

    enum Kind: String, Sendable { case day, week, month }

    var kind: Kind {
        switch self {
        case .day: .day
        case .week: .week
        case .month: .month
        }
    }

    /// Parses the text of a URL or query parameter: `2026-08-21`, `2026-W34`, `2026-08`.
    init?(_ kind: Kind, _ text: String) {
        switch kind {
        case .day:
            guard text.count == 10, DateText.isDay(text) else { return nil }
            self = .day(text)
        case .week:
            guard let (year, week) = DateText.isoWeek(parsing: text) else { return nil }
            self = .week(year: year, week: week)
        case .month:
            let parts = text.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, let year = Int(parts[0]), (1000...9999).contains(year),
                  parts[1].allSatisfy(\.isNumber), let month = Int(parts[1]), (1...12).contains(month) else { return nil }
            self = .month(year: year, month: month)
        }
    }

    /// The period of `kind` that holds `day`.
    static func containing(_ day: String, as kind: Kind) -> FeedPeriod? {
        guard let n = DateText.dayNumber(day) else { return nil }
        switch kind {
        case .day: return .day(day)
        case .month:
            let (year, month, _) = DateText.civilFromDays(n)
            return .month(year: year, month: month)
        case .week:
            let (year, week) = DateText.isoWeek(of: n)
            return .week(year: year, week: week)
        }
    }

    /// The first and last day, inclusive.
    var range: (from: String, through: String) {
        switch self {
        case .day(let day): return (day, day)
        case .week(let year, let week):
            let monday = DateText.mondayOfWeekOne(year) + (week - 1) * 7
            return (DateText.day(number: monday), DateText.day(number: monday + 6))
        case .month(let year, let month):
            return (DateText.format(year, month, 1), DateText.format(year, month, DateText.daysIn(month, year)))
        }
    }

    /// The text form used in URLs: `2026-08-21`, `2026-W34`, `2026-08`.
    var text: String {
        switch self {
        case .day(let day): day
        case .week(let year, let week): DateText.isoWeekText(year: year, week: week)
        case .month(let year, let month): String(format: "%04d-%02d", year, month)
        }
    }

    var path: String {
        switch self {
        case .day: "/papers/date/\(text)"
        case .week: "/papers/week/\(text)"
        case .month: "/papers/month/\(text)"
        }
    }

    /// A heading for people: "Friday, 21 August 2026", "Week 34 of 2026", "August 2026".
    var title: String {
        switch self {
        case .day(let day):
            return DateText.longDay(DateText.dayNumber(day)!)
        case .week(let year, let week):
            return "Week \(week) of \(year)"
        case .month(let year, let month):
            return "\(DateText.monthNames[month - 1]) \(year)"
        }
    }

    /// Every day of the period, in order.
    var days: [String] {
        let (from, through) = range
        var out: [String] = []
        var day = from
        while day <= through {
            out.append(day)
            guard let next = DateText.day(day, plus: 1) else { break }
            day = next
        }
        return out
    }
}
