import Catalog
import Foundation
import Hummingbird

/// The feed pages: a day, a week, a month, trending and a submitter's papers, each sortable
/// and paged (server-rendered HTML, usable without JavaScript).
struct FeedPages: Sendable {
    let catalog: any CatalogStore
    let listing: FeedListing

    static let pageSize = 50

    /// What a feed page's query string asks for: `sort` and `p` (page, from 0).
    struct Options {
        var sort = FeedSort.upvotes
        var page = 0

        init(_ request: Request) throws(PageError) {
            let query = QueryString(request)
            if let text = query["sort"] {
                guard let sort = FeedSort(rawValue: String(text)) else {
                    throw .badRequest("sort '\(text.prefix(40))' is not one of \(FeedSort.allCases.map(\.rawValue).joined(separator: ", ")).")
                }
                self.sort = sort
            }
            if let text = query["p"] {
                guard let page = Int(text), (0...10_000).contains(page) else {
                    throw .badRequest("p '\(text.prefix(40))' must be a page number from 0 to 10000.")
                }
                self.page = page
            }
        }
    }

    /// A query string the pages cannot answer, as the page that says why.
    struct PageError: Error {
        let message: String
        static func badRequest(_ message: String) -> PageError { PageError(message: message) }
        var response: BufferedResponse { HTML.badRequest(message) }
    }

    /// `/papers`: the latest day with featured papers.
    func latestDay(_ request: Request) async throws -> BufferedResponse {
        guard let latest = try await listing.latestDay() else { return emptyCatalog() }
        return try await period(.day(latest), request)
    }

    /// `/papers/week` and `/papers/month`: the latest one with papers.
    func latest(_ kind: FeedPeriod.Kind) async throws -> BufferedResponse {
        guard let latest = try await listing.latestDay(), let period = FeedPeriod.containing(latest, as: kind) else {
            return emptyCatalog()
        }
        return .redirect(to: period.path)
    }

    /// `/papers/date/…`, `/papers/week/…`, `/papers/month/…`.
    func period(_ kind: FeedPeriod.Kind, _ text: String, _ request: Request) async throws -> BufferedResponse {
        guard let period = FeedPeriod(kind, text) else {
            let expected = switch kind {
            case .day: "a day, YYYY-MM-DD (e.g. 2026-08-21)"
            case .week: "an ISO week, YYYY-Www (e.g. 2026-W34)"
            case .month: "a month, YYYY-MM (e.g. 2026-08)"
            }
            return HTML.badRequest("'\(text.prefix(60))' is not \(expected).")
        }
        return try await self.period(period, request)
    }

    func period(_ period: FeedPeriod, _ request: Request) async throws -> BufferedResponse {
        let options: Options
        do { options = try Options(request) } catch { return error.response }
        let (from, through) = period.range
        // A day holds a few dozen papers: ask for the page only. A week or a month is read whole
        // (a few hundred), once, for both the chart of papers per day and the page.
        let papers: [Paper]
        var chart = ""
        if period.kind == .day {
            papers = try await listing.papers(
                from: from, through: through, sort: options.sort, limit: Self.pageSize + 1, offset: options.page * Self.pageSize)
        } else {
            let all = try await listing.papers(from: from, through: through, sort: options.sort, limit: FeedListing.rankingWindow, offset: 0)
            papers = Array(all.dropFirst(options.page * Self.pageSize).prefix(Self.pageSize + 1))
            if options.page == 0 { chart = Self.chart(period, all) }
        }
        let around = try await catalog.featuredDays(around: from, through: through)
        let previous = around.before.flatMap { FeedPeriod.containing($0, as: period.kind) }
        let next = around.after.flatMap { FeedPeriod.containing($0, as: period.kind) }

        var body = "<h1>\(HTML.escape(period.title))</h1>"
        body += periodSwitch(period)
        body += "<nav class=\"pager\" aria-label=\"Periods\">"
        body += previous.map { "<a rel=\"prev\" href=\"\($0.path)\">← \(HTML.escape($0.title))</a>" } ?? "<span></span>"
        body += next.map { "<a rel=\"next\" href=\"\($0.path)\">\(HTML.escape($0.title)) →</a>" } ?? "<span></span>"
        body += "</nav>"
        body += chart
        body += sortSwitch(path: period.path, current: options.sort)
        if papers.isEmpty {
            body += "<p>No papers were featured \(period.kind == .day ? "on this day" : "in this \(period.kind.rawValue)").</p>"
        }
        try await Viewer.current?.learnVotes(papers.map(\.id))
        body += cards(papers, path: period.path, options: options)
        return HTML.page(title: "Daily Papers: \(period.title)", body: body)
    }

