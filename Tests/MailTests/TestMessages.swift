import Foundation
import Mail

/// Messages that exercise what a digest needs: UTF-8 everywhere, lines starting with ".",
/// lines longer than quoted-printable's 76, "From " at the start of a line, trailing spaces.
enum TestMessages {
    static let sender = try! EmailAddress("digest@paperboy.example", displayName: "Paperboy Dïgest")
    static let reader = try! EmailAddress("reader@example.org")

    static let subject = "Paperboy: 5 neue Arbeiten über Diffusion — 日本語の論文も ✓ and a long tail of plain words"

    static let textBody = [
        "Guten Morgen, Zoë! 📰",
        ".this line starts with a dot and must survive SMTP's dot-stuffing",
        "..and this one with two",
        ".",
        String(repeating: "A long line with ümlauts and — dashes that goes well past seventy-six characters. ", count: 4),
        "From the archive: a line that mbox transports like to mangle",
        "trailing spaces stay   ",
        "\ttab at the start, = sign, 100% =?notencoded?= text",
        "",
        "last line",
    ].joined(separator: "\n")

    static let htmlBody = """
        <!doctype html>
        <html><body>
        <p>Guten Morgen, Zoë! 📰</p>
        .<p>a line starting with a dot</p>
        <p>\(String(repeating: "Ein sehr langer Absatz über Sprachmodelle, der weit über die Zeilengrenze hinausgeht. ", count: 5))</p>
        </body></html>
        """

    static let unsubscribeURL = "https://paperboy.example/unsubscribe?token=4f1c2d9e8b7a6f5e4d3c2b1a&list=daily"
    static let unsubscribeMailto = "mailto:unsubscribe@paperboy.example?subject=unsubscribe"

    static func digest(
        _ number: Int = 1,
        to recipients: [EmailAddress] = [reader],
        encoding: MailMessage.BodyEncoding = .quotedPrintable
    ) throws -> MailMessage {
        try MailMessage(
            from: sender,
            to: recipients,
            subject: "\(subject) #\(number)",
            textBody: textBody,
            htmlBody: htmlBody,
            messageID: "<digest-\(number).\(UUID().uuidString.lowercased())@paperboy.example>",
            extraHeaders: MailHeader.listUnsubscribe(oneClickURL: unsubscribeURL, mailto: unsubscribeMailto),
            bodyEncoding: encoding
        )
    }

    /// A one-line message, for tests about the session rather than the content.
    static func short(_ number: Int, to recipient: EmailAddress = reader) throws -> MailMessage {
        try MailMessage(from: sender, to: [recipient], subject: "Message \(number)", textBody: "Body of message \(number).\n.dot\n")
    }
}
