import HTTPTypes
import Hummingbird

/// A write the API refuses, as it answers: the status, `{"error": "...", "rule": "..."}` (the
/// rule when one applies), `Retry-After` after a rate limit, `WWW-Authenticate` on a 401, and
/// never cached. Submissions and collections refuse through it alike.
struct RequestRefusal: Error, Sendable {
    var status: HTTPResponse.Status
    var message: String
    var rule: String? = nil
    var retryAfter: Int? = nil

    var json: BufferedResponse {
        var json = JSONWriter(capacity: 256)
        json.object { o in
            o.field("error", message)
            o.field("rule", rule)
        }
        var answer = DailyPapersAPI.json(json.bytes, status: status)
        answer.headers[.cacheControl] = "no-store"
        if let retryAfter { answer.headers[.retryAfter] = String(retryAfter) }
        if status == .unauthorized { answer.headers[.wwwAuthenticate] = "Bearer realm=\"paperboy\"" }
        return answer
    }
}
