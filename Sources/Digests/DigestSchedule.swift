import Catalog
import Foundation

/// When the digests go out: a time of day in a time zone. On each weekday at that time the
/// daily digest of the previous weekday goes out (Monday's mail covers Friday: the feed of a
/// day is settled by the next morning, and nobody is mailed at the weekend); on Mondays the
/// weekly digest of the week just ended goes out too.
public struct DigestSchedule: Sendable, Equatable, CustomStringConvertible {
    public let hour: Int
    public let minute: Int
    public let timeZone: TimeZone

    /// `time`: `HH:MM` (24-hour); `timeZone`: an IANA name such as `Europe/Paris`, or `UTC`.
    public init(time: String, timeZone: String) throws(SubscriptionError) {
        let parts = time.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isNumber) }),
              let hour = Int(parts[0]), let minute = Int(parts[1]), (0..<24).contains(hour), (0..<60).contains(minute)
        else { throw .invalid(field: "digest time", "'\(time.prefix(20))' is not a time of day like 08:00") }
        guard let zone = TimeZone(identifier: timeZone) else {
            throw .invalid(field: "digest time zone", "'\(timeZone.prefix(60))' is not a known time zone (like UTC or Europe/Paris)")
        }
        self.hour = hour
        self.minute = minute
        self.timeZone = zone
    }

    public var description: String {
        "\(hour < 10 ? "0" : "")\(hour):\(minute < 10 ? "0" : "")\(minute) \(timeZone.identifier)"
    }

    /// The digests due at `date`: none before the send time, else the day's daily digest and,
    /// on Mondays, the weekly one. Asking again later the same day gives the same periods, so a
    /// scheduler that wakes every few minutes picks up retries, and the ledger keeps each
    /// digest to one email.
    public func duePeriods(at date: Date) -> [DigestPeriod] {
        let (day, hour, minute) = local(date)
        guard (hour, minute) >= (self.hour, self.minute) else { return [] }
        return Self.periods(sentOn: day)
    }

    /// What goes out on local day `day`: nothing at the weekend; on a weekday the daily digest
    /// of the previous weekday (Friday for a Monday), and on Mondays the past week's too.
    private static func periods(sentOn day: Int) -> [DigestPeriod] {
        let weekday = DateText.weekday(day)
        guard weekday < 5 else { return [] }
        var due = [DigestPeriod.daily(DateText.day(number: day - (weekday == 0 ? 3 : 1)))!]
        if weekday == 0 { due.append(DigestPeriod.weekly(containing: DateText.day(number: day - 7))!) }
        return due
    }

    /// The day `date` falls on in the schedule's time zone (`YYYY-MM-DD`).
    public func localDay(at date: Date) -> String { DateText.day(number: local(date).day) }

    /// The local day number, hour and minute of `date`.
    private func local(_ date: Date) -> (day: Int, hour: Int, minute: Int) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return (DateText.daysFromCivil(parts.year!, parts.month!, parts.day!), parts.hour!, parts.minute!)
    }

    /// The digests `digest send` sends when not told which: those due now, or else the last
    /// ones that were due (by hand on a Sunday: Friday's send, Thursday's papers). The ledger
    /// makes sending them again a no-op for everyone who had them.
    public func latestPeriods(at date: Date) -> [DigestPeriod] {
        let (day, hour, minute) = local(date)
        // Today's, once its send time has passed; else those of the last weekday before.
        let first = (hour, minute) >= (self.hour, self.minute) ? day : day - 1
        for sentOn in stride(from: first, through: first - 7, by: -1) {
            let due = Self.periods(sentOn: sentOn)
            if !due.isEmpty { return due }
        }
        return []
    }
}
