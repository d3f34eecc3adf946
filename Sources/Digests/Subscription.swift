import Catalog
import Foundation
import Mail

/// One email address's subscription to the digest. Made by the subscribe form (no account
/// needed), live only once the address has confirmed it (double opt-in), and kept after an
/// unsubscribe so that a later run never mails the address by mistake.
public struct Subscription: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable {
        /// Waiting for the address to confirm; never mailed a digest.
        case pending
        /// Confirmed: receives digests.
        case active
        /// The subscriber left; receives nothing until they subscribe and confirm again.
        case unsubscribed
        /// The address bounced permanently too often; receives nothing until it subscribes again.
        case suspended
    }

    public let id: Int64
    /// As typed, with the domain lower-cased; unique without regard to case.
    public var email: String
    public var frequency: DigestFrequency
    public var topics: DigestTopics
    /// The account that made the subscription while signed in, if any: "for me" digests rank
    /// papers by what that account upvoted and saved.
    public var userID: Int64?
    /// Rank by the user's own taste (needs `userID`) rather than by trending alone.
    public var forMe: Bool
    public var status: Status
    public var createdAt: Date
    public var confirmedAt: Date?
    /// Permanent delivery failures in a row; reset by a delivery.
    public var bounces: Int

    public init(
        id: Int64, email: String, frequency: DigestFrequency, topics: DigestTopics = DigestTopics(), userID: Int64? = nil,
        forMe: Bool = false, status: Status, createdAt: Date, confirmedAt: Date? = nil, bounces: Int = 0
    ) {
        self.id = id
        self.email = email
        self.frequency = frequency
        self.topics = topics
        self.userID = userID
        self.forMe = forMe
        self.status = status
        self.createdAt = createdAt
        self.confirmedAt = confirmedAt
        self.bounces = bounces
    }
}

/// What the subscribe form asks for; checked by `SubscriptionRequest.make`.
public struct SubscriptionRequest: Sendable, Equatable {
    public let email: String
    public let frequency: DigestFrequency
    public let topics: DigestTopics
    public let userID: Int64?
    public let forMe: Bool

    /// Checks a submitted form: the address must be one Paperboy can mail (no line breaks, no
    /// header tricks: `EmailAddress` decides), the frequency daily or weekly, the topics short.
    /// Each refusal names the field.
    public static func make(
        email rawEmail: String, frequency rawFrequency: String?, topics rawTopics: String?, userID: Int64? = nil, forMe: Bool = false
    ) throws(SubscriptionError) -> SubscriptionRequest {
        let email = try normalisedAddress(rawEmail)
        let frequencyText = (rawFrequency ?? "daily").trimmingCharacters(in: .whitespaces).lowercased()
        guard let frequency = DigestFrequency(rawValue: frequencyText.isEmpty ? "daily" : frequencyText) else {
            throw .invalid(field: "frequency", "must be daily or weekly, not '\(String(frequencyText.prefix(40)))'")
        }
        let topics = try DigestTopics(parsing: rawTopics ?? "")
        if forMe && userID == nil { throw .invalid(field: "for_me", "log in to get papers picked by what you upvote and save") }
        return SubscriptionRequest(email: email, frequency: frequency, topics: topics, userID: userID, forMe: forMe)
    }

    /// The address as stored: surrounding space trimmed, the domain lower-cased (the local part
    /// is the mailbox owner's business, RFC 5321 section 2.4).
    public static func normalisedAddress(_ raw: String) throws(SubscriptionError) -> String {
        let trimmed = raw.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { throw .invalid(field: "email", "enter an email address") }
        do {
            let address = try EmailAddress(trimmed)
            return "\(address.localPart)@\(address.domain.lowercased())"
        } catch {
            throw .invalid(field: "email", "\(error)")
        }
    }

    init(email: String, frequency: DigestFrequency, topics: DigestTopics, userID: Int64?, forMe: Bool) {
        self.email = email
        self.frequency = frequency
        self.topics = topics
        self.userID = userID
        self.forMe = forMe
    }
}

/// An optional interest filter: arXiv categories (`cs.CL`) and keywords (`diffusion`,
/// `"state space"`). A paper is in a filtered digest when it is in any listed category or
/// mentions any keyword in its title or abstract; an empty filter takes every paper.
public struct DigestTopics: Sendable, Hashable {
    public private(set) var categories: [String]
    public private(set) var keywords: [String]

    static let maximumEntries = 20
    static let maximumEntryLength = 60

    public init(categories: [String] = [], keywords: [String] = []) {
        self.categories = categories
        self.keywords = keywords
    }

    /// Reads what a person types: entries separated by commas or new lines. An entry shaped
    /// like an arXiv category (`cs.CL`, `hep-th`, `math.AG`, `stat.ML`) is a category; anything
    /// else is a keyword, matched without regard to case.
    public init(parsing text: String) throws(SubscriptionError) {
        var categories: [String] = [], keywords: [String] = []
        let entries = text.split(whereSeparator: { $0 == "," || $0 == "\n" || $0 == "\r" || $0 == ";" })
            .map { $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
            .filter { !$0.isEmpty }
        if entries.count > Self.maximumEntries {
            throw .invalid(field: "topics", "at most \(Self.maximumEntries) topics, separated by commas (got \(entries.count))")
        }
        for entry in entries {
            if entry.count > Self.maximumEntryLength {
                throw .invalid(field: "topics", "'\(entry.prefix(20))…' is longer than \(Self.maximumEntryLength) characters")
            }
            if entry.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                throw .invalid(field: "topics", "control characters are not allowed")
            }
            if let category = Self.category(entry) {
                if !categories.contains(category) { categories.append(category) }
            } else if !keywords.contains(where: { $0.lowercased() == entry.lowercased() }) {
                keywords.append(entry)
            }
        }
        self.init(categories: categories, keywords: keywords)
    }

