import Foundation

/// One email: who sends it to whom, its subject and its body as plain text and, optionally, HTML.
///
/// Every field is checked when the message is made, so a message that exists can always be
/// written out: no header value can carry a line break into the header block, extra headers
/// cannot replace the ones the writer owns, and no header line can pass 998 characters.
/// `MIMEWriter` turns it into the bytes that go after SMTP's `DATA`.
public struct MailMessage: Sendable {
    public let from: EmailAddress
    public let to: [EmailAddress]
    public let replyTo: EmailAddress?
    /// Any Unicode text; non-ASCII is written as RFC 2047 encoded-words.
    public let subject: String
    public let date: Date
    /// With its angle brackets, e.g. `<digest-2025-11-24.reader42@paperboy.example>`.
    public let messageID: String
    /// The text/plain part. Line breaks may be LF, CRLF or CR; they are sent as CRLF.
    public let textBody: String
    /// The text/html part; when present the message is multipart/alternative.
    public let htmlBody: String?
    /// Further headers in order, such as `List-Unsubscribe` and `List-Unsubscribe-Post` (RFC 8058).
    public let extraHeaders: [MailHeader]
    /// How the bodies are encoded: quoted-printable (readable, the default) or base64.
    public let bodyEncoding: BodyEncoding
    /// The SMTP envelope sender (`MAIL FROM`), where bounces go; `from` unless set.
    public let envelopeSender: EmailAddress
    /// The SMTP envelope recipients (`RCPT TO`); `to` unless set (a Bcc is a recipient missing from `to`).
    public let envelopeRecipients: [EmailAddress]

    public enum BodyEncoding: Sendable {
        case quotedPrintable
        case base64
    }

    /// The headers `MIMEWriter` writes itself; an extra header with one of these names is refused
    /// so it cannot contradict them.
    static let reservedHeaderNames: Set<String> = [
        "from", "to", "cc", "bcc", "reply-to", "subject", "date", "message-id",
        "mime-version", "content-type", "content-transfer-encoding",
    ]

    public init(
        from: EmailAddress,
        to: [EmailAddress],
        subject: String,
        textBody: String,
        htmlBody: String? = nil,
        replyTo: EmailAddress? = nil,
        date: Date = Date(),
        messageID: String? = nil,
        extraHeaders: [MailHeader] = [],
        bodyEncoding: BodyEncoding = .quotedPrintable,
        envelopeSender: EmailAddress? = nil,
        envelopeRecipients: [EmailAddress]? = nil
    ) throws(MailMessageError) {
        if to.isEmpty && (envelopeRecipients ?? []).isEmpty { throw .noRecipients }
        try MailHeader.checkValue(subject, field: "Subject")
        for header in extraHeaders where Self.reservedHeaderNames.contains(header.name.lowercased()) {
            throw .reservedHeader(header.name)
        }
        let id = messageID ?? "<\(UUID().uuidString.lowercased())@\(from.domain)>"
        try Self.checkMessageID(id)
        self.from = from
        self.to = to
        self.replyTo = replyTo
        self.subject = subject
        self.date = date
        self.messageID = id
        self.textBody = textBody
        self.htmlBody = htmlBody
        self.extraHeaders = extraHeaders
        self.bodyEncoding = bodyEncoding
        self.envelopeSender = envelopeSender ?? from
        self.envelopeRecipients = envelopeRecipients ?? to
        if self.envelopeRecipients.isEmpty { throw .noRecipients }
        // Writing out is where the line limits are met; doing it once here means a message that
        // was made can always be sent.
        _ = try MIMEWriter.headerLines(of: self, boundary: nil)
    }

    /// msg-id of RFC 5322 section 3.6.4, in the dot-atom form: `<left@right>`.
    private static func checkMessageID(_ id: String) throws(MailMessageError) {
        guard id.hasPrefix("<"), id.hasSuffix(">"), id.count > 2 else { throw .invalidMessageID(id) }
        let inner = id.dropFirst().dropLast()
        let halves = inner.split(separator: "@", omittingEmptySubsequences: false)
        guard halves.count == 2, !halves[0].isEmpty, !halves[1].isEmpty else { throw .invalidMessageID(id) }
        for scalar in inner.unicodeScalars where scalar != "@" && scalar != "." && !EmailAddress.isAtext(scalar) {
            throw .invalidMessageID(id)
        }
    }
}

/// One extra header field, with its name and value checked against injection.
public struct MailHeader: Sendable, Hashable {
    public let name: String
    /// The unfolded value; `MIMEWriter` folds it and encodes non-ASCII text (RFC 2047).
    public let value: String

    /// - Throws: `MailMessageError.invalidHeaderName` for a name that is not printable ASCII
    ///   without a colon, `.headerInjection` for a value with CR, LF or other control characters.
    public init(_ name: String, _ value: String) throws(MailMessageError) {
        // field-name: printable US-ASCII except colon (RFC 5322 section 3.6.8).
        let nameIsValid = !name.isEmpty && name.unicodeScalars.allSatisfy { $0.value >= 33 && $0.value <= 126 && $0 != ":" }
        guard nameIsValid else { throw .invalidHeaderName(name) }
        try Self.checkValue(value, field: name)
        self.name = name
        self.value = value
    }

    /// `List-Unsubscribe` with its one-click companion (RFC 8058): mail programs show an
    /// unsubscribe button that POSTs `List-Unsubscribe=One-Click` to `url`.
    public static func listUnsubscribe(oneClickURL url: String, mailto: String? = nil) throws(MailMessageError) -> [MailHeader] {
        var targets = ["<\(url)>"]
        if let mailto { targets.append("<\(mailto)>") }
        return [
            try MailHeader("List-Unsubscribe", targets.joined(separator: ", ")),
            try MailHeader("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
        ]
    }

    /// A header value may hold any text except line breaks and control characters (a tab is
    /// whitespace and allowed): a CR or LF would end the header and start one the caller never meant.
    static func checkValue(_ value: String, field: String) throws(MailMessageError) {
        for scalar in value.unicodeScalars {
            switch scalar.value {
            case 0x0D, 0x0A: throw .headerInjection(field: field, value: value)
            case 0x09: continue
            case 0x00...0x1F, 0x7F, 0x80...0x9F: throw .controlCharacter(field: field, value: value)
            default: continue
            }
        }
    }
}

/// Why a message or header could not be made.
public enum MailMessageError: Error, Sendable, Equatable, CustomStringConvertible {
    case headerInjection(field: String, value: String)
    case controlCharacter(field: String, value: String)
    case invalidHeaderName(String)
    case reservedHeader(String)
    case invalidMessageID(String)
    case noRecipients
    case lineTooLong(field: String, length: Int)

    public var description: String {
        switch self {
        case .headerInjection(let field, let value):
            return "header \(field): the value \(value.debugDescription) contains a line break (CR or LF); header values must be one line"
        case .controlCharacter(let field, let value):
            return "header \(field): the value \(value.debugDescription) contains a control character"
        case .invalidHeaderName(let name):
            return "header name \(name.debugDescription) is not printable ASCII without ':' and spaces"
        case .reservedHeader(let name):
            return "header \(name) is written from the message's own fields; set it there instead of as an extra header"
        case .invalidMessageID(let id):
            return "Message-ID \(id.debugDescription) is not of the form <left@right>"
        case .noRecipients:
            return "the message has no recipients"
        case .lineTooLong(let field, let length):
            return "header \(field) has an unbreakable run of \(length) characters; lines may not pass 998 (RFC 5322)"
        }
    }
}
