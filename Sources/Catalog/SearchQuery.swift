/// What a reader typed into the search box, taken apart into words, "quoted phrases",
/// `-excluded` words, `author:` and `category:` filters and a `from:`/`to:` date range.
///
/// Parsing never fails: whatever is typed becomes a query, possibly an empty one. Characters
/// that mean something to a full-text engine (quotes, parentheses, `*`, `:`, `AND`/`OR`/`NEAR`)
/// are plain text here; backends quote every word they pass on.
public struct SearchQuery: Sendable, Equatable {
    /// Words that must all appear (in title, authors or abstract).
    public var words: [String] = []
    /// Phrases whose words must appear next to each other, in order.
    public var phrases: [[String]] = []
    /// Words or phrases that must not appear.
    public var excluded: [[String]] = []
    /// Each entry: the words of one author's name, which must appear together in the authors.
    public var authors: [[String]] = []
    /// Categories the paper must have (any of them when several are given).
    public var categories: [String] = []
    /// Publication date range, inclusive, `YYYY-MM-DD`.
    public var publishedFrom: String?
    public var publishedThrough: String?
    /// The words and phrases as typed, in order, without filters or exclusions: what a
    /// semantic search embeds.
    public var semanticText = ""
    /// When set, a paper needs only one of the words or phrases, not all of them (BM25 still
    /// ranks those with more of them first). Author filters and exclusions still apply. Backends
    /// may leave out words so common that they find nothing in particular.
    public var matchAnyWord = false
    /// With `matchAnyWord`: only this many of the words count, those found in the fewest papers
    /// (ties: the earlier word). "Papers like this title" needs its telling words, and each
    /// common one would add thousands of papers to rank.
    public var keepRarestWords: Int?
    /// With `keepRarestWords`: only words found in at least this many papers count. Looking for
    /// papers like one in the catalog, 2 leaves out the words only that paper has.
    public var rareWordsFoundInAtLeast = 1
    /// With `matchAnyWord`: words found in this many papers or more are left out; nil leaves
    /// the backend's own limit (`commonWordPapers`). Counting costs up to this many rows a
    /// word, so a lower limit makes a quick search of telling words.
    public var commonWordLimit: Int?

    /// `keepRarestWords` applied to words counted by a backend (each count may stop at a cap):
    /// the rarest ones, in their order in the query.
    public func rarest(_ counted: [(word: String, papers: Int)]) -> [String] {
        guard let keep = keepRarestWords else { return counted.map(\.word) }
        let found = counted.filter { $0.papers >= rareWordsFoundInAtLeast }
        let chosen = Set(found.indices.sorted { (found[$0].papers, $0) < (found[$1].papers, $1) }.prefix(max(0, keep)))
        return found.indices.filter(chosen.contains).map { found[$0].word }
    }

    /// English function words: they carry no topic, nearly every paper has them, and requiring
    /// them would only make the engine walk its longest lists. Left out of the words a paper
    /// must have (phrases keep them).
    public static let stopWords: Set<String> = [
        "a", "about", "after", "all", "an", "and", "are", "as", "at", "be", "between", "beyond", "by", "can", "do", "does",
        "for", "from", "how", "if", "in", "into", "is", "it", "its", "more", "not", "of", "on", "or", "our", "over", "than",
        "that", "the", "their", "this", "through", "to", "towards", "toward", "under", "up", "via", "vs", "we", "what",
        "when", "where", "which", "while", "who", "why", "with", "without", "you", "your",
    ]

    /// The words a paper must have (or, with `matchAnyWord`, may have): all but the stop words,
    /// or all of them when nothing else is left ("to be or not to be").
    public var topicalWords: [String] {
        let topical = words.filter { !Self.stopWords.contains($0) }
        return topical.isEmpty ? words : topical
    }

    public init() {}

    /// The longest query taken into account; the rest of a pasted essay is ignored.
    public static let maxLength = 1_000
    /// At most this many words of each kind reach the engine.
    public static let maxTerms = 32

