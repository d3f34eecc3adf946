import Catalog
import Foundation
import Hummingbird

/// RSS 2.0 and Atom 1.0 feeds of the daily feed, of trending and of any search
/// (`/feeds/{daily,trending,search}.{rss,atom}`), so a feed reader can follow any list.
struct SyndicationFeeds: Sendable {
    let catalog: any CatalogStore
    let listing: FeedListing
    let baseURL: String

    enum Format: String { case rss, atom }

    /// The daily feed covers the last week of featured days.
    static let dailyDays = 7
    static let maxItems = 100

    struct Feed {
        var title: String
        var description: String
        /// The page the feed mirrors, relative to the base URL.
        var pagePath: String
        /// The feed's own path and query, relative to the base URL.
        var selfPath: String
        var papers: [Paper]
    }

    /// `/feeds/{name}.{rss|atom}`.
    func feed(_ file: String, _ request: Request) async throws -> BufferedResponse {
        let parts = file.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2, let format = Format(rawValue: parts[1]) else {
            return Self.plain(.notFound, "No feed '\(file.prefix(60))'. Feeds: daily, trending and search, each as .rss or .atom.")
        }
        let feed: Feed
        switch parts[0] {
        case "daily":
            var papers: [Paper] = []
            if let latest = try await listing.latestDay() {
                papers = try await catalog.papers(PaperQuery(
                    featuredFrom: DateText.day(latest, plus: 1 - Self.dailyDays), featuredThrough: latest, order: .featured, limit: Self.maxItems))
            }
            feed = Feed(title: "Daily Papers", description: "Papers featured on Daily Papers, latest days first, most upvoted first within a day.",
                        pagePath: "/papers", selfPath: "/feeds/\(file)", papers: papers)
        case "trending":
            feed = Feed(title: "Trending papers", description: "The papers of the last week of the feed, ranked by \(TrendingScore.formula).",
                        pagePath: "/papers/trending", selfPath: "/feeds/\(file)", papers: try await listing.trending(limit: 50, offset: 0))
        case "search":
            let text = String(QueryString(request)["q"] ?? "").prefix(SearchQuery.maxLength)
            guard !text.trimmingCharacters(in: .whitespaces).isEmpty else {
                return Self.plain(.badRequest, "A search feed needs a query: /feeds/search.\(format.rawValue)?q=your+words")
            }
            // The best matches, newest first: a reader following a search wants what is new.
            let hits = try await catalog.search(SearchQuery(parsing: String(text)), limit: Self.maxItems, offset: 0)
            let papers = hits.map(\.paper).sorted { Self.date(of: $0) > Self.date(of: $1) }
            let q = HTML.queryValue(String(text))
            feed = Feed(title: "Papers matching “\(text)”", description: "Search results for \(text), newest first.",
                        pagePath: "/search?q=\(q)", selfPath: "/feeds/\(file)?q=\(q)", papers: papers)
        default:
            return Self.plain(.notFound, "No feed '\(file.prefix(60))'. Feeds: daily, trending and search, each as .rss or .atom.")
        }
        let body = format == .rss ? rss(feed) : atom(feed)
        var response = BufferedResponse(
            contentType: format == .rss ? "application/rss+xml; charset=utf-8" : "application/atom+xml; charset=utf-8",
            body: ByteBuffer(string: body))
        response.headers[.cacheControl] = "max-age=300"
        return response
    }

    func rss(_ feed: Feed) -> String {
        var xml = """
            <?xml version="1.0" encoding="utf-8"?>
            <rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/">
            <channel>
            <title>\(Self.xml(feed.title))</title>
            <link>\(Self.xml(baseURL + feed.pagePath))</link>
            <description>\(Self.xml(feed.description))</description>
            <language>en</language>
            <generator>Paperboy</generator>
            <atom:link href="\(Self.xml(baseURL + feed.selfPath))" rel="self" type="application/rss+xml"/>

            """
        if let newest = feed.papers.map(Self.date(of:)).max() { xml += "<lastBuildDate>\(Self.rfc822(newest))</lastBuildDate>\n" }
        for p in feed.papers {
            let link = "\(baseURL)/papers/\(p.id.value)"
            xml += "<item>\n<title>\(Self.xml(p.title))</title>\n<link>\(Self.xml(link))</link>\n"
            xml += "<guid isPermaLink=\"true\">\(Self.xml(link))</guid>\n"
            xml += "<pubDate>\(Self.rfc822(Self.date(of: p)))</pubDate>\n"
            for author in p.authors { xml += "<dc:creator>\(Self.xml(author))</dc:creator>\n" }
            for category in p.categories { xml += "<category>\(Self.xml(category))</category>\n" }
            xml += "<description>\(Self.xml(Self.summary(p)))</description>\n</item>\n"
        }
        return xml + "</channel>\n</rss>\n"
    }

