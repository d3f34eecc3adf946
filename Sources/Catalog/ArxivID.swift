/// A versionless arXiv identifier, the key of every paper in the catalog.
///
/// Two schemes exist (https://info.arxiv.org/help/arxiv_identifier.html):
/// - new style, since April 2007: `YYMM.NNNN` (to 1412) or `YYMM.NNNNN` (from 1501);
/// - old style, before that: `archive/YYMMNNN`, e.g. `hep-th/9901001`. A subject class
///   sometimes written after the archive (`math.AG/0601001`) is not part of the id and is dropped.
///
/// Parsing also accepts what people paste: `arXiv:` prefixes, abs/pdf URLs, OAI identifiers
/// (`oai:arXiv.org:…`) and a trailing version (`v3`), which is returned separately.
public struct ArxivID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The canonical versionless form, e.g. `2501.01234` or `hep-th/9901001`.
    public let value: String

    public var description: String { value }

    public static func < (lhs: ArxivID, rhs: ArxivID) -> Bool { lhs.value < rhs.value }

    /// Parses an id; nil when `text` is no arXiv id at all.
    public init?(_ text: some StringProtocol) {
        guard let parsed = ArxivID.parse(text) else { return nil }
        self = parsed.id
    }

    private init(canonical: String) { value = canonical }

    /// Parses an id and its optional version (`2501.01234v2` gives version 2).
    public static func parse(_ text: some StringProtocol) -> (id: ArxivID, version: Int?)? {
        if let plain = plainNewStyle(text) { return (plain, nil) }
        var s = Substring(text).trimmingWhitespace()
        for prefix in ["https://", "http://"] where s.lowercasedHasPrefix(prefix) {
            s = s.dropFirst(prefix.count)
        }
        for host in ["www.arxiv.org/", "arxiv.org/", "export.arxiv.org/"] where s.lowercasedHasPrefix(host) {
            s = s.dropFirst(host.count)
            for path in ["abs/", "pdf/", "html/"] where s.hasPrefix(path) {
                s = s.dropFirst(path.count)
            }
            if s.hasSuffix(".pdf") { s = s.dropLast(4) }
        }
        if s.lowercasedHasPrefix("oai:arxiv.org:") { s = s.dropFirst("oai:arXiv.org:".count) }
        if s.lowercasedHasPrefix("arxiv:") { s = s.dropFirst("arxiv:".count) }
        guard !s.isEmpty, s.count <= 40 else { return nil }

        // Split off a trailing version `vN`.
        var version: Int?
        if let v = s.lastIndex(of: "v"), v > s.startIndex {
            let digits = s[s.index(after: v)...]
            if !digits.isEmpty, digits.count <= 4, digits.allSatisfy(\.isASCIIDigit), let n = Int(digits), n > 0 {
                version = n
                s = s[..<v]
            }
        }
        if let canonical = newStyle(s) ?? oldStyle(s) {
            return (ArxivID(canonical: canonical), version)
        }
        return nil
    }

    /// The common case, checked on bytes without any string work: exactly `YYMM.NNNNN`.
    private static func plainNewStyle(_ text: some StringProtocol) -> ArxivID? {
        var copy = String(text)
        let valid = copy.withUTF8 { bytes -> Bool in
            let n = bytes.count
            guard n == 9 || n == 10, bytes[4] == UInt8(ascii: ".") else { return false }
            var yymm = 0
            for i in 0..<n where i != 4 {
                let b = bytes[i]
                guard b >= 48, b <= 57 else { return false }
                if i < 4 { yymm = yymm * 10 + Int(b - 48) }
            }
            return (1...12).contains(yymm % 100) && yymm >= 704 && n - 5 == (yymm >= 1501 ? 5 : 4)
        }
        return valid ? ArxivID(canonical: copy) : nil
    }

    /// `YYMM.NNNN` or `YYMM.NNNNN` with a plausible month.
    private static func newStyle(_ s: Substring) -> String? {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[0].allSatisfy(\.isASCIIDigit),
              parts[1].allSatisfy(\.isASCIIDigit) else { return nil }
        guard let yymm = Int(parts[0]), (1...12).contains(yymm % 100), yymm >= 704 else { return nil }
        // Four-digit numbers ran from 0704 to 1412, five-digit ones from 1501.
        let expectedDigits = yymm >= 1501 ? 5 : 4
        guard parts[1].count == expectedDigits else { return nil }
        return String(s)
    }

    /// `archive(.SUBJ)?/YYMMNNN`, archive being lower-case letters and hyphens.
    private static func oldStyle(_ s: Substring) -> String? {
        let parts = s.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        var archive = parts[0]
        if let dot = archive.firstIndex(of: ".") {
            let subject = archive[archive.index(after: dot)...]
            guard !subject.isEmpty, subject.count <= 3, subject.allSatisfy(\.isASCIILetter) else { return nil }
            archive = archive[..<dot]
        }
        guard (2...16).contains(archive.count),
              archive.allSatisfy({ ($0.isASCIILetter && $0.isLowercase) || $0 == "-" }),
              archive.first != "-", archive.last != "-" else { return nil }
        let number = parts[1]
        guard number.count == 7, number.allSatisfy(\.isASCIIDigit),
              let mm = Int(number.dropFirst(2).prefix(2)), (1...12).contains(mm) else { return nil }
        return "\(archive)/\(number)"
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
    var isASCIILetter: Bool { isASCII && isLetter }
}

extension Substring {
    func lowercasedHasPrefix(_ prefix: String) -> Bool {
        guard count >= prefix.count else { return false }
        return self.prefix(prefix.count).lowercased() == prefix
    }
}

extension StringProtocol {
    /// Trims spaces, tabs and newlines at both ends.
    public func trimmingWhitespace() -> Substring {
        let s = Substring(self)
        guard let first = s.firstIndex(where: { !$0.isWhitespace }) else { return s[s.endIndex...] }
        let last = s.lastIndex(where: { !$0.isWhitespace })!
        return s[first...last]
    }
}

extension String {
    /// Collapses every run of white space (line breaks of wrapped text included) into one space
    /// and trims both ends. Works on bytes: it runs on every title and abstract of an import.
    public func collapsingWhitespace() -> String {
        var copy = self
        let collapsed: String? = copy.withUTF8 { source in
            // Fast path: no leading, trailing or doubled white space, no tabs or line breaks.
            var previousSpace = true
            var clean = true
            for b in source {
                let space = b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09
                if space && (previousSpace || b != 0x20) { clean = false; break }
                previousSpace = space
            }
            if clean && !previousSpace { return nil }
            if source.isEmpty { return nil }
            return String(unsafeUninitializedCapacity: source.count) { out in
                var n = 0
                var pending = false
                for b in source {
                    if b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 {
                        pending = n > 0
                    } else {
                        if pending { out[n] = 0x20; n += 1; pending = false }
                        out[n] = b
                        n += 1
                    }
                }
                return n
            }
        }
        return collapsed ?? self
    }
}
