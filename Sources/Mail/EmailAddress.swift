/// A mailbox that is safe to put in an SMTP envelope and in a message header: an addr-spec
/// (`local@domain`, RFC 5321 section 4.1.2) and an optional display name.
///
/// Everything is checked once, here, so nothing later has to: a value that could break out of
/// its header or command line (CR, LF, other control characters, angle brackets, commas) never
/// becomes an `EmailAddress`. Only what can travel without SMTPUTF8 is accepted: an ASCII local
/// part in dot-atom form and a domain of ASCII labels (non-ASCII domains in their `xn--` form).
public struct EmailAddress: Sendable, Hashable, CustomStringConvertible {
    /// The part before the `@`, exactly as given.
    public let localPart: String
    /// The part after the `@`, exactly as given (case is kept; domains compare case-insensitively).
    public let domain: String
    /// A human name shown by mail programs ("Paperboy Digest"); any Unicode text without control characters.
    public let displayName: String?

    // RFC 5321 section 4.5.3.1: local part 64 octets, domain 255, and a path of 256 octets
    // including the angle brackets, which leaves 254 for the address itself.
    static let maximumLocalPartLength = 64
    static let maximumDomainLength = 255
    static let maximumLabelLength = 63
    static let maximumAddressLength = 254

    /// Parses `address` (an addr-spec such as `reader@example.org`, without angle brackets).
    public init(_ address: String, displayName: String? = nil) throws(EmailAddressError) {
        try Self.checkCharacters(of: address, field: "address", original: address)
        if address.isEmpty { throw EmailAddressError(address, .empty) }
        guard let at = address.lastIndex(of: "@") else { throw EmailAddressError(address, .missingAt) }
        let local = String(address[..<at])
        let domain = String(address[address.index(after: at)...])
        if local.contains("@") { throw EmailAddressError(address, .moreThanOneAt) }
        if address.utf8.count > Self.maximumAddressLength {
            throw EmailAddressError(address, .addressTooLong(octets: address.utf8.count, limit: Self.maximumAddressLength))
        }
        try Self.checkLocalPart(local, original: address)
        try Self.checkDomain(domain, original: address)
        if let displayName {
            try Self.checkCharacters(of: displayName, field: "display name", original: address)
        }
        self.localPart = local
        self.domain = domain
        self.displayName = (displayName?.isEmpty ?? true) ? nil : displayName
    }

    /// `local@domain`, as it goes between the angle brackets of `MAIL FROM:<...>` and `RCPT TO:<...>`.
    public var address: String { "\(localPart)@\(domain)" }

    public var description: String {
        if let displayName { return "\(displayName) <\(address)>" }
        return address
    }

    private static func checkCharacters(of text: String, field: String, original: String) throws(EmailAddressError) {
        for (offset, scalar) in text.unicodeScalars.enumerated() {
            switch scalar.value {
            case 0x0D, 0x0A:
                throw EmailAddressError(original, .lineBreak(field: field))
            case 0x00...0x1F, 0x7F, 0x80...0x9F:
                throw EmailAddressError(original, .controlCharacter(field: field, codePoint: scalar.value, offset: offset))
            default:
                continue
            }
        }
    }

    // Dot-atom only (RFC 5322 section 3.4.1): quoted local parts are legal but rare, and refusing
    // them keeps every address printable as is in a command and a header.
    private static func checkLocalPart(_ local: String, original: String) throws(EmailAddressError) {
        if local.isEmpty { throw EmailAddressError(original, .emptyLocalPart) }
        if local.utf8.count > maximumLocalPartLength {
            throw EmailAddressError(original, .localPartTooLong(octets: local.utf8.count, limit: maximumLocalPartLength))
        }
        if local.first == "\"" { throw EmailAddressError(original, .quotedLocalPart) }
        if local.hasPrefix(".") || local.hasSuffix(".") || local.contains("..") {
            throw EmailAddressError(original, .misplacedDot(part: "local part"))
        }
        for scalar in local.unicodeScalars where !isAtext(scalar) && scalar != "." {
            throw EmailAddressError(original, .invalidCharacter(Character(scalar), part: "local part"))
        }
    }

