import Digests
import Testing

@Suite struct DigestPeriodTests {
    @Test func dailyAndWeeklyKeys() throws {
        let day = try #require(DigestPeriod.daily("2026-11-24"))
        #expect(day.key == "daily:2026-11-24")
        #expect(day.title == "Tuesday, 24 November 2026")
        let week = try #require(DigestPeriod.weekly(containing: "2026-11-24"))
        #expect(week.from == "2026-11-23" && week.through == "2026-11-29")
        #expect(week.key == "weekly:2026-W48")
        #expect(DigestPeriod("weekly:2026-W48") == week)
        #expect(DigestPeriod("2026-W48") == week)
        #expect(DigestPeriod("daily:2026-11-24") == day)
        #expect(DigestPeriod("2026-11-24") == day)
        #expect(DigestPeriod("weekly:2026-11-25") == week)
        // The ISO year of 2027-01-01 (a Friday) is 2026, its week 53.
        #expect(DigestPeriod.weekly(containing: "2027-01-01")?.key == "weekly:2026-W53")
        #expect(week.previous.key == "weekly:2026-W47")
        #expect(day.previous.key == "daily:2026-11-23")
    }

    @Test func refusesWhatIsNoPeriod() {
        for text in ["", "daily:", "2026-13-01", "2026-W54", "monthly:2026-11", "daily:2026-W48", "2026-11-24x", "weekly:2025-W53"] {
            #expect(DigestPeriod(text) == nil, "\(text)")
        }
        #expect(DigestPeriod.isWeekday("2026-11-27"))
        #expect(!DigestPeriod.isWeekday("2026-11-28"))
    }
}
