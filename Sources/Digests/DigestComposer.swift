import Catalog
import Foundation
import Mail

/// One paper as a digest shows it.
public struct DigestPaper: Sendable, Hashable {
    /// The arXiv id, versionless (`2611.01234`, `hep-th/9901001`).
    public var id: String
    public var title: String
    public var authors: [String]
    public var abstract: String
    public var upvotes: Int
    public var comments: Int
    public var githubURL: String?
    public var projectURL: String?

    public init(
        id: String, title: String, authors: [String], abstract: String, upvotes: Int, comments: Int,
        githubURL: String? = nil, projectURL: String? = nil
    ) {
        self.id = id
        self.title = title
        self.authors = authors
        self.abstract = abstract
        self.upvotes = upvotes
        self.comments = comments
        self.githubURL = githubURL
        self.projectURL = projectURL
    }

    public init(_ paper: Paper) {
        self.init(
            id: paper.id.value, title: paper.title, authors: paper.authors, abstract: paper.abstract,
            upvotes: paper.upvotes, comments: paper.numComments, githubURL: paper.githubRepo, projectURL: paper.projectPage
        )
    }
}

/// Who a digest goes to.
public struct DigestRecipient: Sendable {
    public var address: EmailAddress
    /// The subscription's id: it names the digest in its Message-ID.
    public var subscriberID: Int64
    /// What the subscriber asked for, said in the footer ("cs.CL, diffusion"); nil for everything.
    public var topicDescription: String?

    public init(address: EmailAddress, subscriberID: Int64, topicDescription: String? = nil) {
        self.address = address
        self.subscriberID = subscriberID
        self.topicDescription = topicDescription
    }
}

/// The subscriber's own links, signed by the caller.
public struct DigestLinks: Sendable {
    /// One-click unsubscribe: the RFC 8058 POST target of `List-Unsubscribe`, and the footer's link.
    public var unsubscribeURL: String
    /// Where the subscriber changes topics or frequency.
    public var preferencesURL: String

    public init(unsubscribeURL: String, preferencesURL: String) {
        self.unsubscribeURL = unsubscribeURL
        self.preferencesURL = preferencesURL
    }
}

/// Why a digest could not be composed.
public enum DigestComposerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No papers: the sender skips such digests instead of sending an empty email.
    case noPapers(period: String)
    /// A link the message would carry is not an absolute http(s) URL that fits in a header.
    case invalidLink(name: String, value: String)

    public var description: String {
        switch self {
        case .noPapers(let period):
            return "the digest \(period) has no papers; an empty digest is not sent"
        case .invalidLink(let name, let value):
            return "\(name) \(value.debugDescription) is not an absolute http or https URL without spaces, quotes or angle brackets"
        }
    }
}

/// Writes the digest email: a subject naming the period, a plain-text part and an HTML part
/// that show the same papers (rank, title linked to its Paperboy page, authors, a shortened
/// abstract, upvotes and comments, arXiv, PDF, code and project links), and the headers mail
/// programs use to file and unsubscribe from a list (RFC 2369, RFC 2919, RFC 3834, RFC 8058).
///
/// Composing is a pure function of its inputs, date included, so the same digest composed
/// twice is the same message, Message-ID and all: a resent digest is recognisable as such.
public struct DigestComposer: Sendable {
    public let siteName: String
    /// The site's address without a trailing slash, e.g. `https://papers.example.org`.
    public let baseURL: String
    public let from: EmailAddress
    /// The per-paper part of the content (tidied title, shortened abstract, links), made once
    /// per paper: a run composes thousands of digests from a few dozen papers.
    let entries = DigestEntryCache()

    public init(siteName: String = "Paperboy", baseURL: String, from: EmailAddress) {
        self.siteName = siteName
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.from = from
    }

    /// The digest email for one subscriber.
    ///
    /// - Throws: `DigestComposerError.noPapers` when `papers` is empty,
    ///   `DigestComposerError.invalidLink` for a base URL or subscriber link that is not a plain
    ///   http(s) URL, `MailMessageError` when the mail layer refuses a header.
    public func compose(
        for recipient: DigestRecipient, period: DigestPeriod, papers: [DigestPaper], links: DigestLinks, date: Date
    ) throws -> MailMessage {
        guard !papers.isEmpty else { throw DigestComposerError.noPapers(period: period.key) }
        let host = try Self.host(of: baseURL)
        try Self.checkLink(links.unsubscribeURL, name: "the unsubscribe URL")
        try Self.checkLink(links.preferencesURL, name: "the preferences URL")
        let content = DigestContent(composer: self, recipient: recipient, period: period, papers: papers, links: links)
        var headers = try MailHeader.listUnsubscribe(oneClickURL: links.unsubscribeURL)
        headers.append(try MailHeader("List-Id", listID(host: host)))
        // RFC 3834: out-of-office robots do not answer auto-generated mail.
        headers.append(try MailHeader("Auto-Submitted", "auto-generated"))
        return try MailMessage(
            from: from,
            to: [recipient.address],
            subject: Self.subject(for: period),
            textBody: DigestText.render(content),
            htmlBody: DigestHTML.render(content),
            date: date,
            messageID: Self.messageID(period: period, subscriberID: recipient.subscriberID, host: host),
            extraHeaders: headers
        )
    }

