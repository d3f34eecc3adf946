import Foundation
import Hummingbird
import NIOCore

/// The fields of a posted HTML form (`application/x-www-form-urlencoded`), read whole up to a
/// size limit; a larger body is refused as `FormTooLarge` before any of it is kept.
struct FormFields: Sendable {
    private var values: [String: String] = [:]

    struct TooLarge: Error {
        let limit: Int
    }

    static func read(_ request: Request, limit: Int) async throws -> FormFields {
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw TooLarge(limit: limit)
        }
        return FormFields(String(buffer: body))
    }

    init(_ encoded: String) {
        for pair in encoded.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(parts[0])
            if values[name] == nil { values[name] = parts.count > 1 ? Self.decode(parts[1]) : "" }
        }
    }

    subscript(name: String) -> String? { values[name] }

    private static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}
