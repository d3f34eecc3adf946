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
        guard let n = DateText.dayNumber(day) else { return nil }
        let monday = n - DateText.weekday(n)
        return DigestPeriod(frequency: .weekly, from: DateText.day(number: monday), through: DateText.day(number: monday + 6))
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
        guard frequency != .daily, let (year, week) = DateText.isoWeek(parsing: body) else { return nil }
        let monday = DateText.mondayOfWeekOne(year) + (week - 1) * 7
        self.init(frequency: .weekly, from: DateText.day(number: monday), through: DateText.day(number: monday + 6))
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
            let (year, week) = DateText.isoWeek(of: DateText.dayNumber(from)!)
            return DateText.isoWeekText(year: year, week: week)
        }
    }

    /// For people: "Tuesday, 24 November 2026" or "the week of 23 November 2026".
    public var title: String {
        let n = DateText.dayNumber(from)!
        switch frequency {
        case .daily: return DateText.longDay(n)
        case .weekly:
            let (y, m, d) = DateText.civilFromDays(n)
            return "the week of \(d) \(DateText.monthNames[m - 1]) \(y)"
        }
    }

    /// Whether the day is Monday to Friday: daily digests go out on weekdays only, as the
    /// Daily Papers feed itself is a weekday feed.
    public static func isWeekday(_ day: String) -> Bool {
        guard let n = DateText.dayNumber(day) else { return false }
        return DateText.weekday(n) < 5
    }

    /// The period before this one of the same frequency (the previous day or week).
    public var previous: DigestPeriod {
        switch frequency {
        case .daily: return .daily(DateText.day(from, plus: -1)!)!
        case .weekly: return .weekly(containing: DateText.day(from, plus: -7)!)!
        }
    }
}
