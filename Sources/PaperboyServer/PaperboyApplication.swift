import Catalog
import Hummingbird
import Foundation
import Logging

/// Builds the web application over a catalog: one builder for `paperboy serve` and for tests.
public func buildApplication(
    configuration: ServerConfiguration, catalog: any CatalogStore, logger: Logger = Logger(label: "paperboy.server")
) -> some ApplicationProtocol {
    let router = Router()
    router.add(middleware: LogRequestsMiddleware(.debug))
    let pages = FeedPages(catalog: catalog)
    let api = DailyPapersAPI(
        catalog: catalog, baseURL: configuration.publicBaseURL,
        now: { Date().timeIntervalSince1970 / 86_400 })

    router.get("/api/daily_papers") { request, _ in try await api.dailyPapers(request) }
    router.get("/api/papers/:id") { _, context in try await api.paper(context.parameters.get("id") ?? "") }
    // Old-style ids contain a slash: /api/papers/hep-th/9901001.
    router.get("/api/papers/:id/:number") { _, context in
        try await api.paper("\(context.parameters.get("id") ?? "")/\(context.parameters.get("number") ?? "")")
    }

    router.get("/healthz") { _, _ -> String in
        _ = try await catalog.paperCount()
        return "ok\n"
    }
    router.get("/") { _, _ in Response.redirect(to: "/papers", type: .found) }
    router.get("/papers") { _, _ in try await pages.latestDay() }
    router.get("/papers/date/:day") { _, context in try await pages.day(context.parameters.get("day") ?? "") }
    router.get("/papers/:id") { _, context in try await pages.paper(context.parameters.get("id") ?? "") }
    // Old-style ids contain a slash: /papers/hep-th/9901001.
    router.get("/papers/:id/:number") { _, context in
        try await pages.paper("\(context.parameters.get("id") ?? "")/\(context.parameters.get("number") ?? "")")
    }

    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Paperboy"),
        logger: logger
    )
}
