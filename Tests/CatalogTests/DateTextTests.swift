import Catalog
import Testing

@Suite struct DateTextTests {
    @Test(arguments: [
        ("2025-10-16T17:59:37Z", "2025-10-16T17:59:37Z"),
        ("2026-04-29T00:00:00.000Z", "2026-04-29T00:00:00Z"),
        ("2025-10-17T00:00:00-04:00", "2025-10-17T04:00:00Z"),
        ("2025-10-16T23:30:00+02:00", "2025-10-16T21:30:00Z"),
        ("2025-10-13", "2025-10-13T00:00:00Z"),
        ("Mon, 2 Apr 2007 19:18:42 GMT", "2007-04-02T19:18:42Z"),
        ("Sat, 31 Mar 2007 02:26:18 GMT", "2007-03-31T02:26:18Z"),
        ("2 Apr 2007 19:18:42 GMT", "2007-04-02T19:18:42Z"),
    ])
    func normalisesTimestamps(input: String, expected: String) {
        #expect(DateText.timestamp(input) == expected)
    }

    @Test(arguments: ["", "yesterday", "2025-13-01", "2025-02-30", "2025-10-16T25:00:00Z", "Mon, 2 Foo 2007 19:18:42 GMT", "2025-10-16Tjunk"])
    func refusesNonDates(input: String) {
        #expect(DateText.timestamp(input) == nil)
    }

    @Test func dayArithmeticCrossesMonthsAndLeapYears() {
        #expect(DateText.day("2024-02-28", plus: 1) == "2024-02-29")
        #expect(DateText.day("2024-03-01", plus: -1) == "2024-02-29")
        #expect(DateText.day("2025-12-31", plus: 1) == "2026-01-01")
        #expect(DateText.isDay("2024-02-29"))
        #expect(!DateText.isDay("2025-02-29"))
    }
}
