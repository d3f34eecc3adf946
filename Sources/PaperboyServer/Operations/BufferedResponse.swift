import Hummingbird

/// A complete answer held in memory: status, headers and body bytes. Every page, feed and API
/// handler produces one, so an answer can be kept by `ResponseCache` and sent again as is.
struct BufferedResponse: ResponseGenerator, Sendable {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var body: ByteBuffer

    init(status: HTTPResponse.Status = .ok, contentType: String, body: ByteBuffer) {
        self.status = status
        headers = [.contentType: contentType]
        self.body = body
    }

    static func redirect(to location: String) -> BufferedResponse {
        var answer = BufferedResponse(status: .found, contentType: "text/plain; charset=utf-8", body: ByteBuffer())
        answer.headers[.location] = location
        return answer
    }

    var response: Response {
        Response(status: status, headers: headers, body: .init(byteBuffer: body))
    }

    func response(from request: Request, context: some RequestContext) throws -> Response { response }
}