    /// `/papers/trending`: the last week of the feed by trending score.
    func trending(_ request: Request) async throws -> BufferedResponse {
        let options: Options
        do { options = try Options(request) } catch { return error.response }
        let papers = try await listing.trending(limit: Self.pageSize + 1, offset: options.page * Self.pageSize)
        var body = "<h1>Trending papers</h1>"
        body += "<p class=\"meta\">The last \(FeedListing.trendingDays) days of the feed, ranked by \(HTML.escape(TrendingScore.formula)).</p>"
        if papers.isEmpty { body += "<p>Nothing is trending: the catalog has no featured papers yet.</p>" }
        var trendingOptions = options
        trendingOptions.sort = .upvotes  // the pager keeps no sort parameter here
        try await Viewer.current?.learnVotes(papers.map(\.id))
        body += cards(papers, path: "/papers/trending", options: trendingOptions)
        return HTML.page(title: "Trending papers", body: body, feeds: [.trending, .daily])
    }

    /// `/users/{name}`: the papers one person submitted to the feed.
    func submitter(_ name: String, _ request: Request) async throws -> BufferedResponse {
        guard !name.isEmpty, name.count <= 100 else { return HTML.notFound("No such submitter.") }
        let options: Options
        do { options = try Options(request) } catch { return error.response }
        let papers = try await listing.papers(
            from: nil, through: nil, submitter: name, sort: options.sort,
            limit: Self.pageSize + 1, offset: options.page * Self.pageSize)
        guard !papers.isEmpty || options.page > 0 else {
            return HTML.notFound("Nobody called '\(name)' has submitted papers to this feed.")
        }
        let path = "/users/\(HTML.queryValue(name))"
        var body = "<h1>Papers submitted by \(HTML.escape(name))</h1>"
        // A link, not the list itself: this page is cached until the catalog changes, and
        // collection edits do not change the catalog.
        body += "<p class=\"meta\"><a href=\"\(path)/collections\">\(HTML.escape(name))'s public collections</a></p>"
        body += sortSwitch(path: path, current: options.sort)
        try await Viewer.current?.learnVotes(papers.map(\.id))
        body += cards(papers, path: path, options: options)
        return HTML.page(title: "Submitted by \(name)", body: body)
    }

    private func emptyCatalog() -> BufferedResponse {
        HTML.page(
            title: "Daily Papers",
            body: "<h1>Daily Papers</h1><p>The catalog has no featured papers yet. Import some with <code>paperboy import</code>.</p>")
    }

    /// Links to the day, week and month holding the period's first day.
    private func periodSwitch(_ period: FeedPeriod) -> String {
        let first = period.range.from
        let links = [FeedPeriod.Kind.day, .week, .month].compactMap { kind -> String? in
            guard let p = FeedPeriod.containing(first, as: kind) else { return nil }
            let label = kind == .day ? "Day" : kind == .week ? "Week" : "Month"
            return kind == period.kind ? "<strong>\(label)</strong>" : "<a href=\"\(p.path)\">\(label)</a>"
        }
        return "<div class=\"sorts\" aria-label=\"Period\">\(links.joined())</div>"
    }

    private func sortSwitch(path: String, current: FeedSort) -> String {
        let links = FeedSort.allCases.map { sort in
            sort == current ? "<strong>\(sort.label)</strong>"
                : "<a href=\"\(path)\(sort == .upvotes ? "" : "?sort=\(sort.rawValue)")\">\(sort.label)</a>"
        }
        return "<div class=\"sorts\" aria-label=\"Sort\">\(links.joined())</div>"
    }

    /// Up to `pageSize` cards, then a pager when there are more (the listing asked for one extra).
    private func cards(_ papers: [Paper], path: String, options: Options) -> String {
        var html = papers.prefix(Self.pageSize).map { Self.card($0) }.joined()
        let sortParameter = options.sort == .upvotes ? "" : "sort=\(options.sort.rawValue)&"
        let older = papers.count > Self.pageSize
        if options.page > 0 || older {
            html += "<nav class=\"pager\" aria-label=\"Pages\">"
            html += options.page > 0 ? "<a href=\"\(path)?\(sortParameter)p=\(options.page - 1)\">← Previous page</a>" : "<span></span>"
            html += older ? "<a href=\"\(path)?\(sortParameter)p=\(options.page + 1)\">Next page →</a>" : "<span></span>"
            html += "</nav>"
        }
        return html
    }

