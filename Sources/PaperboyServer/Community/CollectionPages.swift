import Catalog
import Community
import Foundation
import Hummingbird

/// Reading collections: the pages (`/collections`, the signed-in reader's own with the form that
/// starts one; `/collections/{id}`; `/users/{name}/collections`), the RSS feed of a public one,
/// the "Save to a collection" section under a paper, and the reading API
/// (`GET /api/collections/{id}`, `GET /api/users/{name}/collections`).
///
/// A private collection is answered 404 to everyone but its owner, in the same words as one
/// that does not exist, so nobody learns that it does. None of this goes through
/// `ResponseCache`: its entries last while the catalog is unchanged, and collection edits do
/// not change the catalog.
struct CollectionPages: Sendable {
    let store: any CollectionStore
    let community: any CommunityStore
    let configuration: CommunityConfiguration
    /// The site's public address, for the feed's absolute links.
    let baseURL: String

    static let pageSize = 50

    // MARK: Pages

    /// `/collections`: the signed-in reader's collections and a form to start one.
    func mine(_ request: Request) async throws -> BufferedResponse {
        guard let viewer = Viewer.current else { return .redirect(to: "/login?next=%2Fcollections") }
        let collections = try await store.collections(ownerID: viewer.user.id, marking: nil).map(\.collection)
        let limit = configuration.collectionLimits.maxCollectionsPerUser
        var body = "<h1>Your collections</h1>"
        body += "<p class=\"meta\">Save papers from their pages into collections. A private collection is yours alone; "
            + "a public one has a page anyone can read and an RSS feed. "
            + "<a href=\"/users/\(HTML.queryValue(viewer.user.username))/collections\">Your public collections</a> as others see them.</p>"
        if collections.isEmpty { body += "<p>You have no collections yet.</p>" }
        let now = Date()
        for c in collections { body += Self.card(c, now: now) }
        body += "<h2 id=\"new\">New collection</h2>"
        if collections.count >= limit {
            body += "<p class=\"notice\">You have \(limit) collections, the most an account may have. Delete one to start another.</p>"
        } else {
            body += Self.createForm(viewer, paper: nil, returnTo: nil)
        }
        return HTML.page(title: "Your collections", body: body)
    }

    /// `/collections/{id}`: anyone may read a public collection; its owner also gets the forms
    /// that change it.
    func collection(_ text: String, _ request: Request) async throws -> BufferedResponse {
        guard let id = CollectionHandlers.collectionID(text) else { return HTML.notFound("'\(text.prefix(40))' is not a collection number.") }
        let viewer = Viewer.current
        guard let c = try await store.collection(id: id), c.isVisible(to: viewer?.user.id) else {
            return HTML.notFound(CollectionError.collectionNotFound(id).description)
        }
        var page = 0
        if let pageText = QueryString(request)["p"] {
            guard let asked = Int(pageText), (0...10_000).contains(asked) else {
                return HTML.badRequest("p '\(pageText.prefix(40))' must be a page number from 0 to 10000.")
            }
            page = asked
        }
        let entries = try await store.papers(inCollection: id, limit: Self.pageSize + 1, offset: page * Self.pageSize)
        let papers = entries.prefix(Self.pageSize).map(\.paper)
        try await viewer?.learnVotes(papers.map(\.id))
        let owns = viewer?.user.id == c.ownerID
        let path = "/collections/\(c.id)"
        let now = Date()

        var body = "<h1>\(HTML.escape(c.name))</h1>"
        body += "<p class=\"meta\">\(c.isPublic ? "A public" : "A private") collection by "
            + "<a href=\"/users/\(HTML.queryValue(c.owner))/collections\">\(HTML.escape(c.owner))</a> · "
            + "\(Self.count(c.paperCount)) · updated \(CommentPages.time(c.updatedAt, now: now))</p>"
        if let description = c.description { body += "<div class=\"text\">\(CommentPages.text(description))</div>" }
        if c.isPublic {
            body += "<p class=\"meta\">Follow it in a feed reader: <a href=\"\(path)/feed.rss\">RSS</a></p>"
        }
        if owns, let viewer {
            let csrf = CSRF.field(viewer.csrfToken)
            body += "<div class=\"comment-actions\">"
            body += """
                <details><summary>Rename or describe</summary><form class="account" method="post" action="\(path)/edit">\(csrf)\
                <label>Name <input name="name" required maxlength="\(CollectionText.maxNameCharacters)" value="\(HTML.escape(c.name))"></label>\
                <label>Description <textarea name="description" rows="3" maxlength="\(CollectionText.maxDescriptionCharacters)">\
                \(HTML.escape(c.description ?? ""))</textarea></label><button type="submit">Save</button></form></details>
                """
            body += """
                <form method="post" action="\(path)/edit">\(csrf)<input type="hidden" name="visibility" value="\(c.isPublic ? "private" : "public")">\
                <button type="submit">\(c.isPublic ? "Make private" : "Make public")</button></form>
                """
            body += """
                <details><summary>Delete</summary><form method="post" action="\(path)/delete">\(csrf)\
                <p>The collection goes; the papers stay in the catalog.</p><button type="submit">Delete this collection</button></form></details>
                """
            body += "</div>"
        }
        if papers.isEmpty && page == 0 {
            body += "<p>No papers yet. Save papers from their pages.</p>"
        }
        for p in papers {
            body += FeedPages.card(p)
            if owns, let viewer {
                body += """
                    <form class="remove-paper" method="post" action="\(path)/papers/remove">\(CSRF.field(viewer.csrfToken))\
                    <input type="hidden" name="paper" value="\(HTML.escape(p.id.value))"><input type="hidden" name="return" value="\(path)">\
                    <button type="submit" aria-label="Remove “\(HTML.escape(p.title))” from this collection">Remove from collection</button></form>
                    """
            }
        }
        if page > 0 || entries.count > Self.pageSize {
            body += "<nav class=\"pager\" aria-label=\"Pages\">"
            body += page > 0 ? "<a href=\"\(path)?p=\(page - 1)\">← Previous page</a>" : "<span></span>"
            body += entries.count > Self.pageSize ? "<a href=\"\(path)?p=\(page + 1)\">Next page →</a>" : "<span></span>"
            body += "</nav>"
        }
        return HTML.page(title: c.name, body: body)
    }

