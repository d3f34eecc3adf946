import Catalog
import Foundation
import Mail
import Testing

@testable import Digests

/// Fixed digests: the same inputs every run, so the rendered parts can be compared byte for
/// byte with the golden files in Snapshots/ (and the browser test loads those files).
enum DigestFixtures {
    static let composer = DigestComposer(
        baseURL: "https://papers.example.org/",
        from: try! EmailAddress("digest@papers.example.org", displayName: "Paperboy")
    )
    static let reader = try! EmailAddress("reader@example.org")
    static let links = DigestLinks(
        unsubscribeURL: "https://papers.example.org/digest/unsubscribe?s=42&t=9f8e7d6c5b4a",
        preferencesURL: "https://papers.example.org/digest/preferences?s=42&t=9f8e7d6c5b4a"
    )
    /// 2026-11-24 06:30 UTC, a Tuesday, and 2026-11-30 06:30 UTC, the Monday after week 48.
    static let dailyDate = Date(timeIntervalSince1970: 1_795_501_800)
    static let weeklyDate = Date(timeIntervalSince1970: 1_796_020_200)
    static let day = DigestPeriod.daily("2026-11-24")!
    static let week = DigestPeriod.weekly(containing: "2026-11-24")!

    static let longAbstract = """
        We study how diffusion language models scale with data, parameters and compute.
        Across 120 training runs from 70M to 13B parameters we find that, unlike
        autoregressive models, their loss keeps improving with repeated epochs over the same
        data, and that the compute-optimal ratio of tokens to parameters is roughly four times
        larger. We release the checkpoints, the training code and a suite of evaluation tools.
        """

    /// Markup, entities and quotes in a title and an abstract, a script link, non-ASCII names.
    static let hostile = DigestPaper(
        id: "2611.04242",
        title: "<script>alert(\"pwned\")</script> & \"Quotes\" — Attention's <b>Bold</b> Claims",
        authors: ["Zoë Müller", "李明", "Seán O'Brien"],
        abstract: "We show <img src=x onerror=alert(1)> that a & b < c holds when \"x\" > 'y'. Short.",
        upvotes: 1, comments: 1,
        githubURL: "javascript:alert(1)", projectURL: "https://example.org/a\"onmouseover=\"alert(1)"
    )

    static let papers: [DigestPaper] = [
        DigestPaper(
            id: "2611.01234",
            title: "Scaling Laws for\n  Diffusion Language Models",
            authors: ["Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra", "Barbara Liskov", "Donald Knuth"],
            abstract: longAbstract,
            upvotes: 123, comments: 4,
            githubURL: "https://github.com/example/diffusion-scaling", projectURL: "https://diffusion-scaling.example.org/"
        ),
        hostile,
        DigestPaper(
            id: "hep-th/9901001",
            title: "Pneumonoultramicroscopicsilicovolcanoconiosis-and-other-remarkably-long-unbroken-words in titles",
            authors: ["Juan Maldacena", "Edward Witten", "Leonard Susskind", "Gerard 't Hooft"],
            abstract: "A short abstract.",
            upvotes: 0, comments: 0
        ),
    ]

    static func daily() throws -> MailMessage {
        try composer.compose(
            for: DigestRecipient(address: reader, subscriberID: 42, topicDescription: "cs.CL, diffusion"),
            period: day, papers: papers, links: links, date: dailyDate
        )
    }

    static func weekly() throws -> MailMessage {
        try composer.compose(
            for: DigestRecipient(address: reader, subscriberID: 42, topicDescription: nil),
            period: week, papers: Array(papers.reversed()), links: links, date: weeklyDate
        )
    }
}

@Suite struct DigestComposerTests {
    static let snapshots = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")

    /// Compares `actual` with Snapshots/`name` byte for byte; UPDATE_SNAPSHOTS=1 rewrites the file
    /// instead (then look at the diff before committing it).
    static func expectSnapshot(_ actual: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let file = snapshots.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["UPDATE_SNAPSHOTS"] == "1" {
            try FileManager.default.createDirectory(at: snapshots, withIntermediateDirectories: true)
            try Data(actual.utf8).write(to: file)
            return
        }
        guard let expected = FileManager.default.contents(atPath: file.path) else {
            Issue.record("no snapshot \(name): run the tests with UPDATE_SNAPSHOTS=1 to write it", sourceLocation: sourceLocation)
            return
        }
        guard expected != Data(actual.utf8) else { return }
        // Name the first line that differs, so the failure says where to look.
        let old = String(decoding: expected, as: UTF8.self).components(separatedBy: "\n")
        let new = actual.components(separatedBy: "\n")
        let index = Array(zip(old, new)).firstIndex { $0 != $1 } ?? min(old.count, new.count)
        let was = index < old.count ? old[index] : "<end of file>"
        let now = index < new.count ? new[index] : "<end of file>"
        let explanation = "\(name) differs from its snapshot at line \(index + 1):\n  snapshot: \(was)\n  rendered: \(now)\n"
            + "(UPDATE_SNAPSHOTS=1 rewrites the snapshots if the change is meant)"
        Issue.record(Comment(rawValue: explanation), sourceLocation: sourceLocation)
    }

