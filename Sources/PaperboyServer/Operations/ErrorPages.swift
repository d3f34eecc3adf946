import Catalog
import Hummingbird
import Logging

/// Turns errors into answers a person or a client can act on: unknown routes get the site's
/// 404 page (or a JSON error under `/api/`), a database that cannot be reached a 503 with
/// Retry-After (the request may be sent again once it is back), and an unexpected failure a 500
/// that names no internals, with the details in the log.
struct ErrorPages<Context: RequestContext>: RouterMiddleware {
    /// What a 503 asks clients to wait: a database restart takes seconds.
    static var retryAfterSeconds: Int { 5 }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as any HTTPResponseError {
            guard error.status == .notFound || error.status == .methodNotAllowed else { throw error }
            let message = error.status == .notFound ? "There is no page at this address." : "\(request.method) is not supported here."
            if request.uri.path.hasPrefix("/api/") { return DailyPapersAPI.error(message, status: error.status).response }
            var page = HTML.notFound(message)
            page.status = error.status
            return page.response
        } catch let error as any DatabaseAvailabilityError where error.isDatabaseUnavailable {
            context.logger.error("database unavailable", metadata: ["path": .string(request.uri.path), "error": .string("\(error)")])
            let message = "The database is unavailable for the moment; try again shortly."
            var response = request.uri.path.hasPrefix("/api/")
                ? DailyPapersAPI.error(message, status: .serviceUnavailable).response
                : HTML.page(title: "Unavailable", body: "<h1>Unavailable for a moment</h1><p>\(message)</p>", status: .serviceUnavailable).response
            response.headers[.retryAfter] = "\(Self.retryAfterSeconds)"
            return response
        } catch {
            context.logger.error("request failed", metadata: ["path": .string(request.uri.path), "error": .string("\(error)")])
            if request.uri.path.hasPrefix("/api/") { return DailyPapersAPI.error("Internal error; the server log has the details.", status: .internalServerError).response }
            return HTML.page(title: "Error", body: "<h1>Something went wrong</h1><p>The server log has the details.</p>", status: .internalServerError).response
        }
    }
}