    /// "Trending papers — Tuesday, 24 November 2026", "Trending papers — the week of 23 November 2026".
    public static func subject(for period: DigestPeriod) -> String {
        "Trending papers — \(period.title)"
    }

    /// `<digest.daily-2026-11-24.42@papers.example.org>`: the same for every sending of one
    /// subscriber's digest of one period, so mail programs and people see a resend for what it is.
    public static func messageID(period: DigestPeriod, subscriberID: Int64, host: String) -> String {
        // ':' is not allowed in a dot-atom; the key's other characters (letters, digits, '-') are.
        let key = period.key.replacingOccurrences(of: ":", with: "-")
        return "<digest.\(key).\(subscriberID)@\(host)>"
    }

    /// RFC 2919: a phrase, then the list's id in angle brackets. A site name that is not plain
    /// ASCII words is left out of the phrase (it would be encoded, and the id must not be).
    func listID(host: String) -> String {
        let plain = !siteName.isEmpty && siteName.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil || $0 == " " || $0 == "-")
        }
        return plain ? "\(siteName) digest <digest.\(host)>" : "<digest.\(host)>"
    }

    /// The host of the base URL, for the Message-ID and the List-Id.
    static func host(of baseURL: String) throws -> String {
        try checkLink(baseURL, name: "the base URL")
        guard let host = URL(string: baseURL)?.host, !host.isEmpty,
              host.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "." || $0 == "-") })
        else { throw DigestComposerError.invalidLink(name: "the base URL", value: baseURL) }
        return host.lowercased()
    }

    static func checkLink(_ url: String, name: String) throws {
        if !isWebLink(url) { throw DigestComposerError.invalidLink(name: name, value: url) }
    }

    /// Whether `url` is an absolute http(s) URL made of printable ASCII without the characters
    /// that would end it early in a header (`>`) or an attribute (quotes), or hide a script
    /// (`javascript:` and friends are not http).
    static func isWebLink(_ url: String) -> Bool {
        let lower = url.lowercased()
        guard lower.hasPrefix("https://") || lower.hasPrefix("http://") else { return false }
        guard url.count > (lower.hasPrefix("https://") ? 8 : 7) else { return false }
        return url.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F && !"<>\"'`\\{}|^".unicodeScalars.contains($0) }
    }
}

/// Entries of `DigestContent` by paper, shared by every digest a composer makes. Bounded: a
/// composer that lives for months in `serve` starts afresh past `capacity` papers.
final class DigestEntryCache: Sendable {
    /// A paper as a dictionary key that hashes only its id and counts: hashing whole abstracts
    /// on every lookup cost more than the rendering saved. Equality still compares everything.
    struct Key: Hashable {
        let paper: DigestPaper
        func hash(into hasher: inout Hasher) {
            hasher.combine(paper.id)
            hasher.combine(paper.upvotes)
            hasher.combine(paper.comments)
        }
    }

    enum Part: Hashable { case text, html }

    private struct FragmentKey: Hashable {
        let paper: Key
        let rank: Int
        let part: Part
    }

    private let entries = Memo<Key, DigestContent.Entry>(capacity: 5_000)
    private let fragments = Memo<FragmentKey, String>(capacity: 5_000)

    func entry(for paper: DigestPaper, make: () -> DigestContent.Entry) -> DigestContent.Entry {
        entries.value(for: Key(paper: paper), make: make)
    }

    func fragment(_ paper: DigestPaper, rank: Int, _ part: Part, make: () -> String) -> String {
        fragments.value(for: FragmentKey(paper: Key(paper: paper), rank: rank, part: part), make: make)
    }
}

/// Values made once per key and shared between tasks. Past `capacity` keys it starts afresh,
/// so a memo that lives as long as `serve` stays bounded.
final class Memo<Key: Hashable & Sendable, Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Key: Value] = [:]
    private let capacity: Int

    init(capacity: Int = .max) { self.capacity = capacity }

    func value(for key: Key, make: () -> Value) -> Value {
        if let known = lock.withLock({ values[key] }) { return known }
        let made = make()
        lock.withLock {
            if values.count >= capacity { values.removeAll(keepingCapacity: true) }
            values[key] = made
        }
        return made
    }
}
