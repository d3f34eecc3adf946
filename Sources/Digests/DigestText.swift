/// The digest's text/plain part: what a text-only mail program, a screen reader set to plain
/// text, or a notification preview shows. Lines are wrapped at 72 characters (URLs are never
/// broken), each paper's details indented under its number.
enum DigestText {
    static let width = 72
    static let indent = "   "
    static let rule = String(repeating: "-", count: 40)

    static func render(_ content: DigestContent) -> String {
        var lines: [String] = []
        lines.append("\(content.siteName) · \(content.heading)".uppercased())
        lines.append("\(content.periodTitle) · \(content.countText)")
        lines.append("")
        lines.append("\(content.periodLinkText):")
        lines.append(content.periodURL)
        lines.append("")
        lines.append(rule)
        for index in content.entries.indices {
            lines.append("")
            lines.append(content.fragment(index, .text) { paper($0, siteName: content.siteName) })
        }
        lines.append("")
        lines.append(rule)
        lines += wrap(content.reason, firstPrefix: "", prefix: "")
        lines.append("")
        lines.append("Change topics or frequency: \(content.preferencesURL)")
        lines.append("Unsubscribe: \(content.unsubscribeURL)")
        lines.append("")
        lines += wrap("Sent to \(content.recipientAddress) by \(content.siteName):", firstPrefix: "", prefix: "")
        lines.append(content.siteURL)
        return lines.joined(separator: "\n") + "\n"
    }

    /// One paper: number, title, authors, counts, abstract and links, as lines joined.
    static func paper(_ entry: DigestContent.Entry, siteName: String) -> String {
        var lines: [String] = []
        let number = "\(entry.rank). "
        lines += wrap(entry.title, firstPrefix: number, prefix: String(repeating: " ", count: number.count))
        if let authors = entry.authors { lines += wrap(authors, firstPrefix: indent, prefix: indent) }
        lines.append(indent + "▲ " + DigestContent.count(entry.upvotes, "upvote", "upvotes")
            + " · " + DigestContent.count(entry.comments, "comment", "comments"))
        lines.append("")
        lines += wrap(entry.abstract, firstPrefix: indent, prefix: indent)
        lines.append("")
        lines.append(indent + "Read on \(siteName): \(entry.pageURL)")
        for link in entry.links { lines.append(indent + "\(link.label): \(link.url)") }
        return lines.joined(separator: "\n")
    }

    /// Greedy word wrap: as many words as fit in `width` characters per line, the first line
    /// behind `firstPrefix`, the others behind `prefix`. A word longer than a line (a URL) gets
    /// a line of its own rather than being broken.
    static func wrap(_ text: String, firstPrefix: String, prefix: String) -> [String] {
        var lines: [String] = []
        var line = firstPrefix
        var lineHasWord = false
        for word in text.split(separator: " ") {
            if lineHasWord && line.count + 1 + word.count > width {
                lines.append(line)
                line = prefix + word
            } else {
                line += (lineHasWord ? " " : "") + word
            }
            lineHasWord = true
        }
        lines.append(line)
        return lines
    }
}
