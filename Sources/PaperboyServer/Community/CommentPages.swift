import Catalog
import Community
import Foundation

/// The discussion under a paper, as HTML: the thread (replies under their parent, oldest first
/// within a level), the forms of the signed-in viewer (comment, reply, edit, delete) and, for
/// curators and admins, the moderation forms (hide with a reason, ban the author). Every form
/// is plain HTML that works without JavaScript and carries the session's CSRF token.
enum CommentPages {
    /// Indentation stops growing here, so a long back-and-forth still fits a phone's width.
    static let deepestIndent = 6

    /// A comment in thread order with its depth (0 for a comment on the paper itself).
    struct Entry {
        let comment: Comment
        let depth: Int
    }

    /// The comments to show, depth first: each followed by its replies, oldest first. A deleted
    /// comment is shown (as "[deleted]") only while replies to it are shown.
    static func thread(_ comments: [Comment]) -> [Entry] {
        var children: [Int64?: [Comment]] = [:]
        for comment in comments { children[comment.parentID, default: []].append(comment) }
        // Which comments are shown: a post-order pass (ids grow with time, so a reply always
        // has a larger id than its parent and a reverse walk sees replies first).
        var shown = Set<Int64>()
        for comment in comments.reversed() {
            if !comment.deleted || (children[comment.id] ?? []).contains(where: { shown.contains($0.id) }) { shown.insert(comment.id) }
        }
        var entries: [Entry] = []
        // An explicit stack: a thread thousands of replies deep must not exhaust the call stack.
        var stack: [(Comment, Int)] = (children[nil] ?? []).reversed().map { ($0, 0) }
        while let top = stack.popLast() {
            let (comment, depth) = top
            guard shown.contains(comment.id) else { continue }
            entries.append(Entry(comment: comment, depth: depth))
            stack += (children[comment.id] ?? []).reversed().map { ($0, depth + 1) }
        }
        return entries
    }

    /// The section under a paper, with what it needs looked up: the comments, the viewer's
    /// own ban, and for moderators the bans of the thread's authors.
    static func section(store: any CommentStore, paper: ArxivID) async throws -> String {
        let comments = try await store.comments(on: paper)
        var viewerBan: UserBan?
        var bans: [Int64: UserBan] = [:]
        if let viewer = Viewer.current {
            viewerBan = try await store.ban(userID: viewer.user.id)
            if viewer.user.role >= .curator {
                for author in Set(comments.map(\.authorID)) { bans[author] = try await store.ban(userID: author) }
            }
        }
        return section(paper: paper, comments: comments, viewerBan: viewerBan, bans: bans, now: Date())
    }

    /// The section under a paper. `bans` holds the bans of the thread's authors, looked up
    /// only for moderators; `viewerBan` is the viewer's own.
    static func section(
        paper: ArxivID, comments: [Comment], viewerBan: UserBan?, bans: [Int64: UserBan], now: Date
    ) -> String {
        let entries = thread(comments)
        let visible = comments.filter(\.isVisible).count
        var html = "<section class=\"comments\" id=\"comments\"><h2>Comments (\(visible))</h2>"
        if entries.isEmpty { html += "<p class=\"meta\">No comments yet.</p>" }
        if !entries.isEmpty {
            html += "<ol class=\"thread\">"
            for entry in entries { html += item(entry, paper: paper, viewerBan: viewerBan, bans: bans, now: now) }
            html += "</ol>"
        }
        html += newCommentForm(paper: paper, viewerBan: viewerBan)
        html += "</section>"
        return html
    }