    public init(parsing text: String) {
        for token in Self.tokens(String(text.prefix(Self.maxLength))) {
            switch token {
            case .phrase(let words, let negated):
                if !negated { addMeaning(words) }
                if negated { add(&excluded, words) } else if words.count == 1 { add(&self.words, words[0]) } else { add(&phrases, words) }
            case .word(let raw, let negated):
                if !negated, let (field, value) = Self.field(raw) {
                    apply(field: field, value: value)
                } else {
                    let words = Self.words(in: raw)
                    if !negated { addMeaning(words) }
                    if negated { add(&excluded, words) } else if words.count == 1 { add(&self.words, words[0]) } else { add(&phrases, words) }
                }
            case .field(let field, let value):
                apply(field: field, value: value)
            }
        }
    }

    /// True when nothing was asked: no words, phrases or author names (filters alone don't count).
    public var hasTextTerms: Bool { !words.isEmpty || !phrases.isEmpty || !authors.isEmpty }

    /// True when the query narrows results beyond its words: exclusions, authors, categories, dates.
    public var hasFilters: Bool {
        !excluded.isEmpty || !authors.isEmpty || !categories.isEmpty || publishedFrom != nil || publishedThrough != nil
    }

    public var isEmpty: Bool {
        !hasTextTerms && excluded.isEmpty && categories.isEmpty && publishedFrom == nil && publishedThrough == nil
    }

    private mutating func apply(field: String, value: String) {
        switch field {
        case "author", "au":
            add(&authors, Self.words(in: value))
        case "category", "cat":
            let category = value.filter { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" }
            if !category.isEmpty, categories.count < Self.maxTerms, !categories.contains(category) { categories.append(category) }
        case "from", "since", "after":
            publishedFrom = Self.dayPrefix(value, end: false) ?? publishedFrom
        case "to", "until", "before":
            publishedThrough = Self.dayPrefix(value, end: true) ?? publishedThrough
        default:
            let words = Self.words(in: field + " " + value)
            if words.count == 1 { add(&self.words, words[0]) } else { add(&phrases, words) }
        }
    }

    private mutating func addMeaning(_ words: [String]) {
        guard !words.isEmpty else { return }
        semanticText += (semanticText.isEmpty ? "" : " ") + words.joined(separator: " ")
    }

    private func add<T: Equatable>(_ list: inout [T], _ item: T) {
        if list.count < Self.maxTerms, !list.contains(item) { list.append(item) }
    }

    private func add(_ list: inout [[String]], _ words: [String]) {
        guard !words.isEmpty, list.count < Self.maxTerms, !list.contains(words) else { return }
        list.append(Array(words.prefix(Self.maxTerms)))
    }

    private func add(_ list: inout [String], _ word: String) {
        guard list.count < Self.maxTerms, !list.contains(word) else { return }
        list.append(word)
    }

    /// Whether `paper` passes the filters (categories, dates, authors) and exclusions, checked
    /// in memory: how results that did not come from the full-text engine (semantic search) are
    /// filtered. Words are compared as typed, without the engine's stemming.
    public func admits(_ paper: Paper) -> Bool {
        if !categories.isEmpty, !categories.contains(where: paper.categories.contains) { return false }
        if let from = publishedFrom, (paper.published ?? "") < from { return false }
        if let through = publishedThrough, String((paper.published ?? "9999").prefix(10)) > through { return false }
        if !authors.isEmpty {
            let names = paper.authors.map { Self.words(in: $0) }
            for author in authors where !names.contains(where: { Self.contains($0, run: author) }) { return false }
        }
        if !excluded.isEmpty {
            let text = Self.words(in: paper.title + " " + paper.abstract + " " + paper.authors.joined(separator: " "))
            if excluded.contains(where: { Self.contains(text, run: $0) }) { return false }
        }
        return true
    }

    /// Whether `words` holds `run` as consecutive words.
    private static func contains(_ words: [String], run: [String]) -> Bool {
        guard !run.isEmpty, run.count <= words.count else { return run.isEmpty }
        return (0...(words.count - run.count)).contains { start in words[start..<start + run.count].elementsEqual(run) }
    }

    /// `2024`, `2024-05` or `2024-05-17` as a day: the first day of the span, or its last for `end`.
    static func dayPrefix(_ text: String, end: Bool) -> String? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard (1...3).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              parts[0].count == 4, let year = Int(parts[0]) else { return nil }
        let month = parts.count > 1 ? Int(parts[1]) ?? 0 : (end ? 12 : 1)
        guard (1...12).contains(month) else { return nil }
        let day = parts.count > 2 ? Int(parts[2]) ?? 0 : (end ? DateText.daysIn(month, year) : 1)
        guard DateText.isValid(year: year, month: month, day: day) else { return nil }
        return DateText.format(year, month, day)
    }

