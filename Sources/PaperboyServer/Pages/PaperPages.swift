import Catalog
import Community
import Foundation
import Hummingbird
import SemanticSearch

/// A page per paper, for every paper in the catalog (featured or not), and its Markdown twin.
struct PaperPages: Sendable {
    let catalog: any CatalogStore
    let search: PaperSearch
    /// Where the discussion under each paper lives; nil on a site without accounts.
    var comments: (any CommentStore)? = nil
    /// The trending list and the clock, for the line that explains a paper's trending score.
    var listing: FeedListing? = nil
    /// The signed-in reader's collections, for the "Save to a collection" section; nil on a
    /// site without accounts.
    var collections: (any CollectionStore)? = nil
    /// The caps the section's "new collection" form respects.
    var collectionLimits = CollectionLimits()

    /// Similar papers listed under each paper.
    static let similarCount = 5

    /// `/papers/{id}`, or `/papers/{id}.md` for the Markdown.
    func paper(_ text: String) async throws -> BufferedResponse {
        if text.hasSuffix(".md") { return try await markdown(String(text.dropLast(3))) }
        guard let id = ArxivID(text) else { return HTML.notFound("'\(text.prefix(80))' is not an arXiv id.") }
        guard let p = try await catalog.paper(id), !p.deleted else { return HTML.notFound("\(id) is not in this catalog.") }
        var body = "<article class=\"paper\"><h1>\(HTML.escape(p.title))</h1>"
        body += "<p>\(p.authors.map(HTML.escape).joined(separator: ", "))</p>"
        let similar = try await search.similar(to: p, limit: Self.similarCount)
        try await Viewer.current?.learnVotes([p.id] + similar.map(\.id))
        body += "<div class=\"card\">\(HTML.votes(p))<div class=\"body links\">"
        var links = ["<a href=\"https://arxiv.org/abs/\(HTML.escape(id.value))\">arXiv page</a>",
                     "<a href=\"https://arxiv.org/pdf/\(HTML.escape(id.value))\">PDF</a>"]
        if let repo = p.githubRepo { links.append("<a href=\"\(HTML.escape(repo))\" rel=\"nofollow\">GitHub repository</a>") }
        if let page = p.projectPage { links.append("<a href=\"\(HTML.escape(page))\" rel=\"nofollow\">Project page</a>") }
        links.append("<a href=\"/papers/\(HTML.escape(id.value)).md\">Markdown</a>")
        body += links.joined(separator: " ") + "</div></div>"
        body += "<h2>Abstract</h2><p class=\"abstract\">\(HTML.escape(p.abstract))</p>"
        let trending = try await trendingExplanation(p)
        body += "<dl class=\"facts\">"
        func fact(_ name: String, _ html: String?) { if let html { body += "<dt>\(name)</dt><dd>\(html)</dd>" } }
        fact("arXiv id", HTML.escape(id.value) + (p.version > 0 ? " (v\(p.version))" : ""))
        fact("Published", p.published.map { HTML.escape(String($0.prefix(10))) })
        fact("Updated", p.updated.flatMap { $0 == p.published ? nil : HTML.escape(String($0.prefix(10))) })
        fact("Featured", p.featuredDate.map { "<a href=\"/papers/date/\(HTML.escape($0))\">\(HTML.escape($0))</a>" })
        fact("Trending", trending)
        fact("Submitted by", p.submittedBy.map { "<a href=\"/users/\(HTML.queryValue($0))\">\(HTML.escape($0))</a>" })
        fact("Categories", p.categories.isEmpty ? nil : p.categories.map { "<span class=\"chip\">\(HTML.escape($0))</span>" }.joined())
        fact("Comment", p.comment.map(HTML.escape))
        fact("Journal", p.journalRef.map(HTML.escape))
        fact("DOI", p.doi.map { "<a href=\"https://doi.org/\(HTML.escape($0))\">\(HTML.escape($0))</a>" })
        fact("License", p.license.map { $0.hasPrefix("http") ? "<a href=\"\(HTML.escape($0))\">\(HTML.escape($0))</a>" : HTML.escape($0) })
        body += "</dl></article>"
        if let collections { body += try await CollectionPages.saveControl(store: collections, paper: id, limits: collectionLimits) }
        if let comments { body += try await CommentPages.section(store: comments, paper: id) }
        if !similar.isEmpty {
            body += "<section class=\"similar\"><h2>Similar papers</h2>"
            body += similar.map { FeedPages.card($0) }.joined()
            body += "<p class=\"meta\"><a href=\"/api/papers/\(HTML.escape(id.value))/similar\">As JSON</a></p></section>"
        }
        return HTML.page(title: p.title, body: body)
    }

