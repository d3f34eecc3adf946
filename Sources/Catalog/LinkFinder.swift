#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds a paper's code repository and project page in free text (abstracts and comments say
/// "Code is available at https://github.com/…" or "Project page: foo.github.io").
///
/// It scans UTF-8 bytes by hand rather than using regular expressions or Foundation's string
/// search: it runs on every record of a multi-million-line import, and most texts hold no link.
public enum LinkFinder {
    /// Both links at once, tokenising the text a single time.
    public static func links(in text: String) -> (githubRepository: String?, projectPage: String?) {
        let tokens = urlTokens(in: text)
        guard !tokens.isEmpty else { return (nil, nil) }
        return (githubRepository(among: tokens), projectPage(among: tokens))
    }

    /// The first `https://github.com/OWNER/REPO` in `text`, normalised (no `.git`, no trailing
    /// punctuation, no deeper path).
    public static func githubRepository(in text: String) -> String? {
        githubRepository(among: urlTokens(in: text))
    }

    /// A project page: a URL shortly after words such as "project page" or "website", or else
    /// the first `*.github.io` address. Code links are never project pages.
    public static func projectPage(in text: String) -> String? {
        projectPage(among: urlTokens(in: text))
    }

    private static func githubRepository(among tokens: [Token]) -> String? {
        for url in tokens.lazy.map(\.url) {
            var rest = Substring(url)
            for prefix in ["https://", "http://"] where rest.hasPrefix(prefix) { rest = rest.dropFirst(prefix.count) }
            if rest.hasPrefix("www.") { rest = rest.dropFirst(4) }
            guard rest.lowercased().hasPrefix("github.com/") else { continue }
            let parts = rest.dropFirst("github.com/".count).split(separator: "/", omittingEmptySubsequences: true)
            guard parts.count >= 2 else { continue }
            let owner = parts[0]
            var repo = parts[1]
            if repo.hasSuffix(".git") { repo = repo.dropLast(4) }
            let allowed: (Character) -> Bool = { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
            guard !owner.isEmpty, !repo.isEmpty, owner.allSatisfy(allowed), repo.allSatisfy(allowed),
                  !reservedGitHubOwners.contains(owner.lowercased()) else { continue }
            return "https://github.com/\(owner)/\(repo)"
        }
        return nil
    }

    private static func projectPage(among found: [Token]) -> String? {
        for token in found where !token.url.lowercased().contains("github.com/") {
            if token.hasCueBefore { return token.url }
        }
        return found.first { $0.url.contains(".github.io") }?.url
    }


    struct Token {
        var url: String
        /// Whether a cue such as "project page" stands in the 60 bytes before the URL.
        var hasCueBefore: Bool
    }

    static func urlTokens(in text: String) -> [Token] {
        var copy = text
        return copy.withUTF8 { bytes -> [Token] in
            guard bytes.count >= 6, let base = bytes.baseAddress else { return [] }
            // Visit only the tokens around a needle ("://", "www.", "github"), found with memchr,
            // instead of every word of the text.
            var starts = Set<Int>()
            var tokens: [(start: Int, token: Token)] = []
            for needle in ["://", "www.", "github"] as [StaticString] {
                var offset = 0
                while let at = find(needle, in: base, count: bytes.count, from: offset) {
                    offset = at + 1
                    var start = at
                    while start > 0, !isSeparator(bytes[start - 1]) { start -= 1 }
                    guard starts.insert(start).inserted else { continue }
                    var end = at
                    while end < bytes.count, !isSeparator(bytes[end]) { end += 1 }
                    guard end - start >= 6, let url = cleanToken(bytes, start, end) else { continue }
                    tokens.append((start, Token(url: url, hasCueBefore: hasCue(bytes, before: start))))
                }
            }
            return tokens.sorted { $0.start < $1.start }.map(\.token)
        }
    }

    /// The offset of the next `needle` at or after `from`, by memchr on its first byte.
    private static func find(_ needle: StaticString, in base: UnsafePointer<UInt8>, count: Int, from: Int) -> Int? {
        let n = needle.utf8CodeUnitCount
        let first = Int32(needle.utf8Start[0])
        var offset = from
        while offset + n <= count, let hit = memchr(base + offset, first, count - offset - n + 1) {
            let at = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            if memcmp(base + at, needle.utf8Start, n) == 0 { return at }
            offset = at + 1
        }
        return nil
    }

    private static func isSeparator(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 || b == UInt8(ascii: "<") || b == UInt8(ascii: ">")
            || b == UInt8(ascii: "\"")
    }

    /// The URL in bytes[start..<end], or nil when the token is no URL.
    private static func cleanToken(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> String? {
        var s = start
        var e = end
        // "\url{…}" and "(see …)" wrappers.
        if let brace = find(Array("url{".utf8), in: bytes, from: s, to: e) { s = brace + 4 }
        while s < e, isOpeningWrapper(bytes[s]) { s += 1 }
        while e > s, isClosingPunctuation(bytes[e - 1]) { e -= 1 }
        guard e - s >= 6 else { return nil }
        let token = UnsafeBufferPointer(rebasing: bytes[s..<e])
        if startsWith(token, "http://") || startsWith(token, "https://") {
            return String(decoding: token, as: UTF8.self)
        }
        let bare = startsWith(token, "www.") || startsWith(token, "github.com/")
            || find(Array(".github.io".utf8), in: bytes, from: s, to: e) != nil
        guard bare else { return nil }
        // A bare host must look like one: letters, digits, dots and hyphens up to the first slash.
        var k = 0
        var sawDot = false
        while k < token.count, token[k] != UInt8(ascii: "/") {
            let b = token[k] | 0x20
            guard (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (token[k] >= 48 && token[k] <= 57)
                || token[k] == UInt8(ascii: "-") || token[k] == UInt8(ascii: ".") else { return nil }
            if token[k] == UInt8(ascii: ".") { sawDot = true }
            k += 1
        }
        guard sawDot else { return nil }
        return "https://" + String(decoding: token, as: UTF8.self)
    }

    private static func isOpeningWrapper(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "("), UInt8(ascii: "["), UInt8(ascii: "{"), UInt8(ascii: "'"), UInt8(ascii: "`"): true
        default: false
        }
    }

    private static func isClosingPunctuation(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "."), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: ":"), UInt8(ascii: ")"),
             UInt8(ascii: "]"), UInt8(ascii: "}"), UInt8(ascii: "!"), UInt8(ascii: "?"), UInt8(ascii: "'"),
             UInt8(ascii: "`"), UInt8(ascii: "*"):
            true
        default: false
        }
    }

    private static let cues: [[UInt8]] = [
        "project page", "project website", "project webpage", "project site", "homepage", "website", "webpage",
        "demo page", "project:",
    ].map { Array($0.utf8) }

    /// Whether a cue ends within the 60 bytes before `position` (case-insensitive).
    private static func hasCue(_ bytes: UnsafeBufferPointer<UInt8>, before position: Int) -> Bool {
        let windowStart = max(0, position - 60)
        for cue in cues {
            var i = windowStart
            while i + cue.count <= position {
                var k = 0
                while k < cue.count, bytes[i + k] | 0x20 == cue[k] | 0x20 { k += 1 }
                if k == cue.count { return true }
                i += 1
            }
        }
        return false
    }

    private static func startsWith(_ token: UnsafeBufferPointer<UInt8>, _ prefix: StaticString) -> Bool {
        let n = prefix.utf8CodeUnitCount
        guard token.count >= n else { return false }
        let p = prefix.utf8Start
        for k in 0..<n where token[k] | 0x20 != p[k] | 0x20 { return false }
        return true
    }

    private static func find(_ needle: [UInt8], in bytes: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int? {
        guard to - from >= needle.count else { return nil }
        var i = from
        while i + needle.count <= to {
            var k = 0
            while k < needle.count, bytes[i + k] == needle[k] { k += 1 }
            if k == needle.count { return i }
            i += 1
        }
        return nil
    }

    /// github.com paths that are not repositories.
    private static let reservedGitHubOwners: Set<String> = [
        "about", "features", "orgs", "topics", "sponsors", "marketplace", "settings", "login", "search",
    ]
}