    /// `/users/{name}/collections`: someone's public collections.
    func publicList(_ name: String) async throws -> BufferedResponse {
        guard !name.isEmpty, name.count <= 100, let collections = try await store.publicCollections(username: name) else {
            return HTML.notFound("Nobody here is called '\(name.prefix(100))'.")
        }
        let owner = collections.first?.owner ?? name
        var body = "<h1>Collections by \(HTML.escape(owner))</h1>"
        if collections.isEmpty { body += "<p>\(HTML.escape(owner)) has no public collections.</p>" }
        let now = Date()
        for c in collections { body += Self.card(c, now: now) }
        if let viewer = Viewer.current, viewer.user.username.lowercased() == name.lowercased() {
            body += "<p class=\"meta\">Only public collections are listed here; <a href=\"/collections\">all yours</a>, private ones too.</p>"
        }
        return HTML.page(title: "Collections by \(owner)", body: body)
    }

    /// The "Save to a collection" section under a paper, for a signed-in reader: a button per
    /// collection that saves the paper or takes it out, and a form that starts a collection
    /// with it. Plain forms that come back to the paper; empty for anonymous readers.
    static func saveControl(store: any CollectionStore, paper: ArxivID, limits: CollectionLimits) async throws -> String {
        guard let viewer = Viewer.current else { return "" }
        let choices = try await store.collections(ownerID: viewer.user.id, marking: paper)
        let back = HTML.escape("/papers/\(paper.value)#collections")
        let hidden = "\(CSRF.field(viewer.csrfToken))<input type=\"hidden\" name=\"paper\" value=\"\(HTML.escape(paper.value))\">"
            + "<input type=\"hidden\" name=\"return\" value=\"\(back)\">"
        var html = "<section class=\"collections\" id=\"collections\"><h2>Save to a collection</h2>"
        if choices.isEmpty { html += "<p class=\"meta\">You have no collections yet: start one with this paper.</p>" }
        if !choices.isEmpty {
            html += "<ul class=\"collection-choices\">"
            for choice in choices {
                let c = choice.collection
                let link = "<a href=\"/collections/\(c.id)\">\(HTML.escape(c.name))</a>"
                let facts = "<span class=\"meta\">\(c.isPublic ? "public" : "private") · \(count(c.paperCount))</span>"
                if choice.holdsPaper {
                    html += """
                        <li><form class="saved" method="post" action="/collections/\(c.id)/papers/remove">\(hidden)\
                        ✓ Saved in \(link) \(facts) <button type="submit" aria-pressed="true">Remove</button></form></li>
                        """
                } else {
                    html += """
                        <li><form method="post" action="/collections/\(c.id)/papers">\(hidden)\
                        \(link) \(facts) <button type="submit" aria-pressed="false">Save</button></form></li>
                        """
                }
            }
            html += "</ul>"
        }
        if choices.count < limits.maxCollectionsPerUser {
            html += "<details\(choices.isEmpty ? " open" : "")><summary>New collection with this paper</summary>"
            html += createForm(viewer, paper: paper, returnTo: "/papers/\(paper.value)#collections")
            html += "</details>"
        }
        html += "<p class=\"meta\"><a href=\"/collections\">Your collections</a></p></section>"
        return html
    }

