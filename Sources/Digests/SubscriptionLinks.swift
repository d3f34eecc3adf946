import Community
import Crypto
import Foundation

/// The links in Paperboy's emails that act for a subscriber without a password: confirm,
/// unsubscribe, change preferences. Each carries what it does, for whom and until when, signed
/// with HMAC-SHA256 under the installation's secret, so a link cannot be forged, pointed at
/// another subscription, turned from "preferences" into "confirm", or used after it expires.
///
/// A token is `<payload>.<signature>`: the payload `c42-1767225600` (purpose letter,
/// subscription id, expiry in seconds since 1970) and the first 16 bytes of its HMAC, in
/// base64url. Short enough for any mail client, and only letters, digits, `-`, `_` and `.`.
public struct SubscriptionLinks: Sendable {
    public enum Purpose: Character, Sendable, CaseIterable {
        case confirm = "c"
        case unsubscribe = "u"
        case preferences = "p"

        /// How long a link of this purpose works. Confirmation is a fresh act (three days);
        /// unsubscribe and preferences links sit in old digests, so they last a good while.
        public var lifetime: TimeInterval {
            switch self {
            case .confirm: 3 * 86_400
            case .unsubscribe, .preferences: 180 * 86_400
            }
        }

        var path: String {
            switch self {
            case .confirm: "/digest/confirm/"
            case .unsubscribe: "/digest/unsubscribe/"
            case .preferences: "/digest/preferences/"
            }
        }
    }

    public enum Refusal: Error, Equatable, CustomStringConvertible {
        case malformed
        case badSignature
        case wrongPurpose
        case expired(Date)

        public var description: String {
            switch self {
            case .malformed: "the link is incomplete or damaged; copy the whole link from the email"
            case .badSignature: "the link is not one Paperboy made (its signature does not match)"
            case .wrongPurpose: "the link is for another action"
            case .expired(let date): "the link expired on \(Self.day(date)); ask for a new one"
            }
        }

        private static func day(_ date: Date) -> String {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withFullDate]
            return formatter.string(from: date)
        }
    }

    /// Kept as bytes (Crypto's `SymmetricKey` is not `Sendable`); a key is made per signature.
    private let secret: [UInt8]
    /// Where the site is reached, without a trailing slash.
    public let baseURL: String

    /// `secret`: the installation's signing secret (`SubscriptionStore.linkSigningSecret`).
    public init(secret: [UInt8], baseURL: String) {
        self.secret = secret
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
    }

    /// A token for `purpose` on subscription `id`, valid from `now` for the purpose's lifetime.
    public func token(_ purpose: Purpose, subscription id: Int64, now: Date) -> String {
        let expiry = Int64((now.timeIntervalSince1970 + purpose.lifetime).rounded(.down))
        let payload = "\(purpose.rawValue)\(id)-\(expiry)"
        return payload + "." + Self.base64URL(signature(payload))
    }

    /// The full link for `purpose`.
    public func url(_ purpose: Purpose, subscription id: Int64, now: Date) -> String {
        baseURL + purpose.path + token(purpose, subscription: id, now: now)
    }

    /// The subscription a token acts for, if it is genuine, for `purpose`, and unexpired at `now`.
    public func verify(_ token: String, for purpose: Purpose, now: Date) throws(Refusal) -> Int64 {
        guard token.utf8.count <= 200, let dot = token.lastIndex(of: ".") else { throw .malformed }
        let payload = String(token[..<dot])
        // Compared in constant time, before anything in the payload is trusted or even parsed.
        guard SecretToken.equal(String(token[token.index(after: dot)...]), Self.base64URL(signature(payload))) else {
            throw .badSignature
        }
        guard let letter = payload.first, let dash = payload.firstIndex(of: "-"),
              let id = Int64(payload[payload.index(after: payload.startIndex)..<dash]),
              let expiry = Int64(payload[payload.index(after: dash)...]) else { throw .malformed }
        guard letter == purpose.rawValue else { throw .wrongPurpose }
        let expires = Date(timeIntervalSince1970: TimeInterval(expiry))
        guard now < expires else { throw .expired(expires) }
        return id
    }

    private func signature(_ payload: String) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array(payload.utf8), using: SymmetricKey(data: secret)).prefix(16))
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// 32 random bytes from the system's generator, for a new installation's secret.
    public static func newSecret() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    /// A new secret as stores keep it: hexadecimal text, shared by every process on the store.
    public static func newStoredSecret() -> String { newSecret().map { String(format: "%02x", $0) }.joined() }

    /// A stored secret's bytes; nil when the text is not one (too short, or not hexadecimal).
    public static func secret(stored text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count >= 32, digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        for i in stride(from: 0, to: digits.count, by: 2) {
            guard let byte = UInt8(String(decoding: digits[i..<i + 2], as: UTF8.self), radix: 16) else { return nil }
            bytes.append(byte)
        }
        return bytes
    }
}
