import Foundation
import Hummingbird

/// The query string of a request as HTML forms and HTTP clients write it
/// (`application/x-www-form-urlencoded`): `+` is a space, `%2B` a plus. The first value of a
/// repeated name wins; a malformed escape is kept as typed rather than refused.
struct QueryString: Sendable {
    private var values: [String: String] = [:]

    init(_ request: Request) {
        guard let raw = request.uri.query else { return }
        for pair in raw.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(parts[0])
            if values[name] == nil { values[name] = parts.count > 1 ? Self.decode(parts[1]) : "" }
        }
    }

    subscript(name: String) -> String? { values[name] }

    var all: [String: String] { values }

    private static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}
