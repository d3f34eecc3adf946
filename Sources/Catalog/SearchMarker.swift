import Foundation

/// Marks a query's words and phrases in a paper's title and cuts a marked snippet from its
/// abstract, for the results a page shows.
///
/// This runs in Swift, on the shown page only, rather than in the full-text engine: an engine
/// computes its highlights for every match before it can sort them (SQLite does), or must seek
/// each shown paper's words again, which at a million papers cost more than ranking did. It also
/// marks papers that semantic search found, and works the same over every backend.
///
/// Words match as the keyword index matches them: letters and digits, case and accents folded,
/// Porter-stemmed ("generative" is marked for "generation").
public struct SearchMarker: Sendable {
    /// What to mark, each a run of stems: a single word is a run of one.
    private let runs: [[String]]

    /// Words of the snippet: about two lines of a result card.
    public static let snippetWords = 40

    public init(_ query: SearchQuery) {
        runs = (query.topicalWords.map { [$0] } + query.phrases).map { $0.map(Self.key) }.filter { !$0.isEmpty }
    }

    /// Whether there is anything to mark (a query of filters only has nothing).
    public var isEmpty: Bool { runs.isEmpty }

    /// The hit for `paper` as a result of this query: marked title and snippet. A paper with no
    /// matched word in its abstract gets no snippet (pages show its usual card).
    public func hit(_ paper: Paper, score: Double) -> SearchHit {
        let titleWords = Self.words(of: paper.title)
        let title = Self.marked(paper.title, titleWords, matches(in: titleWords), from: 0, to: titleWords.count)
        let words = Self.words(of: paper.abstract)
        let found = matches(in: words)
        guard !found.isEmpty else { return SearchHit(paper: paper, markedTitle: title, markedSnippet: "", score: score) }
        let (first, last) = Self.window(around: found, wordCount: words.count)
        var snippet = Self.marked(paper.abstract, words, found, from: first, to: last)
        if first > 0 { snippet = "…" + snippet }
        if last < words.count { snippet += "…" }
        return SearchHit(paper: paper, markedTitle: title, markedSnippet: snippet, score: score)
    }

    /// A word as it is compared: lowercased, accents removed, stemmed.
    static func key(_ word: some StringProtocol) -> String {
        PorterStemmer.stem(word.lowercased().folding(options: .diacriticInsensitive, locale: nil))
    }

    /// A word of a text: where it stands, and its key.
    struct Word {
        var range: Range<String.Index>
        var key: String
    }

    /// The words of `text`: runs of letters and digits, as `SearchQuery` reads a query.
    static func words(of text: String) -> [Word] {
        var words: [Word] = []
        var start: String.Index?
        var i = text.startIndex
        while i < text.endIndex {
            let isWordCharacter = text[i].isLetter || text[i].isNumber
            if isWordCharacter, start == nil { start = i }
            if !isWordCharacter, let s = start {
                words.append(Word(range: s..<i, key: key(text[s..<i])))
                start = nil
            }
            i = text.index(after: i)
        }
        if let s = start { words.append(Word(range: s..<text.endIndex, key: key(text[s...]))) }
        return words
    }

    /// A matched word or phrase: the words it spans (indexes into the text's words) and which
    /// of the query's runs it is.
    struct Match {
        var span: Range<Int>
        var run: Int
    }

    /// The matches in `words`, in order, not overlapping; the longest run wins where several
    /// start at the same word.
    func matches(in words: [Word]) -> [Match] {
        var found: [Match] = []
        var i = 0
        while i < words.count {
            let longest = runs.indices.filter { r in
                let run = runs[r]
                return i + run.count <= words.count && zip(run, words[i..<(i + run.count)]).allSatisfy { $0 == $1.key }
            }.max { runs[$0].count < runs[$1].count }
            if let longest {
                found.append(Match(span: i..<(i + runs[longest].count), run: longest))
                i += runs[longest].count
            } else {
                i += 1
            }
        }
        return found
    }

    /// The `snippetWords` words to show: the window that holds the most different matched
    /// stems, then the most matches, the earliest on a tie.
    static func window(around found: [Match], wordCount: Int) -> (Int, Int) {
        let size = min(snippetWords, wordCount)
        var best = (start: 0, score: (-1, -1))
        for match in found {
            // Windows that start a little before each match, so it has some context.
            let start = max(0, min(match.span.lowerBound - 3, wordCount - size))
            let inside = found.filter { $0.span.lowerBound >= start && $0.span.upperBound <= start + size }
            let score = (Set(inside.map(\.run)).count, inside.count)
            if score > best.score { best = (start, score) }
        }
        return (best.start, best.start + size)
    }

    /// `text` from word `first` up to word `last` (exclusive), with the matches marked.
    static func marked(_ text: String, _ words: [Word], _ found: [Match], from first: Int, to last: Int) -> String {
        guard first < last else { return first == 0 ? text : "" }
        let begin = first == 0 ? text.startIndex : words[first].range.lowerBound
        let end = last == words.count ? text.endIndex : words[last - 1].range.upperBound
        var out = ""
        var cursor = begin
        for match in found.map(\.span) where match.lowerBound >= first && match.upperBound <= last {
            let lower = words[match.lowerBound].range.lowerBound, upper = words[match.upperBound - 1].range.upperBound
            out += text[cursor..<lower]
            out.append(SearchHit.markStart)
            out += text[lower..<upper]
            out.append(SearchHit.markEnd)
            cursor = upper
        }
        out += text[cursor..<end]
        return out
    }
}
