import Foundation

/// BERT's tokenizer: basic tokenization (clean, split CJK characters, lower-case and strip
/// accents, split on whitespace and punctuation), then greedy longest-match-first WordPiece.
///
/// It follows the Hugging Face `tokenizers` implementation (BertNormalizer, BertPreTokenizer,
/// WordPiece) that `transformers` uses, so ids match the ones the model was used with. Where the
/// older Python BertTokenizer differs in corner cases, the comments say which one is followed.
public struct WordPieceTokenizer: Sendable {
    public let lowercase: Bool
    public let stripAccents: Bool
    public let splitChineseCharacters: Bool
    /// Ids per text, [CLS] and [SEP] included; longer texts are cut.
    public let maxLength: Int
    /// A word longer than this many characters (Unicode scalars) becomes [UNK], as in BERT.
    public let maxCharactersPerWord = 100

    public let classifierID: Int32
    public let separatorID: Int32
    public let unknownID: Int32
    public let paddingID: Int32
    public var vocabularySize: Int { tokens.count }

    /// Keyed by UTF-8 bytes, not String: Swift compares Strings by canonical equivalence, and the
    /// vocabulary must match exact scalars (after NFD, "é" and "e\u{301}" are different pieces).
    private let ids: [[UInt8]: Int32]
    private let tokens: [String]
    /// The longest vocabulary entry in bytes: no longer candidate can match, so WordPiece starts there.
    private let longestTokenBytes: Int

    /// - Parameters:
    ///   - vocabulary: the tokens, in id order (the lines of `vocab.txt`).
    ///   - stripAccents: `nil` follows `lowercase`, as `tokenizer_config.json`'s `strip_accents: null` does.
    public init(
        vocabulary: [String], lowercase: Bool = true, stripAccents: Bool? = nil,
        splitChineseCharacters: Bool = true, maxLength: Int = 512, source: String = "vocabulary"
    ) throws {
        var ids: [[UInt8]: Int32] = [:]
        for (index, token) in vocabulary.enumerated() where ids[Array(token.utf8)] == nil {
            ids[Array(token.utf8)] = Int32(index)
        }
        func special(_ token: String) throws -> Int32 {
            guard let id = ids[Array(token.utf8)] else {
                throw EmbeddingModelError.malformedFile(path: source, reason: "the vocabulary has no \(token) token")
            }
            return id
        }
        classifierID = try special("[CLS]")
        separatorID = try special("[SEP]")
        unknownID = try special("[UNK]")
        paddingID = try special("[PAD]")
        guard maxLength >= 2 else {
            throw EmbeddingModelError.malformedFile(path: source, reason: "maximum length \(maxLength) leaves no room for [CLS] and [SEP]")
        }
        self.ids = ids
        self.tokens = vocabulary
        self.longestTokenBytes = vocabulary.map(\.utf8.count).max() ?? 0
        self.lowercase = lowercase
        self.stripAccents = stripAccents ?? lowercase
        self.splitChineseCharacters = splitChineseCharacters
        self.maxLength = maxLength
    }

