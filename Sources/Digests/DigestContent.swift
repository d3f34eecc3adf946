import Mail

/// The digest as the reader sees it, every value decided: texts tidied and shortened, links
/// built. `DigestText` and `DigestHTML` only lay it out, so the two parts always say the same.
struct DigestContent {
    struct Entry {
        var rank: Int
        var title: String
        /// The paper's page on the site.
        var pageURL: String
        /// "A. One, B. Two, C. Three et al."; nil when the paper lists none.
        var authors: String?
        var abstract: String
        var upvotes: Int
        var comments: Int
        /// arXiv, PDF, then code and project page when known: (label, URL).
        var links: [(label: String, url: String)]
    }

    var siteName: String
    var siteURL: String
    var heading: String
    /// "Tuesday, 24 November 2026" or "The week of 23 November 2026".
    var periodTitle: String
    /// The same day or week on the site, and the words of its link.
    var periodURL: String
    var periodLinkText: String
    var entries: [Entry]
    /// The papers behind `entries`, in the same order: the keys of the composer's cache.
    var papers: [DigestPaper]
    /// Where rendered papers are kept between digests (the composer's).
    let cache: DigestEntryCache
    /// A line mail programs show beside the subject in the inbox.
    var preview: String
    /// Why the reader gets this email, one sentence.
    var reason: String
    var recipientAddress: String
    var preferencesURL: String
    var unsubscribeURL: String

    /// Authors named before "et al.".
    static let authorsShown = 3
    /// About how long a shortened abstract is, in characters.
    static let abstractLength = 300

    init(composer: DigestComposer, recipient: DigestRecipient, period: DigestPeriod, papers: [DigestPaper], links: DigestLinks) {
        let base = composer.baseURL
        siteName = composer.siteName
        siteURL = base + "/papers"
        heading = "Trending papers"
        let title = period.title
        periodTitle = title.prefix(1).uppercased() + title.dropFirst()
        switch period.frequency {
        case .daily:
            periodURL = "\(base)/papers/date/\(period.label)"
            periodLinkText = "See the whole day on \(composer.siteName)"
        case .weekly:
            periodURL = "\(base)/papers/week/\(period.label)"
            periodLinkText = "See the whole week on \(composer.siteName)"
        }
        self.papers = papers
        cache = composer.entries
        entries = papers.enumerated().map { index, paper in
            var entry = composer.entries.entry(for: paper) { Self.entry(for: paper, base: base) }
            entry.rank = index + 1
            return entry
        }
        let count = papers.count == 1 ? "1 paper" : "\(papers.count) papers"
        preview = Self.shorten("\(count) for \(title): " + entries.prefix(3).map(\.title).joined(separator: " · "), to: 140)
        let frequency = period.frequency == .daily ? "daily" : "weekly"
        let topic = recipient.topicDescription.map(Self.oneLine).flatMap { $0.isEmpty ? nil : $0 }
        if let topic {
            reason = "You get this email because you subscribed to the \(frequency) \(composer.siteName) digest for: \(topic)."
        } else {
            reason = "You get this email because you subscribed to the \(frequency) \(composer.siteName) digest of all trending papers."
        }
        recipientAddress = recipient.address.address
        preferencesURL = links.preferencesURL
        unsubscribeURL = links.unsubscribeURL
    }

    /// A paper's entry, without its rank: the same in every digest that shows the paper.
    static func entry(for paper: DigestPaper, base: String) -> Entry {
        let id = pathSafe(paper.id)
        var paperLinks: [(label: String, url: String)] = [
            ("arXiv", "https://arxiv.org/abs/\(id)"),
            ("PDF", "https://arxiv.org/pdf/\(id)"),
        ]
        // Catalog links come from paper text and outside feeds: only plain web links are shown.
        if let github = paper.githubURL, DigestComposer.isWebLink(github) { paperLinks.append(("Code", github)) }
        if let project = paper.projectURL, DigestComposer.isWebLink(project) { paperLinks.append(("Project page", project)) }
        return Entry(
            rank: 0,
            title: Self.oneLine(paper.title),
            pageURL: "\(base)/papers/\(id)",
            authors: Self.authorList(paper.authors),
            abstract: Self.shorten(paper.abstract, to: Self.abstractLength),
            upvotes: paper.upvotes,
            comments: paper.comments,
            links: paperLinks
        )
    }