    /// `/papers/{id}.md`: the paper as Markdown, as the Hub serves it for `read_paper`.
    func markdown(_ text: String) async throws -> BufferedResponse {
        let plain: (HTTPResponse.Status, String) -> BufferedResponse = { status, body in
            BufferedResponse(status: status, contentType: "text/markdown; charset=utf-8", body: ByteBuffer(string: body))
        }
        guard let id = ArxivID(text) else { return plain(.notFound, "'\(text.prefix(80))' is not an arXiv id.\n") }
        guard let p = try await catalog.paper(id), !p.deleted else { return plain(.notFound, "\(id) is not in this catalog.\n") }
        var lines = ["# \(p.title)", ""]
        if !p.authors.isEmpty { lines += ["**Authors:** \(p.authors.joined(separator: ", "))", ""] }
        var facts = ["arXiv: [\(id.value)](https://arxiv.org/abs/\(id.value))", "PDF: https://arxiv.org/pdf/\(id.value)"]
        if let published = p.published { facts.append("Published: \(published.prefix(10))") }
        if let day = p.featuredDate { facts.append("Featured: \(day) (\(p.upvotes) upvotes)") }
        if !p.categories.isEmpty { facts.append("Categories: \(p.categories.joined(separator: " "))") }
        if let repo = p.githubRepo { facts.append("Code: \(repo)") }
        if let page = p.projectPage { facts.append("Project page: \(page)") }
        lines += facts.map { "- \($0)" } + ["", "## Abstract", "", p.abstract]
        if let comment = p.comment { lines += ["", "Comment: \(comment)"] }
        return plain(.ok, lines.joined(separator: "\n") + "\n")
    }
}

// MARK: Why this paper is trending

extension PaperPages {
    /// The paper's trending score with the numbers that make it, and its place on the trending
    /// list: "Trending score 0.641 = 57 upvotes / (18 hours since featured + 2)^1.5; #3 of the
    /// last 7 days". nil for papers never featured, which have no score.
    func trendingExplanation(_ p: Paper) async throws -> String? {
        guard let listing, let day = p.featuredDate, DateText.isDay(day) else { return nil }
        let parts = day.split(separator: "-").compactMap { Int($0) }
        let now = listing.now()
        let hours = max(0, (now - Double(DateText.daysFromCivil(parts[0], parts[1], parts[2]))) * 24)
        let score = TrendingScore.score(upvotes: p.upvotes, featuredDay: day, now: now)
        let shownHours = hours.rounded() == hours ? String(Int(hours)) : String(format: "%.1f", hours)
        var line = "Trending score \(String(format: "%.3g", score)) = \(p.upvotes) upvote\(p.upvotes == 1 ? "" : "s") / "
            + "(\(shownHours) hours since featured + \(Int(TrendingScore.headStartHours)))^\(TrendingScore.gravity)"
        let list = try await listing.trending(limit: FeedListing.rankingWindow, offset: 0)
        if let rank = list.firstIndex(where: { $0.id == p.id }) {
            line += "; ranks #\(rank + 1) of \(list.count) on <a href=\"/papers/trending\">trending</a> (the last \(FeedListing.trendingDays) days of the feed)"
        }
        return line
    }
}