    func atom(_ feed: Feed) -> String {
        let updated = feed.papers.map(Self.date(of:)).max() ?? "1970-01-01T00:00:00Z"
        var xml = """
            <?xml version="1.0" encoding="utf-8"?>
            <feed xmlns="http://www.w3.org/2005/Atom">
            <title>\(Self.xml(feed.title))</title>
            <subtitle>\(Self.xml(feed.description))</subtitle>
            <id>\(Self.xml(baseURL + feed.selfPath))</id>
            <link rel="self" type="application/atom+xml" href="\(Self.xml(baseURL + feed.selfPath))"/>
            <link rel="alternate" type="text/html" href="\(Self.xml(baseURL + feed.pagePath))"/>
            <updated>\(Self.xml(updated))</updated>
            <generator>Paperboy</generator>

            """
        for p in feed.papers {
            let link = "\(baseURL)/papers/\(p.id.value)"
            xml += "<entry>\n<title>\(Self.xml(p.title))</title>\n<id>\(Self.xml(link))</id>\n"
            xml += "<link rel=\"alternate\" type=\"text/html\" href=\"\(Self.xml(link))\"/>\n"
            xml += "<link rel=\"related\" type=\"application/pdf\" href=\"https://arxiv.org/pdf/\(Self.xml(p.id.value))\"/>\n"
            xml += "<updated>\(Self.xml(Self.date(of: p)))</updated>\n"
            if let published = p.published { xml += "<published>\(Self.xml(published))</published>\n" }
            for author in p.authors { xml += "<author><name>\(Self.xml(author))</name></author>\n" }
            if p.authors.isEmpty { xml += "<author><name>Unknown</name></author>\n" }
            for category in p.categories { xml += "<category term=\"\(Self.xml(category))\"/>\n" }
            xml += "<summary type=\"text\">\(Self.xml(Self.summary(p)))</summary>\n</entry>\n"
        }
        return xml + "</feed>\n"
    }

    /// The abstract, with the upvotes and featured day in front when there are some.
    static func summary(_ p: Paper) -> String {
        guard let day = p.featuredDate else { return p.abstract }
        return "▲ \(p.upvotes) · featured \(day)\n\n\(p.abstract)"
    }

    /// When the paper entered the feed (its featured day), else its publication: ISO 8601 UTC.
    static func date(of p: Paper) -> String {
        if let day = p.featuredDate { return day + "T00:00:00Z" }
        return p.published ?? p.updated ?? "1970-01-01T00:00:00Z"
    }

    /// `2026-08-21T00:00:00Z` → `Fri, 21 Aug 2026 00:00:00 GMT` (RFC 822, as RSS 2.0 asks).
    static func rfc822(_ timestamp: String) -> String {
        let digits = timestamp.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        guard digits.count >= 3 else { return "Thu, 01 Jan 1970 00:00:00 GMT" }
        let days = DateText.daysFromCivil(digits[0], digits[1], digits[2])
        let weekday = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][DateText.weekday(days)]
        let month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][max(0, min(11, digits[1] - 1))]
        let time = digits.count >= 6 ? String(format: "%02d:%02d:%02d", digits[3], digits[4], digits[5]) : "00:00:00"
        return "\(weekday), " + String(format: "%02d", digits[2]) + " \(month) " + String(format: "%04d", digits[0]) + " \(time) GMT"
    }

    /// Escapes text for XML content and attributes, dropping characters XML 1.0 forbids.
    static func xml(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                let v = scalar.value
                // Search marks (`SearchHit.markStart`/`markEnd`) are private-use characters: dropped too.
                if v < 0x20 || (0xFFFE...0xFFFF).contains(v) || Character(scalar) == SearchHit.markStart
                    || Character(scalar) == SearchHit.markEnd { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func plain(_ status: HTTPResponse.Status, _ message: String) -> BufferedResponse {
        BufferedResponse(status: status, contentType: "text/plain; charset=utf-8", body: ByteBuffer(string: message + "\n"))
    }
}
