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

    /// The first bytes of the stems to find; a word starting with a non-ASCII letter is always
    /// stemmed (folding may make it ASCII).
    private let firstBytes: Set<UInt8>

    public init(_ query: SearchQuery) {
        runs = (query.topicalWords.map { [$0] } + query.phrases).map { $0.map(Self.key) }.filter { !$0.isEmpty && !$0.contains("") }
        firstBytes = Set(runs.flatMap { $0.compactMap(\.utf8.first) })
    }

    /// Whether there is anything to mark (a query of filters only has nothing).
    public var isEmpty: Bool { runs.isEmpty }

    /// The hit for `paper` as a result of this query: marked title and snippet. A paper with no
    /// matched word in its abstract gets no snippet (pages show its usual card).
    public func hit(_ paper: Paper, score: Double) -> SearchHit {
        var keys: [Substring: String] = [:]
        return hit(paper, score: score, keys: &keys)
    }

    /// The hits of a page of papers, sharing the work of stemming the words they have in common.
    public func hits(_ ranked: [(paper: Paper, score: Double)]) -> [SearchHit] {
        var keys: [Substring: String] = [:]
        return ranked.map { hit($0.paper, score: $0.score, keys: &keys) }
    }

    private func hit(_ paper: Paper, score: Double, keys: inout [Substring: String]) -> SearchHit {
        let titleWords = words(of: paper.title, keys: &keys)
        let title = Self.marked(paper.title, titleWords, matches(in: titleWords), from: 0, to: titleWords.count)
        let words = words(of: paper.abstract, keys: &keys)
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
        if word.utf8.allSatisfy({ $0 < 0x80 }) {
            // Plain ASCII, nearly every word of an English abstract: lowercase the bytes, which
            // is what Foundation's folding would do at many times the cost.
            return PorterStemmer.stem(String(decoding: word.utf8.map { $0 >= 65 && $0 <= 90 ? $0 | 0x20 : $0 }, as: UTF8.self))
        }
        return PorterStemmer.stem(word.lowercased().folding(options: .diacriticInsensitive, locale: nil))
    }

    /// A word of a text: where it stands, and its key ("" for a word that cannot match).
    struct Word {
        var range: Range<String.Index>
        var key: String
    }

    /// The words of `text`: runs of letters and digits, as `SearchQuery` reads a query.
    ///
    /// Stemming keeps a word's first letter, so a word whose first letter (lowercased) begins no
    /// term of the query cannot match and is not stemmed: that is most of an abstract. The keys
    /// that are computed are kept in `keys` for the next paper of the page.
    func words(of text: String, keys: inout [Substring: String]) -> [Word] {
        var words: [Word] = []
        func add(_ range: Range<String.Index>) {
            let word = text[range]
            let first = word.utf8.first!
            if first < 0x80, !firstBytes.contains(first >= 65 && first <= 90 ? first | 0x20 : first) {
                words.append(Word(range: range, key: ""))
            } else if let known = keys[word] {
                words.append(Word(range: range, key: known))
            } else {
                let key = Self.key(word)
                keys[word] = key
                words.append(Word(range: range, key: key))
            }
        }
        var start: String.Index?
        var i = text.startIndex
        while i < text.endIndex {
            // ASCII is classified from its byte; anything else as the Character it starts.
            let byte = text.utf8[i]
            let isWordCharacter: Bool
            let next: String.Index
            if byte < 0x80 {
                let lower = byte | 0x20
                isWordCharacter = (byte >= 48 && byte <= 57) || (lower >= 97 && lower <= 122)
                next = text.utf8.index(after: i)
            } else {
                isWordCharacter = text[i].isLetter || text[i].isNumber
                next = text.index(after: i)
            }
            if isWordCharacter, start == nil { start = i }
            if !isWordCharacter, let s = start {
                add(s..<i)
                start = nil
            }
            i = next
        }
        if let s = start { add(s..<text.endIndex) }
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
