/// The rules for what people type when they sign up, each refusal naming the field and saying
/// what would be accepted.
public enum Credentials {
    public static let usernameLength = 3...32
    /// Characters at least; bytes at most, since bcrypt reads no further than 72 bytes and a
    /// longer password would only seem stronger than it is.
    public static let passwordMinimum = 10
    public static let passwordMaxBytes = 72
    public static let emailMaxLength = 254

    /// A refused field: which one, and why, in words for the person who typed it.
    public struct Problem: Error, Equatable, CustomStringConvertible, Sendable {
        public var field: String
        public var message: String

        public init(field: String, message: String) {
            self.field = field
            self.message = message
        }

        public var description: String { "\(field): \(message)" }
    }

    /// Letters, digits, `-` and `_`, starting with a letter or digit: usernames appear in URLs
    /// (`/users/{name}`) and must read the same everywhere.
    public static func checkUsername(_ name: String) throws(Problem) {
        guard usernameLength.contains(name.count) else {
            throw Problem(field: "username", message: "must be \(usernameLength.lowerBound) to \(usernameLength.upperBound) characters long (got \(name.count)).")
        }
        let allowed = name.unicodeScalars.allSatisfy { s in
            ("a"..."z").contains(s) || ("A"..."Z").contains(s) || ("0"..."9").contains(s) || s == "-" || s == "_"
        }
        guard allowed, let first = name.unicodeScalars.first, first != "-", first != "_" else {
            throw Problem(field: "username", message: "may hold only letters a-z, digits, '-' and '_', and must start with a letter or digit.")
        }
    }

    /// One `@`, something before it, a domain with a dot after it, no spaces or control
    /// characters: the address will be written into mail headers later.
    public static func checkEmail(_ email: String) throws(Problem) {
        let problem = Problem(field: "email", message: "'\(email.prefix(60))' is not an email address like name@example.org.")
        guard !email.isEmpty, email.utf8.count <= emailMaxLength else {
            throw Problem(field: "email", message: "must be an address of at most \(emailMaxLength) characters.")
        }
        guard !email.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F || "<>\"(),;:\\[]".unicodeScalars.contains($0) }) else {
            throw problem
        }
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].count >= 3 else { throw problem }
        let labels = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, labels.allSatisfy({ !$0.isEmpty }) else { throw problem }
    }

    /// Long enough to resist guessing, not one of the passwords everyone tries, and not the
    /// username.
    public static func checkPassword(_ password: String, username: String? = nil) throws(Problem) {
        guard password.count >= passwordMinimum else {
            throw Problem(field: "password", message: "is too short: use at least \(passwordMinimum) characters (a few unrelated words work well).")
        }
        guard password.utf8.count <= passwordMaxBytes else {
            throw Problem(field: "password", message: "is too long: use at most \(passwordMaxBytes) bytes (72 letters without accents).")
        }
        let lowered = password.lowercased()
        if let username, lowered.contains(username.lowercased()) {
            throw Problem(field: "password", message: "must not contain the username.")
        }
        guard Set(password).count >= 5 else {
            throw Problem(field: "password", message: "is too weak: it repeats a few characters; use at least 5 different ones.")
        }
        let common = ["password", "123456", "qwerty", "letmein", "welcome", "iloveyou", "admin", "abc123", "passw0rd", "monkey", "dragon"]
        if common.contains(where: { lowered.contains($0) }) {
            throw Problem(field: "password", message: "is too weak: it contains a commonly guessed word or sequence.")
        }
    }

    /// Usernames and emails are unique without regard to case: `Ann` and `ann` are one person.
    public static func normalizedEmail(_ email: String) -> String { email.lowercased() }
}