    private static func checkDomain(_ domain: String, original: String) throws(EmailAddressError) {
        if domain.isEmpty { throw EmailAddressError(original, .emptyDomain) }
        if domain.utf8.count > maximumDomainLength {
            throw EmailAddressError(original, .domainTooLong(octets: domain.utf8.count, limit: maximumDomainLength))
        }
        if domain.hasPrefix("[") {
            // An address literal such as [192.0.2.1] or [IPv6:2001:db8::1] (RFC 5321 section 4.1.3).
            guard domain.hasSuffix("]"), domain.count > 2 else { throw EmailAddressError(original, .invalidAddressLiteral) }
            let inner = domain.dropFirst().dropLast()
            for scalar in inner.unicodeScalars {
                let ok = scalar.isASCII && (isAlphanumeric(scalar) || scalar == "." || scalar == ":")
                if !ok { throw EmailAddressError(original, .invalidAddressLiteral) }
            }
            return
        }
        if domain.hasPrefix(".") || domain.hasSuffix(".") || domain.contains("..") {
            throw EmailAddressError(original, .misplacedDot(part: "domain"))
        }
        for label in domain.split(separator: ".", omittingEmptySubsequences: false) {
            if label.utf8.count > maximumLabelLength {
                throw EmailAddressError(original, .labelTooLong(String(label), octets: label.utf8.count, limit: maximumLabelLength))
            }
            if label.hasPrefix("-") || label.hasSuffix("-") {
                throw EmailAddressError(original, .invalidLabel(String(label)))
            }
            for scalar in label.unicodeScalars {
                if !scalar.isASCII { throw EmailAddressError(original, .nonASCIIDomain) }
                if !(isAlphanumeric(scalar) || scalar == "-") {
                    throw EmailAddressError(original, .invalidCharacter(Character(scalar), part: "domain"))
                }
            }
        }
    }

    static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9": true
        default: false
        }
    }

    /// atext of RFC 5322 section 3.2.3: letters, digits and ``!#$%&'*+-/=?^_`{|}~``.
    static func isAtext(_ scalar: Unicode.Scalar) -> Bool {
        if isAlphanumeric(scalar) { return true }
        return "!#$%&'*+-/=?^_`{|}~".unicodeScalars.contains(scalar)
    }
}

/// Why a text is not a usable email address, with the text itself.
public struct EmailAddressError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        case empty
        case lineBreak(field: String)
        case controlCharacter(field: String, codePoint: UInt32, offset: Int)
        case missingAt
        case moreThanOneAt
        case emptyLocalPart
        case emptyDomain
        case localPartTooLong(octets: Int, limit: Int)
        case domainTooLong(octets: Int, limit: Int)
        case labelTooLong(String, octets: Int, limit: Int)
        case addressTooLong(octets: Int, limit: Int)
        case invalidCharacter(Character, part: String)
        case misplacedDot(part: String)
        case invalidLabel(String)
        case invalidAddressLiteral
        case nonASCIIDomain
        case quotedLocalPart
    }

    /// The rejected input, as given.
    public let input: String
    public let reason: Reason

    public init(input: String, reason: Reason) {
        self.input = input
        self.reason = reason
    }

    init(_ input: String, _ reason: Reason) {
        self.init(input: input, reason: reason)
    }

    public var description: String {
        let shown = input.debugDescription
        switch reason {
        case .empty: return "email address is empty"
        case .lineBreak(let field):
            return "email address \(shown): the \(field) contains a line break (CR or LF), which could inject headers or commands"
        case .controlCharacter(let field, let codePoint, let offset):
            return "email address \(shown): the \(field) contains control character U+\(String(codePoint, radix: 16, uppercase: true)) at position \(offset)"
        case .missingAt: return "email address \(shown) has no '@'; expected local-part@domain"
        case .moreThanOneAt: return "email address \(shown) has more than one '@'"
        case .emptyLocalPart: return "email address \(shown) has nothing before the '@'"
        case .emptyDomain: return "email address \(shown) has no domain after the '@'"
        case .localPartTooLong(let octets, let limit):
            return "email address \(shown): the local part is \(octets) octets long; RFC 5321 allows \(limit)"
        case .domainTooLong(let octets, let limit):
            return "email address \(shown): the domain is \(octets) octets long; RFC 5321 allows \(limit)"
        case .labelTooLong(let label, let octets, let limit):
            return "email address \(shown): the domain label \"\(label)\" is \(octets) octets long; DNS allows \(limit)"
        case .addressTooLong(let octets, let limit):
            return "email address \(shown) is \(octets) octets long; RFC 5321 allows \(limit)"
        case .invalidCharacter(let character, let part):
            return "email address \(shown): \(String(character).debugDescription) is not allowed in the \(part)"
        case .misplacedDot(let part):
            return "email address \(shown): the \(part) starts or ends with a dot or has two dots in a row"
        case .invalidLabel(let label):
            return "email address \(shown): the domain label \"\(label)\" starts or ends with a hyphen"
        case .invalidAddressLiteral:
            return "email address \(shown): the address literal must look like [192.0.2.1] or [IPv6:2001:db8::1]"
        case .nonASCIIDomain:
            return "email address \(shown): the domain is not ASCII; give it in its IDNA form (xn--...)"
        case .quotedLocalPart:
            return "email address \(shown): quoted local parts (\"...\"@domain) are not supported"
        }
    }
}
