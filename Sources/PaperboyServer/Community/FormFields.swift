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

/// A posted form after the checks every form shares, in the order they are answered: body size
/// (413), then the browser's CSRF token (403).
enum CheckedForm {
    case accepted(FormFields)
    case refused(BufferedResponse)

    static func read(_ request: Request, limit: Int) async throws -> CheckedForm {
        let form: FormFields
        do { form = try await FormFields.read(request, limit: limit) } catch let error as FormFields.TooLarge {
            return .refused(AccountPages.tooLarge(error))
        }
        return CSRF.accepts(form, request) ? .accepted(form) : .refused(CSRF.refused)
    }
}

/// A form only a signed-in reader may post, after the shared checks: body size (413), signed
/// in (else `anonymous`, usually the log-in page), CSRF token (403).
enum SignedInForm {
    case accepted(Viewer, FormFields)
    case refused(BufferedResponse)

    static func read(_ request: Request, limit: Int, anonymous: @autoclosure () -> BufferedResponse) async throws -> SignedInForm {
        let form: FormFields
        do { form = try await FormFields.read(request, limit: limit) } catch let error as FormFields.TooLarge {
            return .refused(AccountPages.tooLarge(error))
        }
        guard let viewer = Viewer.current else { return .refused(anonymous()) }
        return CSRF.accepts(form, request) ? .accepted(viewer, form) : .refused(CSRF.refused)
    }
}
