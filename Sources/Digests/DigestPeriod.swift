import Catalog

/// How often a subscriber hears from Paperboy.
public enum DigestFrequency: String, Sendable, CaseIterable, Codable {
    /// Every weekday, once the day's feed is settled: the papers featured that day.
    case daily
    /// Once a week: the papers featured in the ISO week (Monday to Sunday) just ended.
    case weekly
}

/// The stretch of featured days one digest covers: a weekday, or an ISO week. Its `key` names
/// the digest in the delivery ledger, so "the daily digest of 2026-11-24" is one row per
/// subscriber, whoever sends it and however often a run is started.
public struct DigestPeriod: Hashable, Sendable, CustomStringConvertible {
    public let frequency: DigestFrequency
    /// The first and last featured day covered, inclusive (`YYYY-MM-DD`).
    public let from: String
    public let through: String

    /// The daily digest of `day` (any day; the scheduler only asks for weekdays).
    public static func daily(_ day: String) -> DigestPeriod? {
        guard DateText.isDay(day) else { return nil }
        return DigestPeriod(frequency: .daily, from: day, through: day)
    }

    /// The weekly digest of the ISO week that holds `day`.
    public static func weekly(containing day: String) -> DigestPeriod? {
        guard let n = Self.dayNumber(day) else { return nil }
        let monday = n - Self.weekday(n)
        return DigestPeriod(frequency: .weekly, from: Self.day(monday), through: Self.day(monday + 6))
    }

    /// Parses a key (`daily:2026-11-24`, `weekly:2026-W48`) or a bare day or week
    /// (`2026-11-24`, `2026-W48`), as `--period` takes them.
    public init?(_ text: String) {
        var body = Substring(text)
        var frequency: DigestFrequency?
        if let colon = body.firstIndex(of: ":") {
            guard let named = DigestFrequency(rawValue: String(body[..<colon])) else { return nil }
            frequency = named
            body = body[body.index(after: colon)...]
        }
        if DateText.isDay(body) && body.count == 10, frequency != .weekly {
            self.init(frequency: .daily, from: String(body), through: String(body))
            return
        }
        if frequency == .weekly, DateText.isDay(body) && body.count == 10, let period = Self.weekly(containing: String(body)) {
            self = period
            return
        }
        // ISO week: YYYY-Www.
        let parts = body.split(separator: "-", omittingEmptySubsequences: false)
        guard frequency != .daily, parts.count == 2, parts[0].count == 4, let year = Int(parts[0]),
              (1000...9999).contains(year), parts[1].count == 3, parts[1].first == "W",
              parts[1].dropFirst().allSatisfy(\.isNumber), let week = Int(parts[1].dropFirst()),
              (1...Self.weeksIn(year)).contains(week) else { return nil }
        let monday = Self.mondayOfWeekOne(year) + (week - 1) * 7
        self.init(frequency: .weekly, from: Self.day(monday), through: Self.day(monday + 6))
    }

    private init(frequency: DigestFrequency, from: String, through: String) {
        self.frequency = frequency
        self.from = from
        self.through = through
    }

    /// `daily:2026-11-24` or `weekly:2026-W48`: the ledger's name for this digest.
    public var key: String { "\(frequency.rawValue):\(label)" }
    public var description: String { key }

    /// `2026-11-24` or `2026-W48`.
    public var label: String {
        switch frequency {
        case .daily: return from
        case .weekly:
            let n = Self.dayNumber(from)!
            let thursday = n + 3
            let year = DateText.civilFromDays(thursday).0
            let week = (thursday - Self.mondayOfWeekOne(year)) / 7 + 1
            return "\(year)-W\(week < 10 ? "0" : "")\(week)"
        }
    }

    /// For people: "Tuesday, 24 November 2026" or "the week of 23 November 2026".
    public var title: String {
        let n = Self.dayNumber(from)!
        let (y, m, d) = DateText.civilFromDays(n)
        switch frequency {
        case .daily: return "\(Self.weekdayNames[Self.weekday(n)]), \(d) \(Self.monthNames[m - 1]) \(y)"
        case .weekly: return "the week of \(d) \(Self.monthNames[m - 1]) \(y)"
        }
    }

    /// Whether the day is Monday to Friday: daily digests go out on weekdays only, as the
    /// Daily Papers feed itself is a weekday feed.
    public static func isWeekday(_ day: String) -> Bool {
        guard let n = dayNumber(day) else { return false }
        return weekday(n) < 5
    }

    /// The period before this one of the same frequency (the previous day or week).
    public var previous: DigestPeriod {
        switch frequency {
        case .daily: return .daily(DateText.day(from, plus: -1)!)!
        case .weekly: return .weekly(containing: DateText.day(from, plus: -7)!)!
        }
    }

    static let monthNames = ["January", "February", "March", "April", "May", "June", "July", "August",
                             "September", "October", "November", "December"]
    static let weekdayNames = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

    static func dayNumber(_ day: some StringProtocol) -> Int? {
        guard day.count == 10, DateText.isDay(day) else { return nil }
        let parts = day.split(separator: "-").compactMap { Int($0) }
        return DateText.daysFromCivil(parts[0], parts[1], parts[2])
    }

    /// 0 for Monday … 6 for Sunday, of a day counted from 1970-01-01 (a Thursday).
    static func weekday(_ days: Int) -> Int { ((days + 3) % 7 + 7) % 7 }

    static func mondayOfWeekOne(_ year: Int) -> Int {
        let january4 = DateText.daysFromCivil(year, 1, 4)
        return january4 - weekday(january4)
    }

    static func weeksIn(_ year: Int) -> Int { (mondayOfWeekOne(year + 1) - mondayOfWeekOne(year)) / 7 }

    static func day(_ n: Int) -> String {
        let (y, m, d) = DateText.civilFromDays(n)
        return DateText.format(y, m, d)
    }
}
