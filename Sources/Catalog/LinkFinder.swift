import Foundation

/// Finds a paper's code repository and project page in free text (abstracts and comments say
/// "Code is available at https://github.com/…" or "Project page: foo.github.io").
///
/// Hand-written scanning rather than regular expressions: it runs on every record of a
/// multi-million-line import, and most texts contain no link at all.
public enum LinkFinder {
    /// The first `https://github.com/OWNER/REPO` in `text`, normalised (no `.git`, no trailing
    /// punctuation, no deeper path).
    public static func githubRepository(in text: String) -> String? {
        guard text.utf8.count >= 11, text.utf8.containsASCII("github.com/") else { return nil }
        for url in urls(in: text) {
            var rest = Substring(url)
            for prefix in ["https://", "http://"] where rest.hasPrefix(prefix) { rest = rest.dropFirst(prefix.count) }
            if rest.hasPrefix("www.") { rest = rest.dropFirst(4) }
            guard rest.lowercasedHasPrefix("github.com/") else { continue }
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

    /// A project page: a URL introduced by words such as "project page" or "website", or else
    /// the first `*.github.io` address.
    public static func projectPage(in text: String) -> String? {
        guard text.utf8.count >= 8, mayContainURL(text) else { return nil }
        let lower = text.lowercased()
        let cues = ["project page", "project website", "project webpage", "project site", "homepage",
                    "website", "webpage", "demo page", "project:"]
        for cue in cues {
            guard let cueRange = lower.range(of: cue) else { continue }
            // The first URL within a short distance after the cue.
            let after = text[cueRange.upperBound...].prefix(80)
            if let url = urls(in: String(after)).first, !isGitHubRepositoryURL(url) { return url }
        }
        for url in urls(in: text) where url.contains(".github.io") { return url }
        return nil
    }

    /// URL-looking tokens: `http(s)://…`, `www.…`, or a bare `host.github.io/…`, without the
    /// punctuation that usually closes a sentence around them. Bare hosts get `https://`.
    static func urls(in text: String) -> [String] {
        var found: [String] = []
        for rawToken in text.split(whereSeparator: { $0.isWhitespace || $0 == "<" || $0 == ">" || $0 == "\"" }) {
            var token = rawToken
            // Strip wrappers such as "(see https://…)." or "\url{…}".
            if let brace = token.range(of: "url{") { token = token[brace.upperBound...] }
            while let first = token.first, "([{'`".contains(first) { token = token.dropFirst() }
            while let last = token.last, ".,;:)]}!?'`*".contains(last) { token = token.dropLast() }
            guard token.count >= 6 else { continue }
            let lower = token.lowercased()
            if lower.hasPrefix("http://") || lower.hasPrefix("https://") {
                found.append(String(token))
            } else if lower.hasPrefix("www.") || lower.hasPrefix("github.com/") || lower.contains(".github.io") {
                guard let host = lower.split(separator: "/").first, host.contains("."),
                      host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-.".contains($0)) })
                else { continue }
                found.append("https://" + token)
            }
        }
        return found
    }

    /// A cheap byte scan that rules out most texts before any string work.
    private static func mayContainURL(_ text: String) -> Bool {
        let utf8 = text.utf8
        return utf8.containsASCII("http") || utf8.containsASCII("www.") || utf8.containsASCII(".io")
    }

    private static func isGitHubRepositoryURL(_ url: String) -> Bool {
        url.lowercased().contains("github.com/")
    }

    /// github.com paths that are not repositories.
    private static let reservedGitHubOwners: Set<String> = [
        "about", "features", "orgs", "topics", "sponsors", "marketplace", "settings", "login", "search",
    ]
}

extension String.UTF8View {
    /// Whether the bytes contain `needle` (ASCII, case-sensitive); no allocation.
    func containsASCII(_ needle: StaticString) -> Bool {
        let n = needle.utf8CodeUnitCount
        guard n > 0, count >= n else { return false }
        return needle.withUTF8Buffer { pattern in
            let first = pattern[0]
            var i = startIndex
            let lastStart = index(endIndex, offsetBy: -n)
            while i <= lastStart {
                if self[i] == first {
                    var j = index(after: i)
                    var k = 1
                    while k < n, self[j] == pattern[k] { j = index(after: j); k += 1 }
                    if k == n { return true }
                }
                i = index(after: i)
            }
            return false
        }
    }
}