    private static func item(_ entry: Entry, paper: ArxivID, viewerBan: UserBan?, bans: [Int64: UserBan], now: Date) -> String {
        let c = entry.comment
        let viewer = Viewer.current
        let moderator = (viewer?.user.role ?? .user) >= .curator
        var html = "<li class=\"comment d\(min(entry.depth, deepestIndent))\" id=\"comment-\(c.id)\">"
        if c.deleted {
            return html + "<p class=\"meta\">[deleted]</p></li>"
        }
        html += "<p class=\"meta\"><strong>\(HTML.escape(c.author))</strong>"
        if moderator, let ban = bans[c.authorID] { html += " <span class=\"chip\">banned: \(HTML.escape(ban.reason))</span>" }
        html += " · <a href=\"#comment-\(c.id)\">\(time(c.createdAt, now: now))</a>"
        if c.editedAt != nil { html += " · edited" }
        html += "</p>"
        if let hidden = c.hidden {
            html += "<p class=\"hidden-note\">Hidden by a moderator: \(HTML.escape(hidden.reason.rawValue))</p>"
            if moderator {
                html += "<div class=\"text moderated\">\(text(c.body))</div>"
                html += "<p class=\"meta\">Hidden by \(HTML.escape(hidden.moderator)) \(time(hidden.at, now: now)).</p>"
            }
        } else {
            html += "<div class=\"text\">\(text(c.body))</div>"
        }
        guard let viewer else { return html + "</li>" }
        let csrf = CSRF.field(viewer.csrfToken)
        var actions: [String] = []
        if viewerBan == nil {
            actions.append("""
                <details><summary>Reply</summary><form class="comment-form" method="post" action="/papers/\(HTML.escape(paper.value))/comments">\
                \(csrf)<input type="hidden" name="parent" value="\(c.id)">\
                <textarea name="text" required rows="3" maxlength="\(CommentText.maxCharacters)" aria-label="Your reply"></textarea>\
                <button type="submit">Reply</button></form></details>
                """)
        }
        if c.authorID == viewer.user.id {
            actions.append("""
                <details><summary>Edit</summary><form class="comment-form" method="post" action="/comments/\(c.id)/edit">\(csrf)\
                <textarea name="text" required rows="4" maxlength="\(CommentText.maxCharacters)" aria-label="Your comment">\(HTML.escape(c.body))</textarea>\
                <button type="submit">Save</button></form></details>
                """)
            actions.append("""
                <form method="post" action="/comments/\(c.id)/delete">\(csrf)<button type="submit">Delete</button></form>
                """)
        }
        if moderator {
            if c.hidden == nil {
                let options = HideReason.allCases.map { "<option value=\"\($0.rawValue)\">\($0.rawValue)</option>" }.joined()
                actions.append("""
                    <details><summary>Hide</summary><form method="post" action="/comments/\(c.id)/hide">\(csrf)\
                    <label>Reason <select name="reason">\(options)</select></label> <button type="submit">Hide</button></form></details>
                    """)
            } else {
                actions.append("""
                    <form method="post" action="/comments/\(c.id)/hide">\(csrf)<input type="hidden" name="reason" value="none">\
                    <button type="submit">Show again</button></form>
                    """)
            }
            if c.authorID != viewer.user.id {
                if bans[c.authorID] == nil {
                    actions.append("""
                        <details><summary>Ban \(HTML.escape(c.author))</summary><form method="post" action="/comments/\(c.id)/ban">\(csrf)\
                        <input type="hidden" name="ban" value="1"><label>Reason <input name="reason" required maxlength="\(maxBanReason)"></label> \
                        <button type="submit">Ban user</button></form></details>
                        """)
                } else {
                    actions.append("""
                        <form method="post" action="/comments/\(c.id)/ban">\(csrf)<input type="hidden" name="ban" value="0">\
                        <button type="submit">Lift \(HTML.escape(c.author))'s ban</button></form>
                        """)
                }
            }
        }
        if !actions.isEmpty { html += "<div class=\"comment-actions\">\(actions.joined())</div>" }
        return html + "</li>"
    }

    /// The most characters a ban's reason may have.
    static let maxBanReason = 200