    /// The form that starts a collection, holding `paper` when one is given.
    private static func createForm(_ viewer: Viewer, paper: ArxivID?, returnTo: String?) -> String {
        var form = "<form class=\"account new-collection\" method=\"post\" action=\"/collections\">\(CSRF.field(viewer.csrfToken))"
        if let paper { form += "<input type=\"hidden\" name=\"paper\" value=\"\(HTML.escape(paper.value))\">" }
        if let returnTo { form += "<input type=\"hidden\" name=\"return\" value=\"\(HTML.escape(returnTo))\">" }
        form += """
            <label>Name <input name="name" required maxlength="\(CollectionText.maxNameCharacters)" placeholder="Reading list"></label>
            <label>Description (optional) <textarea name="description" rows="2" maxlength="\(CollectionText.maxDescriptionCharacters)"></textarea></label>
            <label>Who sees it <select name="visibility"><option value="private">Private: only you</option>\
            <option value="public">Public: a page and an RSS feed for anyone</option></select></label>
            <button type="submit">\(paper == nil ? "Create collection" : "Create and save the paper")</button>
            </form>
            """
        return form
    }

    private static func card(_ c: PaperCollection, now: Date) -> String {
        var html = "<article class=\"card collection\"><div class=\"body\"><h2><a href=\"/collections/\(c.id)\">\(HTML.escape(c.name))</a></h2>"
        if let description = c.description { html += "<p>\(HTML.escape(FeedPages.excerpt(description, length: 200)))</p>" }
        html += "<p class=\"meta\">\(c.isPublic ? "Public" : "Private") · \(count(c.paperCount)) · updated \(CommentPages.time(c.updatedAt, now: now))</p>"
        return html + "</div></article>"
    }

    private static func count(_ papers: Int) -> String { papers == 1 ? "1 paper" : "\(papers) papers" }

    // MARK: The feed

    /// `/collections/{id}/feed.rss`: a public collection's papers, most recently added first,
    /// each dated by when it was added (what a follower wants to hear about). Private and
    /// missing collections answer alike.
    func feed(_ text: String) async throws -> BufferedResponse {
        guard let id = CollectionHandlers.collectionID(text), let c = try await store.collection(id: id), c.isPublic else {
            return SyndicationFeeds.plain(.notFound, "No public collection '\(text.prefix(40))': only public collections have a feed.")
        }
        let entries = try await store.papers(inCollection: id, limit: SyndicationFeeds.maxItems, offset: 0)
        let page = "\(baseURL)/collections/\(c.id)"
        let x = SyndicationFeeds.xml
        var xml = """
            <?xml version="1.0" encoding="utf-8"?>
            <rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/">
            <channel>
            <title>\(x("\(c.name) · a collection by \(c.owner)"))</title>
            <link>\(x(page))</link>
            <description>\(x(c.description ?? "Papers \(c.owner) saved to \(c.name), most recently added first."))</description>
            <language>en</language>
            <generator>Paperboy</generator>
            <atom:link href="\(x(page + "/feed.rss"))" rel="self" type="application/rss+xml"/>
            <lastBuildDate>\(SyndicationFeeds.rfc822(CommentPages.iso(c.updatedAt)))</lastBuildDate>

            """
        for entry in entries {
            let p = entry.paper
            let link = "\(baseURL)/papers/\(p.id.value)"
            xml += "<item>\n<title>\(x(p.title))</title>\n<link>\(x(link))</link>\n"
            xml += "<guid isPermaLink=\"true\">\(x(link))</guid>\n"
            xml += "<pubDate>\(SyndicationFeeds.rfc822(CommentPages.iso(entry.addedAt)))</pubDate>\n"
            for author in p.authors { xml += "<dc:creator>\(x(author))</dc:creator>\n" }
            for category in p.categories { xml += "<category>\(x(category))</category>\n" }
            xml += "<description>\(x(SyndicationFeeds.summary(p)))</description>\n</item>\n"
        }
        xml += "</channel>\n</rss>\n"
        var response = BufferedResponse(contentType: "application/rss+xml; charset=utf-8", body: ByteBuffer(string: xml))
        // Short: the owner may make it private at any time.
        response.headers[.cacheControl] = "max-age=60"
        return response
    }