    @Test func dailyDigestMatchesItsSnapshots() throws {
        let message = try DigestFixtures.daily()
        try Self.expectSnapshot(message.textBody, "daily.txt")
        try Self.expectSnapshot(try #require(message.htmlBody), "daily.html")
    }

    @Test func weeklyDigestMatchesItsSnapshots() throws {
        let message = try DigestFixtures.weekly()
        try Self.expectSnapshot(message.textBody, "weekly.txt")
        try Self.expectSnapshot(try #require(message.htmlBody), "weekly.html")
    }

    // MARK: - Headers

    /// The header block as sent, unfolded, by field name (first occurrence).
    static func headers(of message: MailMessage) -> [String: String] {
        let raw = String(decoding: MIMEWriter.render(message, boundary: "=_test"), as: UTF8.self)
        let block = raw.components(separatedBy: "\r\n\r\n")[0].replacingOccurrences(of: "\r\n ", with: " ")
        var fields: [String: String] = [:]
        for line in block.components(separatedBy: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = String(line[..<colon])
            if fields[name] == nil { fields[name] = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces) }
        }
        return fields
    }

    /// Decodes a header value made of RFC 2047 "B" encoded-words (as MIMEWriter writes them).
    static func decodeEncodedWords(_ value: String) -> String? {
        var bytes = Data()
        for word in value.split(separator: " ") {
            guard word.hasPrefix("=?UTF-8?B?"), word.hasSuffix("?=") else { return nil }
            guard let chunk = Data(base64Encoded: String(word.dropFirst(10).dropLast(2))) else { return nil }
            bytes += chunk
        }
        return String(data: bytes, encoding: .utf8)
    }

    @Test func headersMakeItAListWithOneClickUnsubscribe() throws {
        let message = try DigestFixtures.daily()
        let fields = Self.headers(of: message)
        #expect(fields["List-Unsubscribe"] == "<https://papers.example.org/digest/unsubscribe?s=42&t=9f8e7d6c5b4a>")
        #expect(fields["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click")
        #expect(fields["List-Id"] == "Paperboy digest <digest.papers.example.org>")
        #expect(fields["Auto-Submitted"] == "auto-generated")
        #expect(fields["Message-ID"] == "<digest.daily-2026-11-24.42@papers.example.org>")
        #expect(fields["To"] == "reader@example.org")
        #expect(fields["From"] == "Paperboy <digest@papers.example.org>")
        #expect(fields["Date"] == "Tue, 24 Nov 2026 06:30:00 +0000")
        #expect(fields["Content-Type"]?.hasPrefix("multipart/alternative;") == true)
        // The em dash makes the subject non-ASCII: it travels as encoded-words and decodes back.
        #expect(message.subject == "Trending papers — Tuesday, 24 November 2026")
        let subject = try #require(fields["Subject"])
        #expect(subject.hasPrefix("=?UTF-8?B?"))
        #expect(Self.decodeEncodedWords(subject) == "Trending papers — Tuesday, 24 November 2026")

        let weekly = try DigestFixtures.weekly()
        #expect(weekly.subject == "Trending papers — the week of 23 November 2026")
        #expect(weekly.messageID == "<digest.weekly-2026-W48.42@papers.example.org>")
    }

    @Test func theMessageIDNamesTheDigestSoAResendIsRecognisable() throws {
        let first = try DigestFixtures.daily()
        let again = try DigestFixtures.daily()
        #expect(first.messageID == again.messageID)
        #expect(MIMEWriter.render(first, boundary: "=_b") == MIMEWriter.render(again, boundary: "=_b"))
        let other = try DigestFixtures.composer.compose(
            for: DigestRecipient(address: DigestFixtures.reader, subscriberID: 43), period: DigestFixtures.day,
            papers: DigestFixtures.papers, links: DigestFixtures.links, date: DigestFixtures.dailyDate
        )
        #expect(other.messageID == "<digest.daily-2026-11-24.43@papers.example.org>")
        #expect(other.messageID != first.messageID)
    }

    // MARK: - Content

    @Test func catalogTextIsEscapedInTheHTML() throws {
        let html = try #require(try DigestFixtures.daily().htmlBody)
        #expect(!html.lowercased().contains("<script"))
        #expect(!html.lowercased().contains("<img"))
        #expect(!html.contains("<b>"))
        #expect(!html.contains("javascript:"))
        #expect(!html.contains("onmouseover"))
        #expect(html.contains("&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; &amp; &quot;Quotes&quot; — Attention&#39;s &lt;b&gt;Bold&lt;/b&gt; Claims"))
        #expect(html.contains("We show &lt;img src=x onerror=alert(1)&gt; that a &amp; b &lt; c holds when &quot;x&quot; &gt; &#39;y&#39;."))
        #expect(html.contains("Zoë Müller, 李明, Seán O&#39;Brien"))
        // Every link is http(s), and the query's "&" is escaped in the attribute.
        let hrefs = html.components(separatedBy: "href=\"").dropFirst().map { $0.prefix { $0 != "\"" } }
        #expect(hrefs.count > 10)
        #expect(hrefs.allSatisfy { $0.hasPrefix("https://") })
        #expect(hrefs.contains("https://papers.example.org/digest/unsubscribe?s=42&amp;t=9f8e7d6c5b4a"))
        // No scripts, no external style sheets or images: all a mail program would block or strip.
        for forbidden in ["<script", "<link", "<img", "<style", "@import", "url("] {
            #expect(!html.contains(forbidden), "the HTML contains \(forbidden)")
        }
        // The script link appears in neither part; the text part keeps the title as written.
        let text = try DigestFixtures.daily().textBody
        #expect(!text.contains("javascript:"))
        #expect(text.contains("2. <script>alert(\"pwned\")</script> & \"Quotes\""))
    }

    @Test func escapingHandlesEveryHTMLSpecialCharacterEvenBeforeACombiningMark() {
        #expect(HTMLText.escape("a & b < c > d \"e\" 'f'") == "a &amp; b &lt; c &gt; d &quot;e&quot; &#39;f&#39;")
        #expect(HTMLText.escape("plain text, ünïcode ✓") == "plain text, ünïcode ✓")
        // "<" with a combining mark is one Character that is not "<"; its byte still opens a tag.
        #expect(HTMLText.escape("<\u{338}script>") == "&lt;\u{338}script&gt;")
        #expect(HTMLText.escape("x\" onclick=\"y") == "x&quot; onclick=&quot;y")
    }

    @Test func eachPaperShowsItsRankLinksAndCounts() throws {
        let message = try DigestFixtures.daily()
        let html = try #require(message.htmlBody)
        let text = message.textBody
        #expect(html.contains("<a href=\"https://papers.example.org/papers/2611.01234\""))
        #expect(html.contains("<a href=\"https://papers.example.org/papers/hep-th/9901001\""))
        #expect(html.contains("https://arxiv.org/abs/2611.01234"))
        #expect(html.contains("https://arxiv.org/pdf/2611.01234"))
        #expect(html.contains("https://github.com/example/diffusion-scaling"))
        #expect(html.contains("https://diffusion-scaling.example.org/"))
        #expect(html.contains("https://papers.example.org/papers/date/2026-11-24"))
        #expect(html.contains("▲ 123 upvotes") && html.contains("4 comments"))
        #expect(html.contains("▲ 1 upvote<") && html.contains(">1 comment<"))
        #expect(text.contains("1. Scaling Laws for Diffusion Language Models\n"))
        #expect(text.contains("   Ada Lovelace, Alan Turing, Grace Hopper et al.\n"))
        #expect(text.contains("   Juan Maldacena, Edward Witten, Leonard Susskind, Gerard 't Hooft\n"))
        #expect(text.contains("   Code: https://github.com/example/diffusion-scaling\n"))
        #expect(text.contains("   PDF: https://arxiv.org/pdf/hep-th/9901001\n"))
        // The hostile paper's project URL has a quote in it: it is no plain web link, so not shown.
        #expect(!text.contains("example.org/a\""))
        #expect(text.replacingOccurrences(of: "\n", with: " ").contains("subscribed to the daily Paperboy digest for: cs.CL, diffusion."))
        #expect(text.contains("Unsubscribe: https://papers.example.org/digest/unsubscribe?s=42&t=9f8e7d6c5b4a\n"))
        #expect(text.contains("Change topics or frequency: https://papers.example.org/digest/preferences?s=42&t=9f8e7d6c5b4a\n"))
        // Every line of the text part fits in 72 characters, but for one that ends in a word too
        // long to share a line (a URL, the hostile title's 85-letter word), which is never broken.
        for line in text.components(separatedBy: "\n") where line.count > DigestText.width {
            let last = line.split(separator: " ").last ?? ""
            #expect(last.count > 40, "line too long: \(line)")
        }
        #expect(text.contains("\n3. Pneumonoultramicroscopicsilicovolcanoconiosis-and-other-remarkably-long-unbroken-words\n   in titles\n"))

        let weekly = try DigestFixtures.weekly()
        #expect(weekly.htmlBody?.contains("https://papers.example.org/papers/week/2026-W48") == true)
        #expect(weekly.textBody.contains("See the whole week on Paperboy:\nhttps://papers.example.org/papers/week/2026-W48\n"))
        #expect(weekly.textBody.replacingOccurrences(of: "\n", with: " ").contains(
            "You get this email because you subscribed to the weekly Paperboy digest of all trending papers."))
        #expect(weekly.textBody.hasPrefix("PAPERBOY · TRENDING PAPERS\nThe week of 23 November 2026 · 3 papers\n"))
    }

    @Test func abstractsAreShortenedOnAWordBoundary() throws {
        let abstract = DigestFixtures.longAbstract
        let short = DigestContent.shorten(abstract, to: 300)
        #expect(short.count <= 300)
        #expect(short.count > 250)
        #expect(short.hasSuffix("…"))
        let kept = String(short.dropLast())
        let flat = DigestContent.oneLine(abstract)
        #expect(flat.hasPrefix(kept))
        // The cut falls between words: the original goes on with a space (after any punctuation dropped).
        let rest = flat.dropFirst(kept.count)
        #expect(rest.first == " " || rest.first == ",")
        #expect(!kept.hasSuffix(" ") && !kept.hasSuffix(","))
        #expect(!short.contains("\n") && !short.contains("  "))

        #expect(DigestContent.shorten("Short  and\nsweet.", to: 300) == "Short and sweet.")
        // Exactly at the limit: nothing cut.
        let exact = String(repeating: "abcd ", count: 60).trimmingCharacters(in: .whitespaces)
        #expect(DigestContent.shorten(exact, to: exact.count) == exact)
        // One word longer than the limit is cut inside it rather than dropped.
        let word = String(repeating: "x", count: 400)
        #expect(DigestContent.shorten(word, to: 300) == String(repeating: "x", count: 299) + "…")
        // The message shows the abstract so shortened (the HTML keeps it on one line).
        #expect(try DigestFixtures.daily().htmlBody?.contains(">\(short)</p>") == true)
    }

    @Test func authorsAreCutAfterAFewWithEtAl() {
        #expect(DigestContent.authorList([]) == nil)
        #expect(DigestContent.authorList(["A"]) == "A")
        #expect(DigestContent.authorList(["A", "B", "C", "D"]) == "A, B, C, D")
        #expect(DigestContent.authorList(["A", "B", "C", "D", "E"]) == "A, B, C et al.")
        #expect(DigestContent.authorList(["  Zoë\n Müller ", ""]) == "Zoë Müller")
    }

    // MARK: - Refusals

    @Test func anEmptyDigestIsRefused() {
        #expect(throws: DigestComposerError.noPapers(period: "daily:2026-11-24")) {
            try DigestFixtures.composer.compose(
                for: DigestRecipient(address: DigestFixtures.reader, subscriberID: 1), period: DigestFixtures.day,
                papers: [], links: DigestFixtures.links, date: DigestFixtures.dailyDate
            )
        }
    }

    @Test func linksThatAreNotPlainWebURLsAreRefused() {
        for bad in ["javascript:alert(1)", "https://x.example/>\r\nBcc: victim@example.org", "https://x.example/a b", "/relative"] {
            let links = DigestLinks(unsubscribeURL: bad, preferencesURL: DigestFixtures.links.preferencesURL)
            #expect(throws: DigestComposerError.invalidLink(name: "the unsubscribe URL", value: bad)) {
                try DigestFixtures.composer.compose(
                    for: DigestRecipient(address: DigestFixtures.reader, subscriberID: 1), period: DigestFixtures.day,
                    papers: DigestFixtures.papers, links: links, date: DigestFixtures.dailyDate
                )
            }
        }
        let noHost = DigestComposer(baseURL: "papers.example.org", from: DigestFixtures.reader)
        #expect(throws: DigestComposerError.self) {
            try noHost.compose(
                for: DigestRecipient(address: DigestFixtures.reader, subscriberID: 1), period: DigestFixtures.day,
                papers: DigestFixtures.papers, links: DigestFixtures.links, date: DigestFixtures.dailyDate
            )
        }
    }

    @Test func aPaperFromTheCatalogBecomesADigestPaper() throws {
        let id = try #require(ArxivID("2611.01234"))
        let paper = Paper(
            id: id, title: "T", abstract: "A", authors: ["X", "Y"], githubRepo: "https://github.com/x/y",
            projectPage: "https://x.example", upvotes: 7, numComments: 2
        )
        #expect(DigestPaper(paper) == DigestPaper(
            id: "2611.01234", title: "T", authors: ["X", "Y"], abstract: "A", upvotes: 7, comments: 2,
            githubURL: "https://github.com/x/y", projectURL: "https://x.example"
        ))
    }
}