    /// Reads `vocab.txt`: one token per line, the line number (from 0) is its id.
    public init(
        vocabularyFile path: String, lowercase: Bool = true, stripAccents: Bool? = nil,
        splitChineseCharacters: Bool = true, maxLength: Int = 512
    ) throws {
        guard FileManager.default.fileExists(atPath: path) else { throw EmbeddingModelError.missingFile(path: path) }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw EmbeddingModelError.unreadableFile(path: path, reason: error.localizedDescription)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw EmbeddingModelError.malformedFile(path: path, reason: "not UTF-8 text")
        }
        // Split on "\n" only (a token may be any other character); tolerate CRLF files.
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
        }
        if lines.last == "" { lines.removeLast() }
        try self.init(
            vocabulary: lines, lowercase: lowercase, stripAccents: stripAccents,
            splitChineseCharacters: splitChineseCharacters, maxLength: maxLength, source: path)
    }

    /// The model's input ids: [CLS], the text's pieces (cut to fit `maxLength`), [SEP].
    public func encode(_ text: String) -> [Int32] {
        var result: [Int32] = [classifierID]
        let budget = maxLength - 2
        for word in words(text) {
            for id in wordPieces(word) {
                guard result.count - 1 < budget else { break }
                result.append(id)
            }
            if result.count - 1 >= budget { break }
        }
        result.append(separatorID)
        return result
    }

    /// The pieces as strings, without [CLS] and [SEP] and not cut: for tests and debugging.
    public func tokenize(_ text: String) -> [String] {
        words(text).flatMap { wordPieces($0).map { tokens[Int($0)] } }
    }

    // MARK: - Basic tokenization

    /// Normalises the text and splits it into words: runs of non-space, non-punctuation
    /// characters, and each punctuation character on its own.
    func words(_ text: String) -> [[Unicode.Scalar]] {
        // 1. Clean: drop NUL, U+FFFD and other (C*) characters, turn every whitespace into a space;
        //    surround CJK ideographs with spaces so each is a word.
        var cleaned = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar.value == 0 || scalar.value == 0xFFFD || Self.isOther(scalar) { continue }
            if Self.isWhitespace(scalar) {
                cleaned.append(" ")
            } else if splitChineseCharacters && Self.isCJKIdeograph(scalar) {
                cleaned.append(" ")
                cleaned.append(scalar)
                cleaned.append(" ")
            } else {
                cleaned.append(scalar)
            }
        }
        var scalars = Array(cleaned)

        // 2. Strip accents: canonical decomposition, then drop marks. Like `tokenizers`, all of
        //    General Category M (the old Python tokenizer dropped only Mn) and before lower-casing.
        if stripAccents {
            scalars = String(String.UnicodeScalarView(scalars)).decomposedStringWithCanonicalMapping
                .unicodeScalars.filter { !Self.isMark($0) }
        }
        // 3. Lower-case scalar by scalar (full mappings such as "İ" -> "i̇", but no context rules
        //    such as Greek final sigma), as `tokenizers` does.
        if lowercase {
            scalars = scalars.flatMap { scalar -> [Unicode.Scalar] in
                scalar.properties.changesWhenLowercased ? Array(scalar.properties.lowercaseMapping.unicodeScalars) : [scalar]
            }
        }

        // 4. Split on whitespace; punctuation characters become words of their own.
        var words: [[Unicode.Scalar]] = []
        var current: [Unicode.Scalar] = []
        for scalar in scalars {
            if Self.isWhitespace(scalar) {
                if !current.isEmpty { words.append(current); current = [] }
            } else if Self.isPunctuation(scalar) {
                if !current.isEmpty { words.append(current); current = [] }
                words.append([scalar])
            } else {
                current.append(scalar)
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    /// The Unicode White_Space property, which is what `tokenizers` tests (Rust's `is_whitespace`);
    /// tab, line feed and carriage return included.
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isWhitespace
    }

    /// General Category C* (control, format, surrogate, private use, unassigned), except tab,
    /// line feed and carriage return, which count as whitespace.
    static func isOther(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == "\t" || scalar == "\n" || scalar == "\r" { return false }
        switch scalar.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned: return true
        default: return false
        }
    }

    static func isMark(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: return true
        default: return false
        }
    }

    /// BERT's punctuation: every ASCII non-letter, non-digit, non-space symbol ("$", "+", "^", "`"
    /// are not Unicode punctuation but BERT splits them), plus Unicode categories P*.
    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if (33...47).contains(value) || (58...64).contains(value) || (91...96).contains(value) || (123...126).contains(value) {
            return true
        }
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }

    /// The CJK Unified Ideographs blocks BERT splits out. Hiragana, Katakana and Hangul are not in
    /// them: those are written with spaces or are left to WordPiece, as in BERT.
    static func isCJKIdeograph(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F,
             0x2B740...0x2B81F, 0x2B820...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }

    // MARK: - WordPiece

    /// Greedy longest-match-first: take the longest vocabulary entry that starts the word, then the
    /// longest "##"-entry that continues it, and so on. A word that cannot be covered completely,
    /// or that is over `maxCharactersPerWord`, is a single [UNK].
    func wordPieces(_ word: [Unicode.Scalar]) -> [Int32] {
        if word.count > maxCharactersPerWord { return [unknownID] }
        // Byte offset of each scalar boundary, so candidates are slices of one UTF-8 array.
        var utf8: [UInt8] = []
        var boundaries: [Int] = [0]
        for scalar in word {
            utf8.append(contentsOf: String(scalar).utf8)
            boundaries.append(utf8.count)
        }
        let continuation: [UInt8] = Array("##".utf8)
        var pieces: [Int32] = []
        var start = 0
        while start < word.count {
            let prefix = start > 0 ? continuation : []
            var end = word.count
            var match: Int32?
            while end > start {
                let length = boundaries[end] - boundaries[start] + prefix.count
                if length <= longestTokenBytes, let id = ids[prefix + utf8[boundaries[start]..<boundaries[end]]] {
                    match = id
                    break
                }
                end -= 1
            }
            guard let match else { return [unknownID] }
            pieces.append(match)
            start = end
        }
        return pieces
    }
}
