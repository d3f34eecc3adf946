import Catalog
import Hummingbird

/// The search results page and the subscribe page.
struct SearchPages: Sendable {
    let catalog: any CatalogStore

    static let pageSize = 30

    /// `/search?q=…&p=…`: keyword search with the matched words marked. Whatever is typed
    /// gives results or an honest "no results".
    func search(_ request: Request) async throws -> BufferedResponse {
        let parameters = QueryString(request)
        let text = parameters["q"] ?? ""
        var page = 0
        if let p = parameters["p"] {
            guard let n = Int(p), (0...1_000).contains(n) else { return HTML.badRequest("p '\(p.prefix(40))' must be a page number from 0 to 1000.") }
            page = n
        }
        let query = SearchQuery(parsing: text)
        let feed = HTML.FeedLink(title: "Search: \(text.prefix(80))", rssPath: "/feeds/search.rss?q=\(HTML.queryValue(String(text.prefix(SearchQuery.maxLength))))")
        var body = "<h1>\(text.isEmpty ? "Search" : "Results for “\(HTML.escape(String(text.prefix(200))))”")</h1>"
        guard !query.isEmpty else {
            body += "<p>Type words to look for in titles, authors and abstracts.</p>" + Self.help
            return HTML.page(title: "Search", body: body, searchText: text)
        }
        let hits = try await catalog.search(query, limit: Self.pageSize + 1, offset: page * Self.pageSize)
        if hits.isEmpty {
            body += "<p>No results\(page > 0 ? " on this page" : ""). Try fewer or different words.</p>" + Self.help
        } else {
            body += "<p class=\"meta\">Best matches first. Follow this search: <a href=\"\(HTML.escape(feed.rssPath))\">RSS</a> · <a href=\"\(HTML.escape(feed.atomPath))\">Atom</a></p>"
        }
        body += hits.prefix(Self.pageSize).map { FeedPages.card($0) }.joined()
        if page > 0 || hits.count > Self.pageSize {
            let base = "/search?q=\(HTML.queryValue(text))&p="
            body += "<nav class=\"pager\" aria-label=\"Pages\">"
            body += page > 0 ? "<a href=\"\(HTML.escape(base))\(page - 1)\">← Previous page</a>" : "<span></span>"
            body += hits.count > Self.pageSize ? "<a href=\"\(HTML.escape(base))\(page + 1)\">Next page →</a>" : "<span></span>"
            body += "</nav>"
        }
        return HTML.page(title: "Search: \(text.prefix(80))", body: body, feeds: [feed, .daily], searchText: text)
    }

    static let help = """
        <p class="meta">Words must all match (forms like <em>training</em>/<em>trained</em> count). \
        Use "quoted phrases", -word to exclude, author:name, category:cs.CL, from:2025-01 and to:2025-06.</p>
        """

    /// `/subscribe`: how to follow the feed. Email digests arrive with the digest feature;
    /// until then the page offers the feeds, which work in any feed reader.
    func subscribe(_ request: Request) async throws -> BufferedResponse {
        let email = QueryString(request)["email"] ?? ""
        var body = "<h1>Follow the papers</h1>"
        if !email.isEmpty {
            body += "<p>This server does not send email digests yet, so <strong>\(HTML.escape(String(email.prefix(200))))</strong> was not subscribed. Follow a feed below instead.</p>"
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
