/// Text made safe for HTML, in element content and in quoted attribute values alike: `&`, `<`,
/// `>`, `"` and `'` become references. It works on UTF-8 bytes, so a `<` followed by a
/// combining mark (one Character, not equal to "<") is escaped all the same. The site's pages
/// and the digest emails both write HTML through it.
public enum HTMLText {
    public static func escape(_ text: String) -> String {
        // Most text has nothing to escape: hand it back untouched. Otherwise copy runs of UTF-8
        // bytes between the characters to escape (all ASCII, so multi-byte sequences pass whole).
        func special(_ byte: UInt8) -> Bool {
            byte == UInt8(ascii: "&") || byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">")
                || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'")
        }
        guard text.utf8.contains(where: special) else { return text }
        var text = text
        return text.withUTF8 { utf8 in
            var out: [UInt8] = []
            out.reserveCapacity(utf8.count + 32)
            var runStart = 0
            for i in 0..<utf8.count where special(utf8[i]) {
                if runStart < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<i])) }
                switch utf8[i] {
                case UInt8(ascii: "&"): out += "&amp;".utf8
                case UInt8(ascii: "<"): out += "&lt;".utf8
                case UInt8(ascii: ">"): out += "&gt;".utf8
                case UInt8(ascii: "\""): out += "&quot;".utf8
                default: out += "&#39;".utf8
                }
                runStart = i + 1
            }
            if runStart < utf8.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...])) }
            return String(decoding: out, as: UTF8.self)
        }
    }
}
