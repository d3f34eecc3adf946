import Catalog
import Hummingbird

/// The daily feed and paper pages (server-rendered HTML, usable without JavaScript).
struct FeedPages: Sendable {
    let catalog: any CatalogStore

    /// The most recent day with featured papers.
    func latestDay() async throws -> Response {
        guard let latest = try await catalog.papers(PaperQuery(order: .featured, limit: 1)).first?.featuredDate else {
            return HTML.page(
                title: "Daily Papers",
                body: "<h1>Daily Papers</h1><p>The catalog has no featured papers yet. Import some with <code>paperboy import</code>.</p>")
        }
        return try await day(latest)
    }

    func day(_ day: String) async throws -> Response {
        guard DateText.isDay(day) else { return HTML.notFound("'\(day)' is not a day; expected YYYY-MM-DD.") }
        let papers = try await catalog.papers(PaperQuery(featuredOn: day, order: .upvotes, limit: 100))
        let previous = try await catalog.papers(PaperQuery(featuredThrough: DateText.day(day, plus: -1), order: .featured, limit: 1)).first?.featuredDate
        let next = try await catalog.papers(PaperQuery(featuredFrom: DateText.day(day, plus: 1), order: .upvotes, limit: 1))
        let nextDay = try await nextFeaturedDay(after: day, hint: next.first?.featuredDate)
        var body = "<h1>Daily Papers <span class=\"meta\">\(HTML.escape(day))</span></h1>"
        body += "<nav class=\"days\">"
        body += previous.map { "<a href=\"/papers/date/\($0)\">← \($0)</a>" } ?? "<span></span>"
        body += nextDay.map { "<a href=\"/papers/date/\($0)\">\($0) →</a>" } ?? "<span></span>"
        body += "</nav>"
        if papers.isEmpty { body += "<p>No papers were featured on this day.</p>" }
        for paper in papers { body += card(paper) }
        return HTML.page(title: "Daily Papers \(day)", body: body)
    }

    /// The earliest featured day after `day` (the hint is any later day; this finds the first).
    private func nextFeaturedDay(after day: String, hint: String?) async throws -> String? {
        guard hint != nil, let from = DateText.day(day, plus: 1) else { return nil }
        var candidate = from
        // Featured days are weekdays: a handful of probes finds the next one.
        for _ in 0..<14 {
            if try await !catalog.papers(PaperQuery(featuredOn: candidate, limit: 1)).isEmpty { return candidate }
            guard let following = DateText.day(candidate, plus: 1) else { return nil }
            candidate = following
        }
        return hint
    }

    /// `/papers/{id}.md`: the paper as Markdown, as the Hub serves it for `read_paper`.
    func markdown(_ text: String) async throws -> Response {
        let plain: (HTTPResponse.Status, String) -> Response = { status, body in
            Response(status: status, headers: [.contentType: "text/markdown; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: body)))
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

    func card(_ p: Paper) -> String {
        let excerpt = p.abstract.count > 300 ? String(p.abstract.prefix(300)) + "…" : p.abstract
        let authors = p.authors.count == 1 ? "1 author" : "\(p.authors.count) authors"
        return """
            <article class="card"><div class="votes">▲<br>\(p.upvotes)</div>
            <h2><a href="/papers/\(HTML.escape(p.id.value))">\(HTML.escape(p.title))</a></h2>
            <p>\(HTML.escape(excerpt))</p>
            <p class="meta">\(authors) · \(HTML.escape(p.featuredDate ?? String((p.published ?? "").prefix(10))))</p></article>
            """
    }

    func paper(_ text: String) async throws -> Response {
        if text.hasSuffix(".md") { return try await markdown(String(text.dropLast(3))) }
        guard let id = ArxivID(text) else { return HTML.notFound("'\(text)' is not an arXiv id.") }
        guard let p = try await catalog.paper(id) else { return HTML.notFound("\(id) is not in this catalog.") }
        var body = "<h1>\(HTML.escape(p.title))</h1>"
        body += "<p>\(p.authors.map(HTML.escape).joined(separator: ", "))</p>"
        body += "<p class=\"meta\">"
        body += ["Published \(String((p.published ?? "").prefix(10)))", p.featuredDate.map { "featured \($0)" },
                 p.categories.isEmpty ? nil : p.categories.joined(separator: " "), "▲ \(p.upvotes)"]
            .compactMap { $0 }.map(HTML.escape).joined(separator: " · ")
        body += "</p><p>"
        var links = ["<a href=\"https://arxiv.org/abs/\(HTML.escape(id.value))\">arXiv</a>",
                     "<a href=\"https://arxiv.org/pdf/\(HTML.escape(id.value))\">PDF</a>"]
        if let repo = p.githubRepo { links.append("<a href=\"\(HTML.escape(repo))\">GitHub</a>") }
        if let page = p.projectPage { links.append("<a href=\"\(HTML.escape(page))\">Project page</a>") }
        body += links.joined(separator: " · ") + "</p>"
        body += "<h2>Abstract</h2><p>\(HTML.escape(p.abstract))</p>"
        if let comment = p.comment { body += "<p class=\"meta\">Comment: \(HTML.escape(comment))</p>" }
        return HTML.page(title: p.title, body: body)
    }
}