    // MARK: The reading API

    /// `GET /api/collections/{id}?p=&limit=`: the collection and a page of its papers, most
    /// recently added first. A private one only with its owner's token.
    func apiCollection(_ request: Request, id text: String) async throws -> BufferedResponse {
        guard let id = CollectionHandlers.collectionID(text) else {
            return RequestRefusal(status: .badRequest, message: "id: '\(text.prefix(40))' is not a collection number.").json
        }
        let reader: User?
        switch try await optionalToken(request) {
        case .failure(let refusal): return refusal.json
        case .success(let user): reader = user
        }
        let query = DailyPapersAPI.parameters(request)
        let limit: Int, page: Int
        do {
            limit = try DailyPapersAPI.integer(query["limit"], name: "limit", default: Self.pageSize, range: 1...DailyPapersAPI.maxLimit)
            page = try DailyPapersAPI.integer(query["p"], name: "p", default: 0, range: 0...10_000)
        } catch let error as DailyPapersAPI.BadRequest {
            return RequestRefusal(status: .badRequest, message: error.message).json
        }
        guard let c = try await store.collection(id: id), c.isVisible(to: reader?.id) else {
            return RequestRefusal(status: .notFound, message: CollectionError.collectionNotFound(id).description).json
        }
        let entries = try await store.papers(inCollection: id, limit: limit, offset: page * limit)
        var json = JSONWriter(capacity: 1_024 + entries.count * 1_024)
        json.object { o in
            CollectionHandlers.fields(c, into: &o)
            o.key("papers")
            o.array(entries) { json, entry in
                json.object { o in
                    o.field("addedAt", CommentPages.iso(entry.addedAt))
                    o.key("paper")
                    HubJSON.paper(entry.paper, into: &o)
                }
            }
        }
        var answer = DailyPapersAPI.json(json.bytes)
        answer.headers[.cacheControl] = c.isPublic ? "no-cache" : "private, no-store"
        return answer
    }

    /// `GET /api/users/{name}/collections`: the user's public collections, most recently
    /// changed first; with the user's own token, the private ones too.
    func apiUserCollections(_ request: Request, name: String) async throws -> BufferedResponse {
        let reader: User?
        switch try await optionalToken(request) {
        case .failure(let refusal): return refusal.json
        case .success(let user): reader = user
        }
        guard !name.isEmpty, name.count <= 100, let publicOnes = try await store.publicCollections(username: name) else {
            return RequestRefusal(status: .notFound, message: "name: nobody here is called '\(name.prefix(100))'.").json
        }
        var collections = publicOnes
        let own = reader.map { $0.username.lowercased() == name.lowercased() } ?? false
        if let reader, own { collections = try await store.collections(ownerID: reader.id, marking: nil).map(\.collection) }
        var json = JSONWriter(capacity: 256 + collections.count * 512)
        json.array(collections) { json, c in CollectionHandlers.write(c, to: &json) }
        var answer = DailyPapersAPI.json(json.bytes)
        answer.headers[.cacheControl] = own ? "private, no-store" : "no-cache"
        return answer
    }

    /// Reading needs no token, but one that is sent must be good: a revoked token is refused
    /// rather than silently read as anonymous.
    private func optionalToken(_ request: Request) async throws -> Result<User?, RequestRefusal> {
        guard request.headers[.authorization] != nil else { return .success(nil) }
        guard let user = try await SubmitHandlers.bearerUser(request, store: community) else {
            return .failure(CollectionHandlers.tokenRefusal(request))
        }
        return .success(user)
    }
}
