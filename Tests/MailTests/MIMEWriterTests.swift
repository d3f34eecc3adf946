import Foundation
import Testing

@testable import Mail

@Suite struct MIMEWriterTests {
    static let sender = try! EmailAddress("digest@paperboy.example", displayName: "Paperboy")
    static let reader = try! EmailAddress("reader@example.org")

    static func lines(of bytes: [UInt8]) -> [String] {
        String(decoding: bytes, as: UTF8.self).components(separatedBy: "\r\n")
    }

    @Test func quotedPrintableEscapesWhatTransportsMangle() {
        #expect(QuotedPrintable.encodeLine(Array("a = b".utf8)) == ["a =3D b"])
        #expect(QuotedPrintable.encodeLine(Array("trailing space ".utf8)) == ["trailing space=20"])
        #expect(QuotedPrintable.encodeLine(Array("tab\t".utf8)) == ["tab=09"])
        #expect(QuotedPrintable.encodeLine(Array("café".utf8)) == ["caf=C3=A9"])
        #expect(QuotedPrintable.encodeLine(Array("From the editors".utf8)) == ["=46rom the editors"])
        #expect(QuotedPrintable.encodeLine(Array(".leading dot stays for SMTP to stuff".utf8)) == [".leading dot stays for SMTP to stuff"])
        #expect(QuotedPrintable.encodeLine([]) == [""])
    }