    private static func newCommentForm(paper: ArxivID, viewerBan: UserBan?) -> String {
        guard let viewer = Viewer.current else {
            let next = HTML.queryValue("/papers/\(paper.value)#comments")
            return "<p><a href=\"/login?next=\(next)\">Log in</a> or <a href=\"/signup\">sign up</a> to comment.</p>"
        }
        if let ban = viewerBan {
            return "<p class=\"notice\" role=\"status\">\(HTML.escape(CommentError.banned(ban).description))</p>"
        }
        return """
            <form class="comment-form" method="post" action="/papers/\(HTML.escape(paper.value))/comments">\(CSRF.field(viewer.csrfToken))
            <label for="new-comment">Add a comment</label>
            <textarea id="new-comment" name="text" required rows="4" maxlength="\(CommentText.maxCharacters)"></textarea>
            <p class="meta">Plain text; links are kept. At most \(CommentText.maxCharacters) characters.</p>
            <button type="submit">Comment</button>
            </form>
            """
    }

    /// A comment's text as HTML: everything escaped, line breaks kept, and http(s) addresses
    /// made links that search engines do not credit (`nofollow ugc`) and that cannot reach back
    /// into this page (`noopener`).
    static func text(_ body: String) -> String {
        var out = ""
        var index = body.startIndex
        var plainStart = index
        func plain(_ text: Substring) {
            out += HTML.escape(String(text)).replacingOccurrences(of: "\n", with: "<br>\n")
        }
        while index < body.endIndex {
            if let end = urlEnd(in: body, at: index) {
                plain(body[plainStart..<index])
                let url = HTML.escape(String(body[index..<end]))
                out += "<a href=\"\(url)\" rel=\"nofollow ugc noopener\">\(url)</a>"
                index = end
                plainStart = end
            } else {
                index = body.index(after: index)
            }
        }
        plain(body[plainStart...])
        return out
    }

    /// Where an http(s) address that starts at `start` ends, if one does: it starts a word,
    /// runs to the next space or character that cannot be in a URL, and leaves trailing
    /// punctuation (and an unmatched closing bracket) to the sentence around it.
    private static func urlEnd(in text: String, at start: String.Index) -> String.Index? {
        guard text[start] == "h" || text[start] == "H" else { return nil }
        if start > text.startIndex {
            let before = text[text.index(before: start)]
            if before.isLetter || before.isNumber { return nil }
        }
        let head = text[start...].prefix(8).lowercased()
        let schemeLength: Int
        if head.hasPrefix("https://") { schemeLength = 8 } else if head.hasPrefix("http://") { schemeLength = 7 } else { return nil }
        let afterScheme = text.index(start, offsetBy: schemeLength)
        var end = afterScheme
        while end < text.endIndex {
            let ch = text[end]
            if ch.isWhitespace || ch == "<" || ch == ">" || ch == "\"" || ch.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                break
            }
            end = text.index(after: end)
        }
        while end > afterScheme {
            let last = text[text.index(before: end)]
            let url = text[start..<text.index(before: end)]
            let unmatched = (last == ")" && url.filter { $0 == "(" }.count <= url.filter { $0 == ")" }.count)
                || (last == "]" && !url.contains("["))
            guard ".,;:!?'".contains(last) || unmatched else { break }
            end = text.index(before: end)
        }
        return end > afterScheme ? end : nil
    }

    /// "5 minutes ago", with the exact time in a `<time>` element for tooltips and machines.
    static func time(_ date: Date, now: Date) -> String {
        let seconds = Int(now.timeIntervalSince(date))
        let words: String
        switch seconds {
        case ..<60: words = "just now"
        case ..<3_600: words = plural(seconds / 60, "minute") + " ago"
        case ..<86_400: words = plural(seconds / 3_600, "hour") + " ago"
        case ..<(30 * 86_400): words = plural(seconds / 86_400, "day") + " ago"
        default: words = "on " + String(iso(date).prefix(10))
        }
        return "<time datetime=\"\(iso(date))\">\(words)</time>"
    }

    private static func plural(_ n: Int, _ unit: String) -> String { n == 1 ? "1 \(unit)" : "\(n) \(unit)s" }

    static func iso(_ date: Date) -> String { date.formatted(.iso8601) }
}
