import Catalog
import Foundation

/// Submitting a paper to the daily feed, as on hf.co/papers: the rules (a pure type, tested
/// without a database), what a submission is, and the storage protocol.
///
/// Every clock value here is days since 1970-01-01 (fractional), the server's clock: tests pin
/// it, and the rules must agree with the feed pages on what "today" is.
public struct SubmissionRules: Sendable, Equatable {
    /// The paper's first version may be at most this many days old; nil: any age.
    public var maxAgeDays: Int?
    /// A paper already featured on some day cannot be submitted again.
    public var notFeaturedBefore: Bool
    /// Submissions per user per UTC day; nil: no cap.
    public var dailyCapPerUser: Int?

    /// hf.co/papers's rules: a week, once, three a day.
    public init(maxAgeDays: Int? = 7, notFeaturedBefore: Bool = true, dailyCapPerUser: Int? = 3) {
        self.maxAgeDays = maxAgeDays
        self.notFeaturedBefore = notFeaturedBefore
        self.dailyCapPerUser = dailyCapPerUser
    }

    /// What the rules look at, for one submission.
    public struct Case: Sendable, Equatable {
        /// The first version's date (ISO 8601); nil when no source told it.
        public var published: String?
        /// The day the paper was first featured, if ever.
        public var featuredDate: String?
        /// The submitter's submissions so far on the current UTC day.
        public var submissionsToday: Int
        public var role: Role
        /// The submitter asked to set the rules aside.
        public var override: Bool
        /// Days since 1970.
        public var now: Double

        public init(published: String?, featuredDate: String?, submissionsToday: Int, role: Role, override: Bool, now: Double) {
            self.published = published
            self.featuredDate = featuredDate
            self.submissionsToday = submissionsToday
            self.role = role
            self.override = override
            self.now = now
        }
    }

    /// Who may set the rules aside: curators and admins, and only when they say so.
    public static func mayOverride(_ role: Role) -> Bool { role >= .curator }

    /// nil when the submission may go ahead; else the first rule it breaks.
    public func check(_ c: Case) -> SubmissionRefusal? {
        if c.override {
            // Asking is refused outright for plain users, so that nobody learns to send
            // `override=true` just in case; for curators it sets every rule aside.
            return Self.mayOverride(c.role) ? nil : .overrideNotAllowed
        }
        if notFeaturedBefore, let day = c.featuredDate {
            return SubmissionRefusal(rule: .notFeaturedBefore, message: "The paper was already featured on \(day); a paper is featured once.")
        }
        if let maxAgeDays {
            guard let published = c.published, let first = Self.days(ofTimestamp: published) else {
                return SubmissionRefusal(
                    rule: .maxAgeDays,
                    message: "The date of the paper's first version is unknown, so it cannot be shown to be at most \(maxAgeDays) days old.")
            }
            let age = c.now - first
            if age > Double(maxAgeDays) {
                return SubmissionRefusal(
                    rule: .maxAgeDays,
                    message: "The paper's first version is from \(published.prefix(10)), \(Int(age.rounded(.down))) days ago; "
                        + "papers may be submitted up to \(maxAgeDays) days after their first version.")
            }
        }
        if let dailyCapPerUser, c.submissionsToday >= dailyCapPerUser {
            return SubmissionRefusal(
                rule: .dailyCapPerUser,
                message: "You have submitted \(c.submissionsToday) papers today (UTC); the limit is \(dailyCapPerUser) a day. Try again tomorrow.")
        }
        return nil
    }

    /// `2026-08-21T18:00:00Z` (or anything `DateText.timestamp` reads) as days since 1970.
    public static func days(ofTimestamp text: String) -> Double? {
        guard let iso = DateText.timestamp(text) else { return nil }
        let numbers = iso.split(whereSeparator: { "-T:Z".contains($0) }).compactMap { Int($0) }
        guard numbers.count == 6 else { return nil }
        let seconds = Double(numbers[3] * 3_600 + numbers[4] * 60 + numbers[5])
        return Double(DateText.daysFromCivil(numbers[0], numbers[1], numbers[2])) + seconds / 86_400
    }

    /// The UTC day `YYYY-MM-DD` of a clock value.
    public static func day(of now: Double) -> String {
        let (y, m, d) = DateText.civilFromDays(Int(now.rounded(.down)))
        return DateText.format(y, m, d)
    }
}

/// A refused submission: which rule, in the name the API and the page show, and why.
public struct SubmissionRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Rule: String, Sendable, CaseIterable {
        case maxAgeDays = "max_age_days"
        case notFeaturedBefore = "not_featured_before"
        case dailyCapPerUser = "daily_cap_per_user"
        /// A plain user asked to set the rules aside.
        case overrideNotAllowed = "override_not_allowed"
    }

    public var rule: Rule
    public var message: String

    public init(rule: Rule, message: String) {
        self.rule = rule
        self.message = message
    }

    public static let overrideNotAllowed = SubmissionRefusal(
        rule: .overrideNotAllowed, message: "override: only curators and admins may set the submission rules aside.")

    public var description: String { "\(message) (rule: \(rule.rawValue))" }
}