    /// Papers and upvotes per day of a week or month, as a bar chart: one bar per day, its
    /// height the number of papers featured, linking to that day.
    private static func chart(_ period: FeedPeriod, _ papers: [Paper]) -> String {
        var perDay: [String: (papers: Int, upvotes: Int)] = [:]
        for p in papers { if let day = p.featuredDate { perDay[day, default: (0, 0)].papers += 1; perDay[day, default: (0, 0)].upvotes += p.upvotes } }
        guard let most = perDay.values.map(\.papers).max(), most > 0 else { return "" }
        let days = period.days
        let width = 600.0, height = 120.0, slot = width / Double(days.count)
        var svg = "<svg class=\"chart\" viewBox=\"0 0 \(Int(width)) \(Int(height) + 14)\" role=\"img\" aria-label=\"Papers featured per day\">"
        for (i, day) in days.enumerated() {
            let x = Double(i) * slot
            if let counts = perDay[day] {
                let h = max(2, height * Double(counts.papers) / Double(most))
                svg += "<a href=\"/papers/date/\(day)\"><rect x=\"\(Self.number(x + slot * 0.15))\" y=\"\(Self.number(height - h))\" width=\"\(Self.number(slot * 0.7))\" height=\"\(Self.number(h))\" rx=\"2\">"
                svg += "<title>\(day): \(counts.papers) papers, \(counts.upvotes) upvotes</title></rect></a>"
            }
            if days.count <= 7 || day.hasSuffix("01") || day.hasSuffix("10") || day.hasSuffix("20") {
                svg += "<text x=\"\(Self.number(x + slot / 2))\" y=\"\(Int(height) + 12)\" text-anchor=\"middle\">\(day.suffix(2))</text>"
            }
        }
        return svg + "</svg><p class=\"meta\">\(papers.count) papers featured, \(perDay.values.map(\.upvotes).reduce(0, +)) upvotes in all.</p>"
    }

    private static func number(_ value: Double) -> String { String(format: "%.1f", value) }

    /// A paper in a list: what the seed page shows (title, excerpt, number of authors, date,
    /// upvotes), plus the primary category and a code link when there is one.
    static func card(_ p: Paper) -> String {
        return cardHTML(p, title: HTML.escape(p.title), excerpt: HTML.escape(excerpt(p.abstract)))
    }

    /// About the first `length` bytes of UTF-8 (300 characters of Latin text), cut at the last
    /// space before them: a space byte never sits inside a multi-byte character, so the cut
    /// is always clean. Working on bytes keeps this cheap; listings call it for every card.
    static func excerpt(_ text: String, length: Int = 300) -> String {
        var text = text
        return text.withUTF8 { utf8 in
            guard utf8.count > length else { return String(decoding: utf8, as: UTF8.self) }
            var cut = length
            while cut > length / 2, utf8[cut] != UInt8(ascii: " ") { cut -= 1 }
            if utf8[cut] != UInt8(ascii: " ") {
                cut = length
                while cut > 0, utf8[cut] & 0xC0 == 0x80 { cut -= 1 }  // no space: back to a character start
            }
            return String(decoding: UnsafeBufferPointer(rebasing: utf8[..<cut]), as: UTF8.self) + "…"
        }
    }

    /// A search result: the same card with the matched words marked.
    static func card(_ hit: SearchHit) -> String {
        cardHTML(hit.paper, title: HTML.escapeMarked(hit.markedTitle), excerpt: HTML.escapeMarked(hit.markedSnippet))
    }

    private static func cardHTML(_ p: Paper, title: String, excerpt: String) -> String {
        let authors = p.authors.count == 1 ? "1 author" : "\(p.authors.count) authors"
        var meta = [authors, HTML.escape(p.featuredDate ?? String((p.published ?? "").prefix(10)))]
        if let category = p.categories.first { meta.append("<span class=\"chip\">\(HTML.escape(category))</span>") }
        if let repo = p.githubRepo { meta.append("<a href=\"\(HTML.escape(repo))\" rel=\"nofollow\">Code</a>") }
        return """
            <article class="card">\(HTML.votes(p))<div class="body">
            <h2><a href="/papers/\(HTML.escape(p.id.value))">\(title)</a></h2>
            <p>\(excerpt)</p>
            <p class="meta">\(meta.joined(separator: " · "))</p></div></article>
            """
    }
}