    public var isEmpty: Bool { categories.isEmpty && keywords.isEmpty }

    /// The filter as it is stored and shown in forms: `cs.CL, diffusion`.
    public var text: String { (categories + keywords).joined(separator: ", ") }

    /// Whether a paper belongs in a digest with this filter. `foldedText` is the paper's
    /// `searchableText`, when the caller has it already (a digest run folds each paper once,
    /// not once per subscriber).
    public func admits(_ paper: Paper, foldedText: String? = nil) -> Bool {
        if isEmpty { return true }
        if !categories.isEmpty, paper.categories.contains(where: { category in
            categories.contains { $0.caseInsensitiveCompare(category) == .orderedSame || category.lowercased().hasPrefix($0.lowercased() + ".") }
        }) { return true }
        guard !keywords.isEmpty else { return false }
        let haystack = foldedText ?? Self.searchableText(of: paper)
        return keywords.contains { keyword in Self.containsWord(haystack, Self.fold(keyword)) }
    }

    /// The title and abstract as keywords are matched against: case and accents folded.
    public static func searchableText(of paper: Paper) -> String { fold(paper.title + " " + paper.abstract) }

    static func fold(_ text: String) -> String { text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil) }

    /// `needle` in `haystack` starting at a word boundary, so "GAN" finds "GANs" but not "organ".
    /// Compares UTF-8 bytes: a run matches every keyword of thousands of subscribers against
    /// every paper, and Foundation's search cost more than composing the emails.
    static func containsWord(_ haystack: String, _ needle: String) -> Bool {
        var haystack = haystack, needle = needle
        haystack.makeContiguousUTF8()
        needle.makeContiguousUTF8()
        let found = haystack.utf8.withContiguousStorageIfAvailable { h in
            needle.utf8.withContiguousStorageIfAvailable { n in containsWord(h, n) }
        }
        return (found ?? nil) ?? false
    }

    private static func containsWord(_ h: UnsafeBufferPointer<UInt8>, _ n: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = n.first, n.count <= h.count else { return false }
        var i = 0
        while i <= h.count - n.count {
            if h[i] == first, startsWord(h, at: i) {
                var j = 1
                while j < n.count && h[i + j] == n[j] { j += 1 }
                if j == n.count { return true }
            }
            i += 1
        }
        return false
    }

    /// Whether the character before byte `i` is neither a letter nor a digit.
    private static func startsWord(_ h: UnsafeBufferPointer<UInt8>, at i: Int) -> Bool {
        guard i > 0 else { return true }
        let before = h[i - 1]
        if before < 0x80 {
            let scalar = Unicode.Scalar(before)
            return !(("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar))
        }
        // A multi-byte character: back to its first byte, decoded (curly quotes and dashes are
        // boundaries, accented letters are not).
        var start = i - 1
        while start > 0 && h[start] & 0xC0 == 0x80 { start -= 1 }
        var decoder = UTF8()
        var iterator = h[start..<i].makeIterator()
        guard case .scalarValue(let scalar) = decoder.decode(&iterator) else { return true }
        return !(scalar.properties.isAlphabetic || scalar.properties.numericType != nil)
    }

    /// An arXiv archive or category name: `cs`, `cs.CL`, `hep-th`, `math.AG`, `q-bio.NC`.
    static func category(_ entry: String) -> String? {
        let parts = entry.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count) else { return nil }
        let archive = parts[0].lowercased()
        guard knownArchives.contains(archive) else { return nil }
        guard parts.count == 2 else { return archive }
        let sub = parts[1]
        guard (1...8).contains(sub.count), sub.allSatisfy({ $0.isASCII && ($0.isLetter || $0 == "-") }) else { return nil }
        // arXiv writes cs.CL and math.AG in capitals, physics subjects (hep-th has none) and
        // astro-ph.GA alike: the subject class is upper case in every archive but physics'.
        return archive + "." + (archive == "physics" ? sub.lowercased() : sub.uppercased())
    }

    static let knownArchives: Set<String> = [
        "cs", "math", "stat", "eess", "econ", "q-bio", "q-fin", "physics", "astro-ph", "cond-mat", "gr-qc", "hep-ex",
        "hep-lat", "hep-ph", "hep-th", "math-ph", "nlin", "nucl-ex", "nucl-th", "quant-ph",
    ]
}

/// A refusal a person can act on: which field, and why.
public enum SubscriptionError: Error, Equatable, CustomStringConvertible {
    case invalid(field: String, String)

    public var field: String {
        switch self { case .invalid(let field, _): field }
    }

    public var description: String {
        switch self { case .invalid(let field, let why): "\(field): \(why)" }
    }
}
