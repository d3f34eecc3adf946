/// Days as numbers (days since 1970-01-01, a Thursday), weekdays and ISO 8601 weeks: the
/// calendar arithmetic that the feed's periods and the digests' periods share.
extension DateText {
    public static let monthNames = ["January", "February", "March", "April", "May", "June", "July", "August",
                                    "September", "October", "November", "December"]
    public static let weekdayNames = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

    /// The number of a `YYYY-MM-DD` day; nil for anything else.
    public static func dayNumber(_ day: some StringProtocol) -> Int? {
        guard day.count == 10, isDay(day) else { return nil }
        let parts = day.split(separator: "-").compactMap { Int($0) }
        return daysFromCivil(parts[0], parts[1], parts[2])
    }

    /// The `YYYY-MM-DD` of a day number.
    public static func day(number: Int) -> String {
        let (y, m, d) = civilFromDays(number)
        return format(y, m, d)
    }

    /// 0 for Monday … 6 for Sunday.
    public static func weekday(_ dayNumber: Int) -> Int { ((dayNumber + 3) % 7 + 7) % 7 }

    /// The day number of the Monday of ISO week 1 of `year`: week 1 holds January 4th.
    public static func mondayOfWeekOne(_ year: Int) -> Int {
        let january4 = daysFromCivil(year, 1, 4)
        return january4 - weekday(january4)
    }

    /// 52 or 53.
    public static func isoWeeks(in year: Int) -> Int { (mondayOfWeekOne(year + 1) - mondayOfWeekOne(year)) / 7 }

    /// The ISO year and week a day belongs to: the year of the week's Thursday.
    public static func isoWeek(of dayNumber: Int) -> (year: Int, week: Int) {
        let thursday = dayNumber - weekday(dayNumber) + 3
        let year = civilFromDays(thursday).0
        return (year, (thursday - mondayOfWeekOne(year)) / 7 + 1)
    }

    /// Parses `2026-W48`; nil unless the year has that week.
    public static func isoWeek(parsing text: some StringProtocol) -> (year: Int, week: Int)? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, let year = Int(parts[0]), (1000...9999).contains(year),
              parts[1].count == 3, parts[1].first == "W", parts[1].dropFirst().allSatisfy(\.isNumber),
              let week = Int(parts[1].dropFirst()), (1...isoWeeks(in: year)).contains(week) else { return nil }
        return (year, week)
    }

    /// `2026-W48`.
    public static func isoWeekText(year: Int, week: Int) -> String { "\(year)-W\(week < 10 ? "0" : "")\(week)" }

    /// "Friday, 21 August 2026".
    public static func longDay(_ dayNumber: Int) -> String {
        let (y, m, d) = civilFromDays(dayNumber)
        return "\(weekdayNames[weekday(dayNumber)]), \(d) \(monthNames[m - 1]) \(y)"
    }
}
