import Catalog
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
/// - feeds: `/feeds/{daily,trending,search}.{rss,atom}`;
/// - Hub-compatible JSON: `/api/daily_papers`, `/api/papers/search`, `/api/papers/{id}`, plus
///   `/api/papers/{id}/similar`, described at `/openapi.json`;
/// - operations: `/healthz`, `/metrics`.
public func buildApplication(
    configuration: ServerConfiguration, catalog: any CatalogStore, semantic: SemanticIndex? = nil,
    metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
    logger: Logger = Logger(label: "paperboy.server"),
    now: (@Sendable () -> Double)? = nil
) -> some ApplicationProtocol {
    let router = Router()
    router.add(middleware: RequestObserver(registry: metrics))
    router.add(middleware: ErrorPages())
    let listing = FeedListing(catalog: catalog, now: now ?? FeedListing.systemNow)
    let feedPages = FeedPages(catalog: catalog, listing: listing)
    let search = PaperSearch(catalog: catalog, semantic: semantic)
    let paperPages = PaperPages(catalog: catalog, search: search)
    let searchPages = SearchPages(search: search)
    let feeds = SyndicationFeeds(catalog: catalog, listing: listing, baseURL: configuration.publicBaseURL)
    let api = DailyPapersAPI(catalog: catalog, listing: listing, search: search, baseURL: configuration.publicBaseURL)

    // Old-style ids contain a slash (hep-th/9901001), hence the two-segment paper routes.
    @Sendable func id(_ context: BasicRequestContext) -> String {
        let first = context.parameters.get("id") ?? ""
        return context.parameters.get("number").map { "\(first)/\($0)" } ?? first
    }

    // Pages, feeds and API answers that depend only on the catalog (and slowly on the clock)
    // are kept until the catalog changes; searches and the subscribe page are made each time.
    let cache = ResponseCache(catalog: catalog, lifetime: configuration.responseCacheLifetime)
    func cached(
        _ path: RouterPath, _ make: @escaping @Sendable (Request, BasicRequestContext) async throws -> BufferedResponse
    ) {
        router.get(path) { request, context in
            try await cache.answer(request.uri.description) { try await make(request, context) }
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
    router.get("/subscribe") { request, _ in try await searchPages.subscribe(request) }

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

    router.get("/healthz") { _, _ -> String in
        _ = try await catalog.paperCount()
        return "ok\n"
    }
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
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Paperboy"),
        services: services,
        logger: logger
    )
}
