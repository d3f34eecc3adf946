/// The Porter stemming algorithm (M. F. Porter, "An algorithm for suffix stripping", 1980): the
/// stemmer the keyword index uses (SQLite FTS5's `porter` tokenizer, PostgreSQL's `english`
/// configuration is its close cousin). `SearchMarker` stems both the query and the text with it,
/// so "generative" in a title is marked for a query that says "generation", as the index matched.
///
/// Words of lowercase ASCII letters only are stemmed; anything else (digits, other scripts) is
/// returned as it is, which is also what the index does.
public enum PorterStemmer {
    public static func stem(_ word: String) -> String {
        var w = Array(word.utf8)
        guard w.count > 2, w.allSatisfy({ $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") }) else { return word }
        step1a(&w)
        step1b(&w)
        step1c(&w)
        step2(&w)
        step3(&w)
        step4(&w)
        step5(&w)
        return String(decoding: w, as: UTF8.self)
    }

    // MARK: The word's shape: consonants, vowels and the measure m of [C](VC)^m[V].

    private static func isConsonant(_ w: [UInt8], _ i: Int) -> Bool {
        switch w[i] {
        case UInt8(ascii: "a"), UInt8(ascii: "e"), UInt8(ascii: "i"), UInt8(ascii: "o"), UInt8(ascii: "u"): return false
        case UInt8(ascii: "y"): return i == 0 || !isConsonant(w, i - 1)  // y after a consonant acts as a vowel
        default: return true
        }
    }

    /// m of the first `count` letters: how many vowel-then-consonant runs they hold.
    private static func measure(_ w: [UInt8], _ count: Int) -> Int {
        var m = 0
        var i = 0
        while i < count && isConsonant(w, i) { i += 1 }
        while i < count {
            while i < count && !isConsonant(w, i) { i += 1 }
            guard i < count else { break }
            while i < count && isConsonant(w, i) { i += 1 }
            m += 1
        }
        return m
    }

    private static func hasVowel(_ w: [UInt8], _ count: Int) -> Bool {
        (0..<count).contains { !isConsonant(w, $0) }
    }

    /// The first `count` letters end in a double consonant (-tt, -ss, ...).
    private static func endsInDoubleConsonant(_ w: [UInt8], _ count: Int) -> Bool {
        count >= 2 && w[count - 1] == w[count - 2] && isConsonant(w, count - 1)
    }

    /// The first `count` letters end consonant-vowel-consonant, the last not w, x or y (-hop, -fil).
    private static func endsCVC(_ w: [UInt8], _ count: Int) -> Bool {
        guard count >= 3, isConsonant(w, count - 3), !isConsonant(w, count - 2), isConsonant(w, count - 1) else { return false }
        let last = w[count - 1]
        return last != UInt8(ascii: "w") && last != UInt8(ascii: "x") && last != UInt8(ascii: "y")
    }

    private static func ends(_ w: [UInt8], _ suffix: String) -> Bool {
        let s = Array(suffix.utf8)
        return w.count > s.count && w.suffix(s.count).elementsEqual(s)
    }

    /// Replaces `suffix` (which `w` ends with) by `replacement`.
    private static func replace(_ w: inout [UInt8], _ suffix: String, with replacement: String) {
        w.removeLast(suffix.utf8.count)
        w += Array(replacement.utf8)
    }

    /// The first rule whose suffix `w` ends with is the only one tried: it applies when the stem
    /// before the suffix has a measure above `minimumMeasure`.
    private static func applyFirst(_ rules: [(String, String)], to w: inout [UInt8], minimumMeasure: Int) {
        guard let (suffix, replacement) = rules.first(where: { ends(w, $0.0) }) else { return }
        if measure(w, w.count - suffix.utf8.count) > minimumMeasure { replace(&w, suffix, with: replacement) }
    }

    // MARK: The steps

    /// Plurals: -sses, -ies, -s.
    private static func step1a(_ w: inout [UInt8]) {
        if ends(w, "sses") { w.removeLast(2) }
        else if ends(w, "ies") { w.removeLast(2) }
        else if ends(w, "ss") { return }
        else if ends(w, "s") { w.removeLast() }
    }

    /// Past tenses and participles: -eed, -ed, -ing, then tidying what they leave.
    private static func step1b(_ w: inout [UInt8]) {
        if ends(w, "eed") {
            if measure(w, w.count - 3) > 0 { w.removeLast() }
            return
        }
        let suffix = ends(w, "ed") ? 2 : ends(w, "ing") ? 3 : 0
        guard suffix > 0, hasVowel(w, w.count - suffix) else { return }
        w.removeLast(suffix)
        if ends(w, "at") || ends(w, "bl") || ends(w, "iz") {
            w.append(UInt8(ascii: "e"))
        } else if endsInDoubleConsonant(w, w.count), ![UInt8(ascii: "l"), UInt8(ascii: "s"), UInt8(ascii: "z")].contains(w[w.count - 1]) {
            w.removeLast()
        } else if measure(w, w.count) == 1, endsCVC(w, w.count) {
            w.append(UInt8(ascii: "e"))
        }
    }

    /// -y after a vowel somewhere becomes -i (happy → happi, as happiness → happi).
    private static func step1c(_ w: inout [UInt8]) {
        if ends(w, "y"), hasVowel(w, w.count - 1) { w[w.count - 1] = UInt8(ascii: "i") }
    }

    private static let step2Rules: [(String, String)] = [
        ("ational", "ate"), ("tional", "tion"), ("enci", "ence"), ("anci", "ance"), ("izer", "ize"), ("bli", "ble"),
        ("alli", "al"), ("entli", "ent"), ("eli", "e"), ("ousli", "ous"), ("ization", "ize"), ("ation", "ate"),
        ("ator", "ate"), ("alism", "al"), ("iveness", "ive"), ("fulness", "ful"), ("ousness", "ous"), ("aliti", "al"),
        ("iviti", "ive"), ("biliti", "ble"), ("logi", "log"),
    ]

    /// Double suffixes to single ones (-ization → -ize).
    private static func step2(_ w: inout [UInt8]) { applyFirst(step2Rules, to: &w, minimumMeasure: 0) }

    private static let step3Rules: [(String, String)] = [
        ("icate", "ic"), ("ative", ""), ("alize", "al"), ("iciti", "ic"), ("ical", "ic"), ("ful", ""), ("ness", ""),
    ]

    /// -ic-, -full, -ness and the like.
    private static func step3(_ w: inout [UInt8]) { applyFirst(step3Rules, to: &w, minimumMeasure: 0) }

    /// Longer endings before the shorter ones they end with (-ement before -ment before -ent).
    private static let step4Suffixes = [
        "al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "ion", "ou", "ism", "ate", "iti",
        "ous", "ive", "ize",
    ].sorted { $0.count > $1.count }

    /// Remaining suffixes, from a stem of measure 2 or more (-ion only after s or t).
    private static func step4(_ w: inout [UInt8]) {
        guard let suffix = step4Suffixes.first(where: { ends(w, $0) }) else { return }
        let stem = w.count - suffix.utf8.count
        if suffix == "ion", !(w[stem - 1] == UInt8(ascii: "s") || w[stem - 1] == UInt8(ascii: "t")) { return }
        if measure(w, stem) > 1 { w.removeLast(suffix.utf8.count) }
    }

    /// A final -e, and -ll to -l, on long enough stems.
    private static func step5(_ w: inout [UInt8]) {
        if ends(w, "e") {
            let m = measure(w, w.count - 1)
            if m > 1 || (m == 1 && !endsCVC(w, w.count - 1)) { w.removeLast() }
        }
        if w.count > 1, w[w.count - 1] == UInt8(ascii: "l"), endsInDoubleConsonant(w, w.count), measure(w, w.count) > 1 {
            w.removeLast()
        }
    }
}
