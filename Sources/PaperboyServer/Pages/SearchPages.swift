import Catalog
import Hummingbird
import SemanticSearch

/// The search results page and the subscribe page.
struct SearchPages: Sendable {
    let search: PaperSearch

    static let pageSize = 30

    /// `/search?q=…&p=…&mode=…`: hybrid search by default, with the matched words marked.
    /// Whatever is typed gives results or an honest "no results".
    func search(_ request: Request) async throws -> BufferedResponse {
        let parameters = QueryString(request)
        let text = parameters["q"] ?? ""
        var page = 0
        if let p = parameters["p"] {
            guard let n = Int(p), (0...1_000).contains(n) else { return HTML.badRequest("p '\(p.prefix(40))' must be a page number from 0 to 1000.") }
            page = n
        }
        let asked: SearchMode
        if let m = parameters["mode"] {
            guard let mode = SearchMode(rawValue: m) else { return HTML.badRequest("mode '\(m.prefix(40))' must be keyword, semantic or hybrid.") }
            asked = mode
        } else {
            asked = .hybrid
        }
        let query = SearchQuery(parsing: text)
        let feed = HTML.FeedLink(title: "Search: \(text.prefix(80))", rssPath: "/feeds/search.rss?q=\(HTML.queryValue(String(text.prefix(SearchQuery.maxLength))))")
        var body = "<h1>\(text.isEmpty ? "Search" : "Results for “\(HTML.escape(String(text.prefix(200))))”")</h1>"
        guard !query.isEmpty else {
            body += "<p>Type words to look for in titles, authors and abstracts.</p>" + Self.help
            return HTML.page(title: "Search", body: body, searchText: text)
        }
        let results = try await search.search(text, mode: asked, limit: Self.pageSize, offset: page * Self.pageSize)
        body += Self.modeSwitch(text: text, current: asked)
        if let notice = results.notice { body += "<p class=\"notice\">\(HTML.escape(notice))</p>" }
        if results.hits.isEmpty {
            body += "<p>No results\(page > 0 ? " on this page" : ""). Try fewer or different words.</p>" + Self.help
        } else {
            body += "<p class=\"meta\">\(Self.explanation[results.mode]!) Follow this search: <a href=\"\(HTML.escape(feed.rssPath))\">RSS</a> · <a href=\"\(HTML.escape(feed.atomPath))\">Atom</a></p>"
        }
        try await Viewer.current?.learnVotes(results.hits.map(\.paper.id))
        // Semantic-only hits have no marked excerpt: those show the plain card.
        body += results.hits.map { $0.markedSnippet.isEmpty ? FeedPages.card($0.paper) : FeedPages.card($0) }.joined()
        if page > 0 || results.hasMore {
            let base = "/search?q=\(HTML.queryValue(text))\(asked == .hybrid ? "" : "&mode=\(asked.rawValue)")&p="
            body += "<nav class=\"pager\" aria-label=\"Pages\">"
            body += page > 0 ? "<a href=\"\(HTML.escape(base))\(page - 1)\">← Previous page</a>" : "<span></span>"
            body += results.hasMore ? "<a href=\"\(HTML.escape(base))\(page + 1)\">Next page →</a>" : "<span></span>"
            body += "</nav>"
        }
        return HTML.page(title: "Search: \(text.prefix(80))", body: body, feeds: [feed, .daily], searchText: text)
    }

    static let explanation: [SearchMode: String] = [
        .hybrid: "Best matches first, by words and by meaning.",
        .keyword: "Best matches first, by the words they contain.",
        .semantic: "Closest in meaning first, whatever their words.",
    ]

    /// Links to the same search in each mode, the current one marked.
    static func modeSwitch(text: String, current: SearchMode) -> String {
        let links = [(SearchMode.hybrid, "Hybrid"), (.keyword, "Keyword"), (.semantic, "Semantic")].map { mode, label in
            let href = "/search?q=\(HTML.queryValue(text))" + (mode == .hybrid ? "" : "&mode=\(mode.rawValue)")
            return mode == current ? "<strong>\(label)</strong>" : "<a href=\"\(HTML.escape(href))\">\(label)</a>"
        }
        return "<div class=\"sorts\" aria-label=\"Search mode\">\(links.joined())</div>"
    }

    static let help = """
        <p class="meta">Hybrid search ranks papers by the words they contain (forms like \
        <em>training</em>/<em>trained</em> count, papers with all the words first) and by what they mean. \
        Use "quoted phrases", -word to exclude, author:name, category:cs.CL, from:2025-01 and to:2025-06.</p>
        """

    /// `/subscribe` on a server without a mail relay (`serve --smtp-host`): the page offers the
    /// feeds, which work in any feed reader. With a relay, `SubscriptionPages` answers instead.
    func subscribe(_ request: Request) async throws -> BufferedResponse {
        let email = QueryString(request)["email"] ?? ""
        var body = "<h1>Follow the papers</h1>"
        if !email.isEmpty {
            body += "<p>This server sends no email (no mail relay is set up), so <strong>\(HTML.escape(String(email.prefix(200))))</strong> was not subscribed. Follow a feed below instead.</p>"
        }
        body += """
            <p>Every list on this site is also a feed for your feed reader:</p>
            <ul>
            <li>The daily papers: <a href="/feeds/daily.rss">RSS</a> · <a href="/feeds/daily.atom">Atom</a></li>
            <li>Trending papers: <a href="/feeds/trending.rss">RSS</a> · <a href="/feeds/trending.atom">Atom</a></li>
            <li>Any search: search, then follow the RSS or Atom link above the results.</li>
            </ul>
            """
        return HTML.page(title: "Follow the papers", body: body)
    }
}