    @Test func quotedPrintableSoftBreaksKeepLinesShortAndEscapesWhole() {
        let long = Array(String(repeating: "a", count: 74).utf8) + Array("é and then some more text".utf8)
        let encoded = QuotedPrintable.encodeLine(long)
        #expect(encoded.count == 2)
        #expect(encoded[0] == String(repeating: "a", count: 74) + "=")
        #expect(encoded[1].hasPrefix("=C3=A9"))
        for line in QuotedPrintable.encodeLine(Array(String(repeating: "ü x", count: 100).utf8)) {
            #expect(line.utf8.count <= 76)
            // Every "=" starts an escape of two hex digits or is the soft break at the end.
            let bytes = Array(line.utf8)
            for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "=") {
                let isSoftBreak = index == bytes.count - 1
                let isEscape = index + 2 < bytes.count && bytes[(index + 1)...(index + 2)].allSatisfy {
                    ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 70)
                }
                #expect(isSoftBreak || isEscape, "broken escape in \(line)")
            }
        }
        // A line of exactly 76 safe characters needs no soft break.
        #expect(QuotedPrintable.encodeLine(Array(String(repeating: "b", count: 76).utf8)).count == 1)
    }

    @Test func datesAreRFC5322InUTC() {
        #expect(MIMEWriter.formatDate(Date(timeIntervalSince1970: 0)) == "Thu, 01 Jan 1970 00:00:00 +0000")
        #expect(MIMEWriter.formatDate(Date(timeIntervalSince1970: 951_782_400)) == "Tue, 29 Feb 2000 00:00:00 +0000")
        #expect(MIMEWriter.formatDate(Date(timeIntervalSince1970: 1_764_028_747)) == "Mon, 24 Nov 2025 23:59:07 +0000")
        #expect(MIMEWriter.formatDate(Date(timeIntervalSince1970: -1)) == "Wed, 31 Dec 1969 23:59:59 +0000")
    }

    @Test func nonASCIISubjectBecomesShortEncodedWords() throws {
        let subject = String(repeating: "Neue Arbeiten über Sprachmodelle — ", count: 6)
        let message = try MailMessage(from: Self.sender, to: [Self.reader], subject: subject, textBody: "x")
        let header = try MIMEWriter.headerLines(of: message, boundary: nil)
        let start = try #require(header.firstIndex { $0.hasPrefix("Subject:") })
        var end = start + 1
        while end < header.count && header[end].hasPrefix(" ") { end += 1 }
        let subjectLines = Array(header[start..<end])
        #expect(subjectLines.count > 3)
        for line in subjectLines {
            #expect(line.utf8.count <= 76, "\(line)")
            #expect(line.unicodeScalars.allSatisfy { $0.isASCII })
        }
        #expect(subjectLines[0].hasPrefix("Subject: =?UTF-8?B?"))
    }

    @Test func asciiHeadersFoldAtSpacesAndUnfoldToTheSameText() throws {
        let subject = (1...30).map { "word\($0)" }.joined(separator: " ")
        let message = try MailMessage(from: Self.sender, to: [Self.reader], subject: subject, textBody: "x")
        let header = try MIMEWriter.headerLines(of: message, boundary: nil)
        let start = try #require(header.firstIndex { $0.hasPrefix("Subject:") })
        var unfolded = header[start]
        var index = start + 1
        while index < header.count && header[index].hasPrefix(" ") {
            unfolded += header[index]
            index += 1
        }
        #expect(index - start > 1)
        #expect(header[start..<index].allSatisfy { $0.utf8.count <= 78 })
        #expect(unfolded == "Subject: " + subject)
    }

    @Test func headerInjectionIsRefused() throws {
        #expect(throws: MailMessageError.headerInjection(field: "Subject", value: "Hi\r\nBcc: victim@example.org")) {
            try MailMessage(from: Self.sender, to: [Self.reader], subject: "Hi\r\nBcc: victim@example.org", textBody: "x")
        }
        #expect(throws: MailMessageError.headerInjection(field: "Subject", value: "Hi\nX: y")) {
            try MailMessage(from: Self.sender, to: [Self.reader], subject: "Hi\nX: y", textBody: "x")
        }
        #expect(throws: MailMessageError.headerInjection(field: "List-Unsubscribe", value: "<https://x/u>\r\nBcc: v@example.org")) {
            try MailHeader("List-Unsubscribe", "<https://x/u>\r\nBcc: v@example.org")
        }
        #expect(throws: MailMessageError.controlCharacter(field: "X-Test", value: "a\u{0}b")) { try MailHeader("X-Test", "a\u{0}b") }
        #expect(throws: MailMessageError.invalidHeaderName("Bcc: v@example.org\r\nX")) { try MailHeader("Bcc: v@example.org\r\nX", "y") }
        #expect(throws: MailMessageError.invalidHeaderName("X Test")) { try MailHeader("X Test", "y") }
        let bcc = try MailHeader("Bcc", "victim@example.org")
        #expect(throws: MailMessageError.reservedHeader("Bcc")) {
            try MailMessage(from: Self.sender, to: [Self.reader], subject: "s", textBody: "x", extraHeaders: [bcc])
        }
        #expect(throws: MailMessageError.invalidMessageID("<a\r\nb@c>")) {
            try MailMessage(from: Self.sender, to: [Self.reader], subject: "s", textBody: "x", messageID: "<a\r\nb@c>")
        }
    }

    @Test func unbreakableHeaderOverTheLineLimitIsRefused() throws {
        let url = "<https://paperboy.example/unsubscribe?token=" + String(repeating: "t", count: 1000) + ">"
        let header = try MailHeader("List-Unsubscribe", url)
        #expect(throws: MailMessageError.lineTooLong(field: "List-Unsubscribe", length: "List-Unsubscribe: ".count + url.count)) {
            try MailMessage(from: Self.sender, to: [Self.reader], subject: "s", textBody: "x", extraHeaders: [header])
        }
    }

    @Test func wholeMessageIsCRLFSevenBitAndWithinLineLimits() throws {
        let text = "Héllo\nline two\r\nline three\r" + String(repeating: "long ", count: 400) + "\n.dot\n"
        let message = try MailMessage(
            from: Self.sender, to: [Self.reader, try EmailAddress("other@example.org", displayName: "Ünïcode, Person")],
            subject: "Digest", textBody: text, htmlBody: "<p>\(text)</p>",
            extraHeaders: MailHeader.listUnsubscribe(oneClickURL: "https://paperboy.example/u/abc", mailto: "mailto:unsub@paperboy.example")
        )
        let bytes = MIMEWriter.render(message, boundary: "=_test_boundary")
        #expect(bytes.allSatisfy { $0 < 128 })
        let text8 = String(decoding: bytes, as: UTF8.self)
        #expect(!text8.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        #expect(!text8.replacingOccurrences(of: "\r\n", with: "").contains("\r"))
        #expect(text8.hasSuffix("--=_test_boundary--\r\n"))
        for line in Self.lines(of: bytes) { #expect(line.utf8.count <= 998) }
        // Compared unfolded: whether a field is folded depends on its length.
        let unfolded = text8.replacingOccurrences(of: "\r\n ", with: " ")
        #expect(unfolded.contains("Content-Type: multipart/alternative; boundary=\"=_test_boundary\"\r\n"))
        #expect(unfolded.contains("List-Unsubscribe: <https://paperboy.example/u/abc>, <mailto:unsub@paperboy.example>\r\n"))
        #expect(unfolded.contains("To: reader@example.org, =?UTF-8?B?"))
        #expect(text8.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"))
        #expect(text8.contains("MIME-Version: 1.0\r\n"))
    }

    @Test func dataSectionStuffsDotsAndEnds() {
        let stuffed = SMTPClient.dataSection(Array("a\r\n.b\r\n..c\r\n.\r\nd.e\r\n".utf8))
        #expect(String(decoding: stuffed, as: UTF8.self) == "a\r\n..b\r\n...c\r\n..\r\nd.e\r\n.\r\n")
        #expect(String(decoding: SMTPClient.dataSection(Array(".first\r\n".utf8)), as: UTF8.self) == "..first\r\n.\r\n")
        // A message not ending in CRLF gets one, so the final "." is alone on its line.
        #expect(String(decoding: SMTPClient.dataSection(Array("x".utf8)), as: UTF8.self) == "x\r\n.\r\n")
    }
}
