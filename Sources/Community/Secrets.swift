import HummingbirdBcrypt

/// Random tokens for sessions, CSRF and the API, and their stored digests.
public enum SecretToken {
    /// 32 bytes from the system's cryptographic generator, as 64 hex digits: safe in cookies,
    /// headers and form fields without escaping.
    public static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        return Hex.encode((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    /// What the database keeps in place of a token.
    public static func digest(_ token: String) -> String { SHA256Digest.hex(token) }

    /// Compares two secrets in time that does not depend on where they differ.
    public static func equal(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for i in x.indices { difference |= x[i] ^ y[i] }
        return difference == 0
    }
}

/// Passwords under bcrypt. The cost (log2 of the rounds) is 12 in production, where a hash
/// takes a good fraction of a second on purpose; tests lower it so suites stay fast.
public struct PasswordHasher: Sendable {
    public static let productionCost: UInt8 = 12
    /// The least a deployment may configure; below it, guessing a stolen hash gets cheap.
    public static let minimumProductionCost: UInt8 = 10
    public let cost: UInt8

    /// `cost` from 4 (tests only) to 31.
    public init(cost: UInt8 = PasswordHasher.productionCost) {
        self.cost = min(max(cost, 4), 31)
    }

    /// A bcrypt hash; slow on purpose, so callers run it off the request threads.
    public func hash(_ password: String) -> String { Bcrypt.hash(password, cost: cost) }

    public func verify(_ password: String, against hash: String) -> Bool { Bcrypt.verify(password, hash: hash) }

    /// A hash of nothing anyone can type, to verify against when a login names no account,
    /// so that a wrong username takes as long as a wrong password.
    public func decoyHash() -> String { Bcrypt.hash(SecretToken.make(), cost: cost) }
}

/// A new personal API token: the token itself, shown to its owner once, and what is stored of
/// it (its digest, and its first characters to tell tokens apart in a list).
public struct NewAPIToken: Sendable {
    public let token: String
    public var digest: String { SecretToken.digest(token) }
    public var prefix: String { String(token.prefix(9)) }

    public init() { token = "pb_" + SecretToken.make() }
}