    /// Entry `index` rendered by `render`, made once per paper, rank and part: the same paper
    /// at the same place reads the same in every digest.
    func fragment(_ index: Int, _ part: DigestEntryCache.Part, render: (Entry) -> String) -> String {
        cache.fragment(papers[index], rank: entries[index].rank, part) { render(entries[index]) }
    }

    var countText: String { entries.count == 1 ? "1 paper" : "\(entries.count) papers" }

    static func count(_ n: Int, _ singular: String, _ plural: String) -> String {
        "\(n) \(n == 1 ? singular : plural)"
    }

    /// Runs of whitespace (arXiv titles and abstracts keep the line breaks of their source)
    /// become single spaces; ends trimmed.
    static func oneLine(_ text: String) -> String {
        // By scalar: splitting by Character finds grapheme boundaries first, which made this
        // the costliest step of a digest run (every abstract, for every subscriber).
        var out = String.UnicodeScalarView()
        var spaceDue = false
        for scalar in text.unicodeScalars {
            // ASCII answered directly: Unicode's property lookup costs more than the rest.
            let isSpace = scalar.value < 0x80 ? (scalar == " " || (0x09...0x0D).contains(scalar.value)) : scalar.properties.isWhitespace
            if isSpace {
                spaceDue = !out.isEmpty
                continue
            }
            if spaceDue {
                out.append(" ")
                spaceDue = false
            }
            out.append(scalar)
        }
        return String(out)
    }

    /// The first `authorsShown` names and "et al." when there are more, so a 40-author paper
    /// stays one line; nil without authors.
    static func authorList(_ authors: [String]) -> String? {
        let names = authors.map(oneLine).filter { !$0.isEmpty }
        guard !names.isEmpty else { return nil }
        if names.count <= authorsShown + 1 { return names.joined(separator: ", ") }
        return names.prefix(authorsShown).joined(separator: ", ") + " et al."
    }

    /// `text` on one line, cut to at most `limit` characters at the last word boundary, ending
    /// in "…". A cut never splits a word unless a single word is longer than the limit; trailing
    /// punctuation that would sit oddly before the ellipsis (",", ";", ":") is dropped.
    static func shorten(_ text: String, to limit: Int) -> String {
        // Only the start is shown: a long abstract is tidied up to a few times the limit (the
        // rest cannot change the cut), unless collapsing its spaces left too little of it.
        let head = text.unicodeScalars.count > limit * 4 ? String(text.unicodeScalars.prefix(limit * 4)) : text
        var line = oneLine(head)
        if head.unicodeScalars.count < text.unicodeScalars.count && line.count <= limit { line = oneLine(text) }
        guard line.count > limit else { return line }
        let room = line.prefix(limit - 1)  // one character is kept for the ellipsis
        var cut = room
        if let space = room.lastIndex(of: " "), room.distance(from: room.startIndex, to: space) >= limit / 2 {
            cut = room[..<space]
        }
        while let last = cut.last, last == " " || last == "," || last == ";" || last == ":" || last == "-" || last == "—" {
            cut = cut.dropLast()
        }
        return cut + "…"
    }

    /// The id as a URL path: the characters arXiv ids use pass, anything else is percent-encoded.
    static func pathSafe(_ id: String) -> String {
        var out = ""
        for byte in id.utf8 {
            let scalar = Unicode.Scalar(byte)
            let keep = (byte < 0x80) && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || ".-_/".unicodeScalars.contains(scalar))
            if keep {
                out.unicodeScalars.append(scalar)
            } else {
                let hex = Array("0123456789ABCDEF")
                out += "%\(hex[Int(byte >> 4)])\(hex[Int(byte & 0x0F)])"
            }
        }
        return out
    }
}