    /// The words of a piece of text: runs of letters and digits, lowercased. Everything else
    /// (punctuation, operators, emoji) separates words and is dropped.
    public static func words(in text: some StringProtocol) -> [String] {
        text.lowercased().split(whereSeparator: { !($0.isLetter || $0.isNumber) }).map(String.init)
    }

    private enum Token {
        case word(String, negated: Bool)
        case phrase([String], negated: Bool)
        case field(String, String)  // field:"quoted value"
    }

    private static let fields: Set<String> = ["author", "au", "category", "cat", "from", "since", "after", "to", "until", "before"]

    /// `author:smith` → ("author", "smith") when the name before the colon is a known field.
    private static func field(_ raw: String) -> (String, String)? {
        guard let colon = raw.firstIndex(of: ":") else { return nil }
        let name = raw[..<colon].lowercased()
        let value = String(raw[raw.index(after: colon)...])
        guard fields.contains(name), !value.isEmpty else { return nil }
        return (name, value)
    }

    /// Splits on whitespace, keeping "quoted runs" together. An unbalanced quote runs to the end.
    private static func tokens(_ text: String) -> [Token] {
        var tokens: [Token] = []
        var i = text.startIndex
        while i < text.endIndex {
            if text[i].isWhitespace { i = text.index(after: i); continue }
            var negated = false
            if text[i] == "-", text.index(after: i) < text.endIndex, !text[text.index(after: i)].isWhitespace {
                negated = true
                i = text.index(after: i)
            }
            if text[i] == "\"" {
                let start = text.index(after: i)
                let end = text[start...].firstIndex(of: "\"") ?? text.endIndex
                let words = Self.words(in: text[start..<end])
                if !words.isEmpty { tokens.append(.phrase(words, negated: negated)) }
                i = end < text.endIndex ? text.index(after: end) : end
                continue
            }
            var end = i
            while end < text.endIndex, !text[end].isWhitespace {
                // field:"a quoted value"
                if text[end] == "\"", let (name, _) = field(String(text[i..<end]) + "x"), !negated {
                    let start = text.index(after: end)
                    let close = text[start...].firstIndex(of: "\"") ?? text.endIndex
                    tokens.append(.field(name, String(text[start..<close])))
                    end = close < text.endIndex ? text.index(after: close) : close
                    i = end
                    break
                }
                end = text.index(after: end)
            }
            if i < end { tokens.append(.word(String(text[i..<end]), negated: negated)) }
            i = end
        }
        return tokens
    }
}

/// One search result: the paper, its title and an excerpt with the matched words marked, and
/// the engine's relevance (higher is better).
public struct SearchHit: Sendable {
    public var paper: Paper
    /// The title with matches between `SearchHit.markStart` and `SearchHit.markEnd`.
    public var markedTitle: String
    /// A piece of the abstract around the matches, marked the same way; empty for a paper
    /// found by meaning alone (nothing to mark).
    public var markedSnippet: String
    public var score: Double

    /// Private-use characters that never occur in papers: HTML and feed writers escape the
    /// text first, then turn these into `<mark>` and `</mark>`.
    public static let markStart: Character = "\u{E000}"
    public static let markEnd: Character = "\u{E001}"

    public init(paper: Paper, markedTitle: String, markedSnippet: String, score: Double) {
        self.paper = paper
        self.markedTitle = markedTitle
        self.markedSnippet = markedSnippet
        self.score = score
    }
}
