import Hummingbird
import Logging

/// Turns errors into answers a person or a client can act on: unknown routes get the site's
/// 404 page (or a JSON error under `/api/`), and an unexpected failure a 500 that names no
/// internals, with the details in the log.
struct ErrorPages<Context: RequestContext>: RouterMiddleware {
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
        } catch {
            context.logger.error("request failed", metadata: ["path": .string(request.uri.path), "error": .string("\(error)")])
            if request.uri.path.hasPrefix("/api/") { return DailyPapersAPI.error("Internal error; the server log has the details.", status: .internalServerError).response }
            return HTML.page(title: "Error", body: "<h1>Something went wrong</h1><p>The server log has the details.</p>", status: .internalServerError).response
        }
    }
}
