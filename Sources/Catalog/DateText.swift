/// Dates as the catalog stores them: ISO 8601 text in UTC (`2025-10-16T17:59:37Z`), which
/// sorts correctly as text in every database, and days as `YYYY-MM-DD`.
///
/// Sources write dates in several shapes; these hand-written parsers accept the ones seen on
/// the wire and nothing looser, and are fast enough for multi-million-record imports.
public enum DateText {
    /// Normalises `2025-10-16T17:59:37Z`, `2026-04-29T00:00:00.000Z`, `2025-10-16T17:59:37-04:00`,
    /// `2025-10-13` and RFC 2822 (`Mon, 2 Apr 2007 19:18:42 GMT`) to `YYYY-MM-DDTHH:MM:SSZ`.
    public static func timestamp(_ text: some StringProtocol) -> String? {
        var s = Array(text.utf8)
        while let last = s.last, last == 0x20 || last == 0x0A || last == 0x0D || last == 0x09 { s.removeLast() }
        if let first = s.firstIndex(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }), first > 0 {
            s.removeFirst(first)
        }
        if let iso = isoTimestamp(s) { return iso }
        return rfc2822(s)
    }

    /// The `YYYY-MM-DD` day of anything `timestamp` accepts.
    public static func day(_ text: some StringProtocol) -> String? {
        timestamp(text).map { String($0.prefix(10)) }
    }

    /// Whether `text` is a valid calendar day `YYYY-MM-DD`.
    public static func isDay(_ text: some StringProtocol) -> Bool {
        let s = Array(text.utf8)
        guard s.count == 10, s[4] == UInt8(ascii: "-"), s[7] == UInt8(ascii: "-"),
              let y = number(s, 0, 4), let m = number(s, 5, 2), let d = number(s, 8, 2) else { return false }
        return isValid(year: y, month: m, day: d)
    }

    private static func isoTimestamp(_ s: [UInt8]) -> String? {
        guard s.count >= 10, s[4] == UInt8(ascii: "-"), s[7] == UInt8(ascii: "-"),
              let y = number(s, 0, 4), let mo = number(s, 5, 2), let d = number(s, 8, 2),
              isValid(year: y, month: mo, day: d) else { return nil }
        if s.count == 10 { return format(y, mo, d, 0, 0, 0) }
        guard s.count >= 19, s[10] == UInt8(ascii: "T") || s[10] == UInt8(ascii: " "),
              s[13] == UInt8(ascii: ":"), s[16] == UInt8(ascii: ":"),
              let h = number(s, 11, 2), let mi = number(s, 14, 2), let sec = number(s, 17, 2),
              h < 24, mi < 60, sec < 61 else { return nil }
        var i = 19
        if i < s.count, s[i] == UInt8(ascii: ".") {
            i += 1
            while i < s.count, (48...57).contains(s[i]) { i += 1 }
        }
        var offsetMinutes = 0
        if i == s.count || (i == s.count - 1 && s[i] == UInt8(ascii: "Z")) {
            offsetMinutes = 0
        } else if s.count - i == 6, s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-"), s[i + 3] == UInt8(ascii: ":"),
                  let oh = number(s, i + 1, 2), let om = number(s, i + 4, 2) {
            offsetMinutes = (oh * 60 + om) * (s[i] == UInt8(ascii: "-") ? -1 : 1)
        } else {
            return nil
        }
        return shifted(y, mo, d, h, mi, sec, byMinutes: -offsetMinutes)
    }

    /// `Mon, 2 Apr 2007 19:18:42 GMT` (the weekday is optional), parsed on bytes.
    private static func rfc2822(_ s: [UInt8]) -> String? {
        // Split on spaces into byte ranges.
        var words: [Range<Int>] = []
        var start = -1
        for i in 0...s.count {
            let isSpace = i == s.count || s[i] == 0x20
            if isSpace {
                if start >= 0 { words.append(start..<i); start = -1 }
            } else if start < 0 {
                start = i
            }
            if words.count > 6 { return nil }
        }
        var w = words[...]
        if let first = w.first, s[first.upperBound - 1] == UInt8(ascii: ",") { w = w.dropFirst() }
        guard w.count >= 4 else { return nil }
        let dayWord = w[w.startIndex], monthWord = w[w.startIndex + 1], yearWord = w[w.startIndex + 2]
        let clockWord = w[w.startIndex + 3]
        guard (1...2).contains(dayWord.count), let d = number(s, dayWord.lowerBound, dayWord.count),
              monthWord.count == 3, let mo = month(s, monthWord.lowerBound),
              yearWord.count == 4, let y = number(s, yearWord.lowerBound, 4), isValid(year: y, month: mo, day: d),
              clockWord.count == 8, s[clockWord.lowerBound + 2] == UInt8(ascii: ":"), s[clockWord.lowerBound + 5] == UInt8(ascii: ":"),
              let h = number(s, clockWord.lowerBound, 2), let mi = number(s, clockWord.lowerBound + 3, 2),
              let sec = number(s, clockWord.lowerBound + 6, 2), h < 24, mi < 60, sec < 61 else { return nil }
        if w.count >= 5 {
            let zone = String(decoding: s[w[w.startIndex + 4]], as: UTF8.self)
            guard zone == "GMT" || zone == "UTC" || zone == "+0000" || zone == "Z" else { return nil }
        }
        return format(y, mo, d, h, mi, sec)
    }

    private static func month(_ s: [UInt8], _ at: Int) -> Int? {
        let a = s[at] | 0x20, b = s[at + 1] | 0x20, c = s[at + 2] | 0x20
        for (i, name) in monthBytes.enumerated() where name.0 == a && name.1 == b && name.2 == c { return i + 1 }
        return nil
    }

    private static let monthBytes: [(UInt8, UInt8, UInt8)] = months.map {
        let u = Array($0.utf8)
        return (u[0], u[1], u[2])
    }

    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    private static func number(_ s: [UInt8], _ start: Int, _ length: Int) -> Int? {
        guard start + length <= s.count else { return nil }
        var n = 0
        for i in start..<(start + length) {
            guard (48...57).contains(s[i]) else { return nil }
            n = n * 10 + Int(s[i] - 48)
        }
        return n
    }

    static func isValid(year: Int, month: Int, day: Int) -> Bool {
        (1000...9999).contains(year) && (1...12).contains(month) && day >= 1 && day <= daysIn(month, year)
    }

    public static func daysIn(_ month: Int, _ year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    private static func shifted(_ y: Int, _ mo: Int, _ d: Int, _ h: Int, _ mi: Int, _ s: Int, byMinutes delta: Int) -> String {
        guard delta != 0 else { return format(y, mo, d, h, mi, s) }
        var days = daysFromCivil(y, mo, d)
        var minutes = h * 60 + mi + delta
        while minutes < 0 { minutes += 1440; days -= 1 }
        while minutes >= 1440 { minutes -= 1440; days += 1 }
        let (ny, nm, nd) = civilFromDays(days)
        return format(ny, nm, nd, minutes / 60, minutes % 60, s)
    }

    /// Days since 1970-01-01 (Howard Hinnant's algorithm).
    public static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    public static func civilFromDays(_ z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// The day `offset` days after `day` (`YYYY-MM-DD`).
    public static func day(_ day: String, plus offset: Int) -> String? {
        guard isDay(day) else { return nil }
        let s = Array(day.utf8)
        let n = daysFromCivil(number(s, 0, 4)!, number(s, 5, 2)!, number(s, 8, 2)!) + offset
        let (y, m, d) = civilFromDays(n)
        return format(y, m, d)
    }

    /// `YYYY-MM-DD`, zero-padded.
    public static func format(_ y: Int, _ mo: Int, _ d: Int) -> String {
        String(unsafeUninitializedCapacity: 10) { out in
            write(y, 4, out, 0); out[4] = UInt8(ascii: "-"); write(mo, 2, out, 5); out[7] = UInt8(ascii: "-"); write(d, 2, out, 8)
            return 10
        }
    }

    static func format(_ y: Int, _ mo: Int, _ d: Int, _ h: Int, _ mi: Int, _ s: Int) -> String {
        String(unsafeUninitializedCapacity: 20) { out in
            write(y, 4, out, 0); out[4] = UInt8(ascii: "-"); write(mo, 2, out, 5); out[7] = UInt8(ascii: "-"); write(d, 2, out, 8)
            out[10] = UInt8(ascii: "T"); write(h, 2, out, 11); out[13] = UInt8(ascii: ":"); write(mi, 2, out, 14)
            out[16] = UInt8(ascii: ":"); write(min(s, 59), 2, out, 17); out[19] = UInt8(ascii: "Z")
            return 20
        }
    }

    /// Writes `n` as `width` zero-padded digits at `at` (years are 1000–9999 by validation).
    private static func write(_ n: Int, _ width: Int, _ out: UnsafeMutableBufferPointer<UInt8>, _ at: Int) {
        var v = n
        for k in stride(from: width - 1, through: 0, by: -1) {
            out[at + k] = UInt8(48 + v % 10)
            v /= 10
        }
    }

}
