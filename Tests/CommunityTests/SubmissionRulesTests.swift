import Catalog
import Community
import Testing

/// The submission rules as a pure function: each refusal names its rule, curators may set them
/// aside only when they ask, and what people paste is read as an arXiv id.
@Suite struct SubmissionRulesTests {
    /// 2026-08-21T18:00Z as days since 1970.
    static let now = Double(DateText.daysFromCivil(2026, 8, 21)) + 0.75

    func check(
        _ rules: SubmissionRules = SubmissionRules(), published: String? = "2026-08-19T10:00:00Z", featured: String? = nil,
        today: Int = 0, role: Role = .user, override: Bool = false
    ) -> SubmissionRefusal.Rule? {
        rules.check(SubmissionRules.Case(
            published: published, featuredDate: featured, submissionsToday: today, role: role, override: override, now: Self.now))?.rule
    }

    @Test func aFreshUnfeaturedPaperWithinTheCapPasses() {
        #expect(check() == nil)
        #expect(check(today: 2) == nil)
        // Exactly seven days old still counts; a minute more does not.
        #expect(check(published: "2026-08-14T18:00:00Z") == nil)
        #expect(check(published: "2026-08-14T17:59:00Z") == .maxAgeDays)
    }

    @Test func eachRuleRefusesByItsName() {
        #expect(check(published: "2026-07-01T00:00:00Z") == .maxAgeDays)
        #expect(check(published: nil) == .maxAgeDays, "an unknown first-version date cannot be shown to be recent")
        #expect(check(featured: "2026-08-20") == .notFeaturedBefore)
        #expect(check(today: 3) == .dailyCapPerUser)
        #expect(SubmissionRefusal.Rule.allCases.map(\.rawValue) == ["max_age_days", "not_featured_before", "daily_cap_per_user", "override_not_allowed"])
        let refusal = SubmissionRules().check(SubmissionRules.Case(
            published: "2026-07-01T00:00:00Z", featuredDate: nil, submissionsToday: 0, role: .user, override: false, now: Self.now))
        #expect(refusal?.message.contains("2026-07-01, 51 days ago") == true)
        #expect(refusal?.description.hasSuffix("(rule: max_age_days)") == true)
    }

    @Test func rulesAreConfigurable() {
        let loose = SubmissionRules(maxAgeDays: nil, notFeaturedBefore: false, dailyCapPerUser: nil)
        #expect(check(loose, published: nil, featured: "2020-01-01", today: 1_000) == nil)
        let strict = SubmissionRules(maxAgeDays: 1, notFeaturedBefore: true, dailyCapPerUser: 1)
        #expect(check(strict, published: "2026-08-19T10:00:00Z") == .maxAgeDays)
        #expect(check(strict, published: "2026-08-21T10:00:00Z", today: 1) == .dailyCapPerUser)
    }

    @Test func curatorsAndAdminsOverrideOnlyWhenTheyAsk() {
        for role in [Role.curator, .admin] {
            #expect(check(published: "2020-01-01T00:00:00Z", featured: "2020-01-02", today: 99, role: role, override: true) == nil)
            #expect(check(published: "2020-01-01T00:00:00Z", role: role) == .maxAgeDays)
        }
        #expect(check(role: .user, override: true) == .overrideNotAllowed, "a plain user asking is refused even when no rule is broken")
    }

    @Test func theDayIsTheServerClocksUTCDay() {
        #expect(SubmissionRules.day(of: Self.now) == "2026-08-21")
        #expect(SubmissionRules.days(ofTimestamp: "2026-08-21T18:00:00Z") == Self.now)
        #expect(SubmissionRules.days(ofTimestamp: "not a date") == nil)
    }

    @Test func everyFormPeoplePasteIsReadAsAnId() {
        let forms: [(String, String)] = [
            ("2501.01234", "2501.01234"),
            ("2501.01234v2", "2501.01234"),
            ("arxiv:2501.01234", "2501.01234"),
            ("arXiv:2501.01234v1", "2501.01234"),
            ("  https://arxiv.org/abs/2501.01234v3 ", "2501.01234"),
            ("https://arxiv.org/pdf/2501.01234", "2501.01234"),
            ("https://arxiv.org/pdf/2501.01234v2.pdf", "2501.01234"),
            ("https://huggingface.co/papers/2501.01234", "2501.01234"),
            ("https://huggingface.co/papers/2501.01234#community", "2501.01234"),
            ("hf.co/papers/2501.01234", "2501.01234"),
            ("hep-th/9901001", "hep-th/9901001"),
            ("https://arxiv.org/abs/hep-th/9901001v2", "hep-th/9901001"),
            ("http://arxiv.org/pdf/hep-th/9901001", "hep-th/9901001"),
            ("https://huggingface.co/papers/hep-th/9901001", "hep-th/9901001"),
        ]
        for (text, id) in forms { #expect(SubmittedPaperID.parse(text)?.value == id, "\(text)") }
        for bad in ["", "2501", "not-a-paper", "https://example.org/abs/2501.01234", "https://huggingface.co/papers/", "2513.01234"] {
            #expect(SubmittedPaperID.parse(bad) == nil, "\(bad)")
        }
    }
}
