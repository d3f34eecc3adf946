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
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let local = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        guard let year = local.year, let month = local.month, let day = local.day,
              let nowHour = local.hour, let nowMinute = local.minute,
              (nowHour, nowMinute) >= (hour, minute) else { return [] }
        let today = DateText.format(year, month, day)
        guard let number = DigestPeriod.dayNumber(today) else { return [] }
        let weekday = DigestPeriod.weekday(number)
        guard weekday < 5 else { return [] }
        // The previous weekday: Friday for a Monday.
        let previous = DigestPeriod.day(number - (weekday == 0 ? 3 : 1))
        var due = [DigestPeriod.daily(previous)!]
        if weekday == 0 { due.append(DigestPeriod.weekly(containing: DigestPeriod.day(number - 7))!) }
        return due
    }

    /// The digests `digest send` sends when not told which: those due now, or else the last
    /// ones that were due (by hand on a Sunday: Friday's send, Thursday's papers). The ledger
    /// makes sending them again a no-op for everyone who had them.
    public func latestPeriods(at date: Date) -> [DigestPeriod] {
        var probe = date
        for _ in 0..<8 {
            let due = duePeriods(at: probe)
            if !due.isEmpty { return due }
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = timeZone
            // The end of the previous local day: its send time has passed if it was a weekday.
            let startOfDay = calendar.startOfDay(for: probe)
            probe = startOfDay.addingTimeInterval(-1)
        }
        return []
    }
}
