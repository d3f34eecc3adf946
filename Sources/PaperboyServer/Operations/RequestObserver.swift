import Foundation
import Hummingbird
import Logging
import Prometheus

/// Counts and times every request for `/metrics` and writes one structured access-log line
/// per request (method, route, path, status, duration), whatever the outcome.
///
/// Requests are labelled by route pattern (`/papers/:id`), not by path, so the number of
/// Prometheus series stays bounded however many papers are visited.
struct RequestObserver<Context: RequestContext>: RouterMiddleware {
    let registry: PrometheusCollectorRegistry

    static var requestsName: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "paperboy", metricName: "http_requests", unitName: "total", helpText: "HTTP requests answered, by route, method and status.")
    }
    static var durationName: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "paperboy", metricName: "http_request_duration", unitName: "seconds", helpText: "Time to produce the response, by route and method.")
    }
    static var buckets: [Duration] { [.milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
                                      .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5)] }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            record(request, context, status: response.status.code, since: start)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            record(request, context, status: status, since: start)
            throw error
        }
    }

    private func record(_ request: Request, _ context: Context, status: Int, since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let route = context.endpointPath ?? "unmatched"
        let method = request.method.rawValue
        registry.makeCounter(descriptor: Self.requestsName, labels: [("route", route), ("method", method), ("status", String(status))]).increment()
        registry.makeDurationHistogram(descriptor: Self.durationName, labels: [("route", route), ("method", method)], buckets: Self.buckets)
            .record(elapsed)
        let milliseconds = Double(elapsed.components.seconds) * 1_000 + Double(elapsed.components.attoseconds) / 1e15
        context.logger.log(
            level: status >= 500 ? .error : .info, "request",
            metadata: [
                "method": .string(method), "path": .string(request.uri.path), "route": .string(route),
                "status": .stringConvertible(status), "duration_ms": .string(String(format: "%.2f", milliseconds)),
            ])
    }
}
