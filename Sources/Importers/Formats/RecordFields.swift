import Catalog

/// Field clean-up shared by every format.
enum RecordFields {
    /// Whether `token` looks like an arXiv category (`cs.CL`, `hep-th`, `cond-mat.mes-hall`,
    /// `q-bio.NC`). Sources mix in MSC and ACM classes (`68T45`, `I.2.10`), which are dropped.
    static func isCategory(_ token: some StringProtocol) -> Bool {
        var archiveLength = 0
        var subjectLength = -1  // -1 until the dot
        for b in token.utf8 {
            if b == UInt8(ascii: ".") {
                guard subjectLength < 0 else { return false }
                subjectLength = 0
                continue
            }
            let lower = b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")
            let upper = b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z")
            let hyphen = b == UInt8(ascii: "-")
            if subjectLength < 0 {
                guard lower || hyphen else { return false }
                archiveLength += 1
            } else {
                guard lower || upper || hyphen else { return false }
                subjectLength += 1
            }
        }
        return (2...16).contains(archiveLength) && (subjectLength == -1 || (1...16).contains(subjectLength))
    }

    /// Categories, primary first, without duplicates or non-categories.
    static func categories(primary: String?, all: [String]) -> [String] {
        var seen = Set<String>()
        var out: [String] = []
        for token in ([primary].compactMap { $0 } + all) {
            let t = isCategory(token) ? token : String(token.trimmingWhitespace())
            if isCategory(t), seen.insert(t).inserted { out.append(t) }
        }
        return out
    }

    /// Splits an author line as arXiv writes it ("A. One, B. Two and C. Three"), dropping
    /// parenthesised affiliations.
    static func splitAuthors(_ line: String) -> [String] {
        // Remove parenthesised parts (affiliations), nesting included.
        var cleaned = ""
        var depth = 0
        for ch in line {
            if ch == "(" { depth += 1; continue }
            if ch == ")" { depth = max(0, depth - 1); continue }
            if depth == 0 { cleaned.append(ch) }
        }
        let normalized = cleaned.collapsingWhitespace()
            .replacingAll(", and ", with: ", ")
            .replacingAll(" and ", with: ", ")
        return normalized.split(separator: ",").map { String($0).collapsingWhitespace() }.filter { !$0.isEmpty }
    }

    /// "Forenames Keyname Suffix" from parts, skipping the empty ones.
    static func name(keyname: String, forenames: String?, suffix: String?) -> String {
        // The common case, with no work to do: "Forenames Keyname".
        if suffix?.isEmpty ?? true, let forenames, !forenames.isEmpty,
           forenames.collapsingWhitespace() == forenames, keyname.collapsingWhitespace() == keyname, !keyname.isEmpty {
            return forenames + " " + keyname
        }
        let parts: [String?] = [forenames, keyname, suffix]
        return parts.compactMap { $0?.collapsingWhitespace() }.filter { !$0.isEmpty }.joined(separator: " ")
    }

    /// Cleans an optional text field: collapsed white space, nil when blank.
    static func text(_ value: String?) -> String? {
        guard let value else { return nil }
        let t = value.collapsingWhitespace()
        return t.isEmpty ? nil : t
    }

    /// A URL field: trimmed, nil when blank or not http(s).
    static func url(_ value: String?) -> String? {
        guard let t = text(value), t.hasPrefix("http://") || t.hasPrefix("https://") else { return nil }
        return t
    }
}

extension String {
    /// Replaces every occurrence of `target` (plain text, no Foundation needed).
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty, contains(target) else { return self }
        var out = ""
        var rest = Substring(self)
        while let range = rest.firstRange(of: target) {
            out += rest[..<range.lowerBound]
            out += replacement
            rest = rest[range.upperBound...]
        }
        return out + rest
    }
}