/// What people type to name a paper: anything `ArxivID.parse` reads (ids with or without a
/// version, `arXiv:` prefixes, arxiv.org abs/pdf/html URLs, old-style ids) plus Hugging Face
/// paper URLs (`https://huggingface.co/papers/2501.01234`, `hf.co/papers/…`).
public enum SubmittedPaperID {
    public static func parse(_ text: String) -> ArxivID? {
        var s = Substring(text).trimmingWhitespace()
        guard !s.isEmpty, s.utf8.count <= 300 else { return nil }
        for scheme in ["https://", "http://"] where s.lowercased().hasPrefix(scheme) { s = s.dropFirst(scheme.count) }
        for host in ["www.huggingface.co/papers/", "huggingface.co/papers/", "hf.co/papers/"] where s.lowercased().hasPrefix(host) {
            s = s.dropFirst(host.count)
            // The Hub's page may carry a query or a fragment (`#community`).
            if let end = s.firstIndex(where: { $0 == "?" || $0 == "#" }) { s = s[..<end] }
            return ArxivID(s)
        }
        return ArxivID(text)
    }
}

/// One submission asked for.
public struct SubmissionRequest: Sendable {
    public var paper: ArxivID
    public var user: User
    /// What the submitter says about the paper; shown with the submission.
    public var comment: String?
    public var override: Bool
    /// Days since 1970: the submission's time, and the day the paper is featured on.
    public var now: Double

    public init(paper: ArxivID, user: User, comment: String?, override: Bool, now: Double) {
        self.paper = paper
        self.user = user
        self.comment = comment
        self.override = override
        self.now = now
    }
}

extension SubmissionRequest {
    /// The paper this submission is about, as a store resolves it on any backend: the stored
    /// paper, or else one made from `metadata` (a paper arXiv withdrew and the catalog marked
    /// deleted comes back); nil when neither has it. `local` is what the site added to the
    /// stored paper's counts, kept by the merge.
    public func paper(stored: Paper?, metadata: PaperRecord?, local: LocalCounts = .none) -> Paper? {
        if let stored, !stored.deleted { return stored }
        guard let metadata else { return nil }
        var paper: Paper
        switch merge(stored: stored, with: metadata, local: local) {
        case .insert(let merged), .update(let merged): paper = merged
        case .unchanged: guard let stored else { return nil }; paper = stored
        case .rejected: return nil
        }
        paper.deleted = false
        return paper
    }

    /// The paper as this submission features it, or the first rule it breaks.
    public func feature(_ paper: Paper, rules: SubmissionRules, submissionsToday: Int) -> Result<Paper, SubmissionRefusal> {
        if let refusal = rules.check(SubmissionRules.Case(
            published: paper.published, featuredDate: paper.featuredDate, submissionsToday: submissionsToday,
            role: user.role, override: override, now: now)) {
            return .failure(refusal)
        }
        var featured = paper
        featured.featuredDate = SubmissionRules.day(of: now)
        featured.submittedBy = user.username
        return .success(featured)
    }

    /// The UTC day of the submission, as seconds since 1970: [start, start + 86,400).
    public var dayStart: Int64 { Int64(now.rounded(.down)) * 86_400 }
    /// The submission's time, in seconds since 1970, as stores record it.
    public var createdAt: Int64 { Int64((now * 86_400).rounded(.down)) }
}

/// A stored submission.
public struct Submission: Sendable, Equatable {
    public var paper: ArxivID
    public var username: String
    public var comment: String?
    public var overridden: Bool
    public var createdAt: Date

    public init(paper: ArxivID, username: String, comment: String?, overridden: Bool, createdAt: Date) {
        self.paper = paper
        self.username = username
        self.comment = comment
        self.overridden = overridden
        self.createdAt = createdAt
    }
}

public enum SubmissionOutcome: Sendable {
    /// The paper as featured now.
    case submitted(Paper)
    case refused(SubmissionRefusal)
    /// Neither the catalog nor the metadata given has the paper.
    case unknownPaper
}

/// Where submissions are kept. Like `CommunityStore`, async and free of any database.
public protocol SubmissionStore: Sendable {
    /// In one transaction: takes the paper from the catalog, or else from `metadata` (which is
    /// then stored), checks `rules` against it and the user's submissions of the day, and when
    /// they pass features the paper today with the user as submitter and records the
    /// submission. A refusal stores nothing; concurrent submissions cannot slip past the cap.
    func submit(_ request: SubmissionRequest, metadata: PaperRecord?, rules: SubmissionRules) async throws -> SubmissionOutcome
    /// The paper's submissions, oldest first.
    func submissions(paper: ArxivID) async throws -> [Submission]
}

/// Where paper metadata come from when the catalog does not have the paper: the arXiv API.
public protocol PaperMetadataSource: Sendable {
    /// The paper's record; nil when the source does not know the id. Throws
    /// `MetadataUnavailable` when the source cannot be reached or answers nonsense.
    func metadata(for id: ArxivID) async throws -> PaperRecord?
}

public struct MetadataUnavailable: Error, Sendable, CustomStringConvertible {
    public var reason: String

    public init(reason: String) { self.reason = reason }

    public var description: String { reason }
}
