import Catalog
import Community
import Digests
import Foundation
import Hummingbird
import Logging
import Prometheus
import SemanticSearch
import ServiceLifecycle

/// Builds the web application over a catalog: one builder for `paperboy serve` and for tests
/// (which pass their own `now`, as days since 1970, to pin trending). With `semantic` (an
/// embedding model is installed), search is hybrid by default and similar papers are nearest
/// in meaning; without it, both fall back to keywords.
///
/// Routes, by area:
/// - pages: `/papers` (latest day), `/papers/date|week|month/…`, `/papers/trending`,
///   `/papers/{id}` (and `{id}.md`), `/users/{name}`, `/search`, `/subscribe`;
/// - email digests (with `configuration.digests`): `POST /subscribe`, and the signed links of
///   the emails: `/digest/confirm/{token}`, `/digest/unsubscribe/{token}` (GET a page, POST to
///   leave, RFC 8058 one-click too), `/digest/preferences/{token}` (GET, POST);
/// - accounts (with a community store): `/signup`, `/login` (GET form, POST), `POST /logout`,
///   `/account`, `POST /account/tokens`, `POST /account/tokens/{id}/revoke`, and
///   `POST /papers/{id}/upvote` from the vote buttons, `/submit` (GET form, POST) to submit a
///   paper to the daily feed, and the comment forms under a paper: `POST /papers/{id}/comments`,
///   `POST /comments/{id}/edit|delete|hide|ban`, and collections: `/collections` (GET the
///   reader's own, POST a new one), `/collections/{id}` (public, or private to its owner),
///   `/collections/{id}/feed.rss` (public ones), `POST /collections/{id}/edit|delete|papers`,
///   `POST /collections/{id}/papers/remove`, `/users/{name}/collections`;
/// - feeds: `/feeds/{daily,trending,search}.{rss,atom}`;
/// - Hub-compatible JSON: `/api/daily_papers`, `/api/papers/search`, `/api/papers/{id}`, plus
///   `/api/papers/{id}/similar`, `POST`/`DELETE /api/papers/{id}/upvote` and
///   `POST /api/papers/submit` (Bearer token), `GET`/`POST /api/papers/{id}/comments` and
///   `PATCH`/`DELETE /api/comments/{id}` (Bearer token), and for moderators
///   `POST`/`DELETE /api/comments/{id}/hide` and `PUT`/`DELETE /api/users/{name}/ban` (Bearer token),
///   `GET /api/collections/{id}`, `GET /api/users/{name}/collections`, `POST /api/collections`,
///   `PATCH`/`DELETE /api/collections/{id}` and `POST`/`DELETE /api/collections/{id}/papers/{paperId}`
///   (Bearer token), described at `/openapi.json`;
/// - operations: `/healthz`, `/metrics`.
///
/// `community` keeps accounts, sessions and votes; by default the catalog itself when it can
/// (`SQLiteCatalog` does). Without one, the site has no accounts.
public func buildApplication(
    configuration: ServerConfiguration, catalog: any CatalogStore, community: (any CommunityStore)? = nil, semantic: SemanticIndex? = nil,
    metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
    logger: Logger = Logger(label: "paperboy.server"),
    now: (@Sendable () -> Double)? = nil
) -> some ApplicationProtocol {
    let router = Router(context: PaperboyRequestContext.self)
    router.add(middleware: RequestObserver(registry: metrics))
    router.add(middleware: ErrorPages())
    let community = community ?? (catalog as? any CommunityStore)
    let sessions = community.map {
        SessionCookies(
            store: $0, lifetime: configuration.community.sessionLifetime,
            secure: configuration.community.secureCookies ?? configuration.publicBaseURL.hasPrefix("https://"))
    }
    if let sessions { router.add(middleware: SessionMiddleware(sessions: sessions)) }
    let listing = FeedListing(catalog: catalog, now: now ?? FeedListing.systemNow)
    let feedPages = FeedPages(catalog: catalog, listing: listing)
    let search = PaperSearch(catalog: catalog, semantic: semantic)
    let paperPages = PaperPages(catalog: catalog, search: search, comments: community as? any CommentStore, listing: listing,
        collections: community as? any CollectionStore, collectionLimits: configuration.community.collectionLimits)
    let searchPages = SearchPages(search: search)
    let feeds = SyndicationFeeds(catalog: catalog, listing: listing, baseURL: configuration.publicBaseURL)
    let api = DailyPapersAPI(catalog: catalog, listing: listing, search: search, baseURL: configuration.publicBaseURL)

    // Old-style ids contain a slash (hep-th/9901001), hence the two-segment paper routes.
    @Sendable func id(_ context: PaperboyRequestContext) -> String {
        let first = context.parameters.get("id") ?? ""
        return context.parameters.get("number").map { "\(first)/\($0)" } ?? first
    }

    // Pages, feeds and API answers that depend only on the catalog (and slowly on the clock)
    // are kept until the catalog changes; searches and the subscribe page are made each time.
    // Pages made for a signed-in viewer (their name, votes and form tokens) are never kept.
    let cache = ResponseCache(catalog: catalog, lifetime: configuration.responseCacheLifetime)
    func cached(
        _ path: RouterPath, _ make: @escaping @Sendable (Request, PaperboyRequestContext) async throws -> BufferedResponse
    ) {
        router.get(path) { request, context in
            if Viewer.current != nil { return try await make(request, context) }
            return try await cache.answer(request.uri.description) { try await make(request, context) }
        }
    }

    router.get("/") { _, _ in BufferedResponse.redirect(to: "/papers") }
    cached("/papers") { request, _ in try await feedPages.latestDay(request) }
    cached("/papers/date/:day") { request, context in try await feedPages.period(.day, context.parameters.get("day") ?? "", request) }
    cached("/papers/week") { _, _ in try await feedPages.latest(.week) }
    cached("/papers/week/:week") { request, context in try await feedPages.period(.week, context.parameters.get("week") ?? "", request) }
    cached("/papers/month") { _, _ in try await feedPages.latest(.month) }
    cached("/papers/month/:month") { request, context in try await feedPages.period(.month, context.parameters.get("month") ?? "", request) }
    cached("/papers/trending") { request, _ in try await feedPages.trending(request) }
    cached("/papers/:id") { _, context in try await paperPages.paper(id(context)) }
    cached("/papers/:id/:number") { _, context in try await paperPages.paper(id(context)) }
    cached("/users/:name") { request, context in try await feedPages.submitter(context.parameters.get("name") ?? "", request) }
    router.get("/search") { request, _ in try await searchPages.search(request) }

    router.get("/feeds/:file") { request, context in
        let file = context.parameters.get("file") ?? ""
        if file.hasPrefix("search.") { return try await feeds.feed(file, request) }
        return try await cache.answer(request.uri.description) { try await feeds.feed(file, request) }
    }

    cached("/api/daily_papers") { request, _ in try await api.dailyPapers(request) }
    router.get("/api/papers/search") { request, _ in try await api.search(request) }
    cached("/api/papers/:id/similar") { request, context in try await api.similar(context.parameters.get("id") ?? "", request) }
    cached("/api/papers/:id/:number/similar") { request, context in try await api.similar(id(context), request) }
    cached("/api/papers/:id") { _, context in try await api.paper(id(context)) }
    cached("/api/papers/:id/:number") { _, context in try await api.paper(id(context)) }
    router.get("/openapi.json") { _, _ in OpenAPIDocument.response(baseURL: configuration.publicBaseURL) }

    if let community, let sessions {
        let accounts = AccountPages(store: community, sessions: sessions, configuration: configuration.community)
        let votes = VoteHandlers(store: community, configuration: configuration.community)
        router.get("/signup") { request, _ in accounts.signUpForm(request) }
        router.post("/signup") { request, context in try await accounts.signUp(request, context) }
        router.get("/login") { request, _ in accounts.logInForm(request) }
        router.post("/login") { request, context in try await accounts.logIn(request, context) }
        router.post("/logout") { request, _ in try await accounts.logOut(request) }
        router.get("/account") { request, _ in try await accounts.account(request) }
        router.post("/account/tokens") { request, _ in try await accounts.createToken(request) }
        router.post("/account/tokens/:token/revoke") { request, context in
            try await accounts.revokeToken(request, id: context.parameters.get("token") ?? "")
        }
        if let submissions = (community as? any SubmissionStore) ?? (catalog as? any SubmissionStore) {
            // Papers the catalog lacks come from the arXiv API, when one is configured.
            let submit = SubmitHandlers(
                catalog: catalog, store: community, submissions: submissions,
                metadata: configuration.arxivAPIURL.map { ArxivMetadataFetcher(endpoint: $0, timeout: configuration.arxivAPITimeout) as any PaperMetadataSource }, configuration: configuration.community,
                now: listing.now)
            let submitPages = SubmitPages(handlers: submit)
            router.get("/submit") { request, _ in submitPages.form(request) }
            router.post("/submit") { request, _ in try await submitPages.submit(request) }
            router.post("/api/papers/submit") { request, _ in try await submit.apiSubmit(request) }
        }
        router.post("/papers/:id/upvote") { request, context in try await votes.formVote(request, id: id(context)) }
        router.post("/papers/:id/:number/upvote") { request, context in try await votes.formVote(request, id: id(context)) }
        for (method, voted) in [(HTTPRequest.Method.post, true), (.delete, false)] {
            router.on("/api/papers/:id/upvote", method: method) { request, context in
                try await votes.apiVote(request, id: id(context), voted: voted)
            }
            router.on("/api/papers/:id/:number/upvote", method: method) { request, context in
                try await votes.apiVote(request, id: id(context), voted: voted)
            }
        }
    }
    if let community, let commentStore = community as? any CommentStore {
        let comments = CommentHandlers(store: commentStore, community: community, catalog: catalog, configuration: configuration.community)
        for path in ["/api/papers/:id/comments", "/api/papers/:id/:number/comments"] {
            cached(RouterPath(path)) { _, context in try await comments.apiThread(paper: id(context)) }
            router.post(RouterPath(path)) { request, context in try await comments.apiPost(request, paper: id(context)) }
        }
        router.patch("/api/comments/:comment") { request, context in
            try await comments.apiEdit(request, comment: context.parameters.get("comment") ?? "")
        }
        router.delete("/api/comments/:comment") { request, context in
            try await comments.apiDelete(request, comment: context.parameters.get("comment") ?? "")
        }
        router.post("/papers/:id/comments") { request, context in try await comments.formPost(request, paper: id(context)) }
        router.post("/papers/:id/:number/comments") { request, context in try await comments.formPost(request, paper: id(context)) }
        router.post("/comments/:comment/edit") { request, context in try await comments.formEdit(request, comment: context.parameters.get("comment") ?? "") }
        router.post("/comments/:comment/delete") { request, context in try await comments.formDelete(request, comment: context.parameters.get("comment") ?? "") }
        router.post("/comments/:comment/hide") { request, context in try await comments.formHide(request, comment: context.parameters.get("comment") ?? "") }
        router.post("/comments/:comment/ban") { request, context in try await comments.formBan(request, comment: context.parameters.get("comment") ?? "") }
        let moderation = ModerationHandlers(comments: commentStore, community: community, configuration: configuration.community)
        router.post("/api/comments/:comment/hide") { request, context in
            try await moderation.apiHide(request, comment: context.parameters.get("comment") ?? "")
        }
        router.delete("/api/comments/:comment/hide") { request, context in
            try await moderation.apiUnhide(request, comment: context.parameters.get("comment") ?? "")
        }
        router.put("/api/users/:name/ban") { request, context in try await moderation.apiBan(request, user: context.parameters.get("name") ?? "") }
        router.delete("/api/users/:name/ban") { request, context in try await moderation.apiUnban(request, user: context.parameters.get("name") ?? "") }
    }

    // Collections. None of these go through `cached`: its entries last while the catalog is
    // unchanged, collection edits do not change the catalog, and a private collection is for
    // its owner alone.
    if let community, let collectionStore = community as? any CollectionStore {
        let collectionHandlers = CollectionHandlers(store: collectionStore, community: community, configuration: configuration.community)
        let collectionPages = CollectionPages(
            store: collectionStore, community: community, configuration: configuration.community, baseURL: configuration.publicBaseURL)
        @Sendable func collection(_ context: PaperboyRequestContext) -> String { context.parameters.get("collection") ?? "" }
        router.get("/collections") { request, _ in try await collectionPages.mine(request) }
        router.post("/collections") { request, _ in try await collectionHandlers.formCreate(request) }
        router.get("/collections/:collection") { request, context in try await collectionPages.collection(collection(context), request) }
        router.get("/collections/:collection/feed.rss") { _, context in try await collectionPages.feed(collection(context)) }
        router.post("/collections/:collection/edit") { request, context in try await collectionHandlers.formEdit(request, id: collection(context)) }
        router.post("/collections/:collection/delete") { request, context in try await collectionHandlers.formDelete(request, id: collection(context)) }
        router.post("/collections/:collection/papers") { request, context in try await collectionHandlers.formAdd(request, id: collection(context)) }
        router.post("/collections/:collection/papers/remove") { request, context in
            try await collectionHandlers.formRemove(request, id: collection(context))
        }
        router.get("/users/:name/collections") { _, context in try await collectionPages.publicList(context.parameters.get("name") ?? "") }
        router.post("/api/collections") { request, _ in try await collectionHandlers.apiCreate(request) }
        router.get("/api/collections/:collection") { request, context in try await collectionPages.apiCollection(request, id: collection(context)) }
        router.patch("/api/collections/:collection") { request, context in try await collectionHandlers.apiUpdate(request, id: collection(context)) }
        router.delete("/api/collections/:collection") { request, context in try await collectionHandlers.apiDelete(request, id: collection(context)) }
        router.get("/api/users/:name/collections") { request, context in
            try await collectionPages.apiUserCollections(request, name: context.parameters.get("name") ?? "")
        }
        for (method, adding) in [(HTTPRequest.Method.post, true), (.delete, false)] {
            for path in ["/api/collections/:collection/papers/:id", "/api/collections/:collection/papers/:id/:number"] {
                router.on(RouterPath(path), method: method) { request, context in
                    try await collectionHandlers.apiPaper(request, id: collection(context), paper: id(context), adding: adding)
                }
            }
        }
    }

    // Email digests: subscribing, and the pages the emails link to. Without a mail relay the
    // subscribe page offers the feeds instead.
    let subscriptions = (community as? any SubscriptionStore) ?? (catalog as? any SubscriptionStore)
    if let sessions, let subscriptions {
        let digestPages = SubscriptionPages(
            store: subscriptions, settings: configuration.digests, sessions: sessions, baseURL: configuration.publicBaseURL,
            community: configuration.community, logger: logger)
        if configuration.digests != nil {
            router.get("/subscribe") { request, _ in digestPages.form(request) }
            router.post("/subscribe") { request, context in try await digestPages.subscribe(request, context) }
        } else {
            router.get("/subscribe") { request, _ in try await searchPages.subscribe(request) }
        }
        // The links of emails already sent work whether or not this instance sends email.
        router.get("/digest/confirm/:token") { _, context in try await digestPages.confirm(token: context.parameters.get("token") ?? "") }
        router.get("/digest/unsubscribe/:token") { _, context in
            try await digestPages.unsubscribeForm(token: context.parameters.get("token") ?? "")
        }
        router.post("/digest/unsubscribe/:token") { request, context in
            try await digestPages.unsubscribe(request, token: context.parameters.get("token") ?? "")
        }
        router.get("/digest/preferences/:token") { request, context in
            try await digestPages.preferencesForm(request, token: context.parameters.get("token") ?? "")
        }
        router.post("/digest/preferences/:token") { request, context in
            try await digestPages.savePreferences(request, token: context.parameters.get("token") ?? "")
        }
    } else {
        router.get("/subscribe") { request, _ in try await searchPages.subscribe(request) }
    }

    let health = HealthCheck(catalog: catalog)
    router.get("/healthz") { _, _ in await health.response() }
    router.get("/metrics") { _, _ in
        Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                 body: .init(byteBuffer: ByteBuffer(bytes: metrics.emitToBuffer())))
    }
    for path in ["/favicon.svg", "/favicon.ico"] {
        router.get(RouterPath(path)) { _, _ in
            var response = Response(status: .ok, headers: [.contentType: "image/svg+xml"], body: .init(byteBuffer: ByteBuffer(string: HTML.favicon)))
            response.headers[.cacheControl] = "max-age=86400"
            return response
        }
    }

    var services: [any Service] = []
    if let interval = configuration.searchIndexInterval {
        services.append(SearchIndexService(catalog: catalog, interval: interval, logger: logger))
        if let semantic { services.append(EmbeddingService(index: semantic, interval: interval, logger: logger)) }
    }
    if let community, let interval = configuration.community.sessionPurgeInterval {
        services.append(SessionPurgeService(store: community, interval: interval, logger: logger))
    }
    if let settings = configuration.digests, let schedule = settings.schedule, let smtp = settings.smtp, let subscriptions {
        let baseURL = configuration.publicBaseURL
        services.append(DigestScheduleService(
            schedule: schedule, interval: settings.scheduleInterval,
            makeSender: {
                DigestSender(
                    store: subscriptions, catalog: catalog, composer: DigestComposer(baseURL: baseURL, from: settings.from),
                    links: SubscriptionLinks(secret: try await subscriptions.linkSigningSecret(), baseURL: baseURL),
                    smtp: smtp, configuration: settings.sender, logger: logger)
            },
            // The site's clock (pinned by `serve --clock` for demos and tests), in seconds.
            logger: logger, now: { [listing] in Date(timeIntervalSince1970: listing.now() * 86_400) }))
    }
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Paperboy"),
        services: services,
        logger: logger
    )
}
