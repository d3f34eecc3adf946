import Foundation

/// Writes a `MailMessage` as an Internet message (RFC 5322 with MIME, RFC 2045-2047): CRLF line
/// endings, header lines folded to 78 characters where they have spaces to fold at and never
/// past 998, non-ASCII header text as RFC 2047 encoded-words, and bodies in UTF-8 encoded as
/// quoted-printable or base64, so the whole message is 7-bit and needs no 8BITMIME or SMTPUTF8.
public enum MIMEWriter {
    /// The message's bytes, ready for SMTP `DATA` (before dot-stuffing, which is SMTP's business).
    /// `boundary` is for tests that want identical output; by default it is random.
    public static func render(_ message: MailMessage, boundary: String? = nil) -> [UInt8] {
        let boundary = message.htmlBody == nil ? nil : (boundary ?? makeBoundary())
        // The header lines were written once when the message was made, so this cannot fail now.
        let headers = (try? headerLines(of: message, boundary: boundary)) ?? []
        var out: [UInt8] = []
        for line in headers { append(line, to: &out) }
        append("", to: &out)
        if let boundary, let html = message.htmlBody {
            for (contentType, text) in [("text/plain", message.textBody), ("text/html", html)] {
                append("--\(boundary)", to: &out)
                append("Content-Type: \(contentType); charset=utf-8", to: &out)
                append("Content-Transfer-Encoding: \(transferEncodingName(message.bodyEncoding))", to: &out)
                append("", to: &out)
                encodeBody(text, message.bodyEncoding, into: &out)
            }
            append("--\(boundary)--", to: &out)
        } else {
            encodeBody(message.textBody, message.bodyEncoding, into: &out)
        }
        return out
    }

    /// The header block as lines without their CRLF; a folded field spans several lines.
    static func headerLines(of message: MailMessage, boundary: String?) throws(MailMessageError) -> [String] {
        var lines: [String] = []
        lines += try fold("Date", [formatDate(message.date)])
        lines += try fold("From", mailboxTokens([message.from]))
        if !message.to.isEmpty {
            lines += try fold("To", mailboxTokens(message.to))
        }
        if let replyTo = message.replyTo {
            lines += try fold("Reply-To", mailboxTokens([replyTo]))
        }
        lines += try fold("Subject", unstructuredTokens(message.subject, headerName: "Subject", encodeLookalikes: true))
        lines += try fold("Message-ID", [message.messageID])
        for header in message.extraHeaders {
            // An ASCII value goes out as given (List-Unsubscribe's <URL>s must not be encoded);
            // only non-ASCII text becomes encoded-words.
            lines += try fold(header.name, unstructuredTokens(header.value, headerName: header.name, encodeLookalikes: false))
        }
        lines.append("MIME-Version: 1.0")
        if let boundary {
            lines += try fold("Content-Type", ["multipart/alternative;", "boundary=\"\(boundary)\""])
        } else {
            lines.append("Content-Type: text/plain; charset=utf-8")
            lines.append("Content-Transfer-Encoding: \(transferEncodingName(message.bodyEncoding))")
        }
        return lines
    }

    // A boundary that starts with "=_" can never occur in quoted-printable text (where "=" is
    // always followed by two hex digits or a line break) nor in base64, so it needs no scan of
    // the bodies.
    static func makeBoundary() -> String {
        "=_paperboy_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    }

    private static func transferEncodingName(_ encoding: MailMessage.BodyEncoding) -> String {
        switch encoding {
        case .quotedPrintable: "quoted-printable"
        case .base64: "base64"
        }
    }

    private static func append(_ line: String, to out: inout [UInt8]) {
        out.append(contentsOf: line.utf8)
        out.append(contentsOf: [0x0D, 0x0A])
    }

    // MARK: - Header folding

    static let foldWidth = 78
    static let maximumLineLength = 998

    /// Lays `tokens` out after `name: `, one space between tokens, starting a continuation line
    /// (which begins with that space) wherever the next token would pass 78 characters. An empty
    /// token never starts a line, so no line is whitespace only. Unfolding (removing the CRLFs)
    /// gives back exactly the tokens joined by single spaces.
    static func fold(_ name: String, _ tokens: [String]) throws(MailMessageError) -> [String] {
        var lines: [String] = []
        var line = "\(name):"
        var lineHasToken = false
        for token in tokens {
            let fits = line.utf8.count + 1 + token.utf8.count <= foldWidth
            if lineHasToken && !fits && !token.isEmpty {
                lines.append(line)
                line = " " + token
            } else {
                line += " " + token
            }
            lineHasToken = true
        }
        lines.append(line)
        if let long = lines.first(where: { $0.utf8.count > maximumLineLength }) {
            throw .lineTooLong(field: name, length: long.utf8.count)
        }
        return lines
    }

    /// Tokens for unstructured text (Subject, extra headers): the words as they are when the text
    /// is ASCII, else RFC 2047 encoded-words. `encodeLookalikes` also encodes ASCII text that holds
    /// "=?", which a reader would otherwise try to decode.
    static func unstructuredTokens(_ text: String, headerName: String, encodeLookalikes: Bool) -> [String] {
        let needsEncoding = !text.unicodeScalars.allSatisfy(\.isASCII) || (encodeLookalikes && text.contains("=?"))
        if !needsEncoding {
            return text.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        }
        return encodedWords(text, firstLineUsed: headerName.utf8.count + 2)
    }

    /// RFC 2047 "B" encoded-words over UTF-8, each at most 75 characters and holding whole Unicode
    /// scalars (section 5: a word may not split a character). The first word is sized to share
    /// its line with the field name so the line stays within 76; decoders drop the folding
    /// whitespace between adjacent encoded-words, so the text comes back exactly.
    static func encodedWords(_ text: String, firstLineUsed: Int) -> [String] {
        let overhead = "=?UTF-8?B?".utf8.count + "?=".utf8.count
        func byteBudget(width: Int) -> Int { max(3, (width - overhead) / 4 * 3) }
        var budget = byteBudget(width: 76 - firstLineUsed - 1)
        if budget < 12 { budget = byteBudget(width: 75) }
        var words: [String] = []
        var chunk: [UInt8] = []
        for scalar in text.unicodeScalars {
            let bytes = Array(String(scalar).utf8)
            if chunk.count + bytes.count > budget && !chunk.isEmpty {
                words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=")
                chunk = []
                budget = byteBudget(width: 75)
            }
            chunk += bytes
        }
        if !chunk.isEmpty || words.isEmpty {
            words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=")
        }
        return words
    }

    /// Tokens of an address list: `name <addr>` per mailbox, commas between mailboxes.
    static func mailboxTokens(_ mailboxes: [EmailAddress]) -> [String] {
        var tokens: [String] = []
        for (index, mailbox) in mailboxes.enumerated() {
            var own: [String] = []
            if let name = mailbox.displayName {
                own += phraseTokens(name)
                own.append("<\(mailbox.address)>")
            } else {
                own.append(mailbox.address)
            }
            if index < mailboxes.count - 1 { own[own.count - 1] += "," }
            tokens += own
        }
        return tokens
    }

    /// A display name as a phrase (RFC 5322 section 3.2.5): atoms when it is plain words, a
    /// quoted-string when it has ASCII specials such as "," or ".", encoded-words when not ASCII.
    static func phraseTokens(_ name: String) -> [String] {
        let scalars = name.unicodeScalars
        if !scalars.allSatisfy(\.isASCII) || name.contains("=?") {
            return encodedWords(name, firstLineUsed: "From: ".utf8.count)
        }
        let words = name.split(separator: " ", omittingEmptySubsequences: true)
        let plain = !words.isEmpty && scalars.allSatisfy { $0 == " " || EmailAddress.isAtext($0) }
            && words.joined(separator: " ") == name
        if plain { return words.map(String.init) }
        let escaped = name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return ["\"\(escaped)\""]
    }

    // MARK: - Date (RFC 5322 section 3.3)

    /// `Tue, 25 Nov 2025 09:05:03 +0000`, always in UTC, computed from the calendar arithmetic
    /// so that no locale or time zone database can change it. The day has two digits (`07 Dec`),
    /// as mail software writes it and as Python's `email` package reads it back.
    public static func formatDate(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        // Days since 1970-01-01 to a civil date (the proleptic Gregorian calendar).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        let weekday = ((days % 7) + 7 + 4) % 7  // 1970-01-01 was a Thursday
        let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let time = "\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60))"
        return "\(weekdays[weekday]), \(two(day)) \(months[month - 1]) \(year) \(time) +0000"
    }

    // MARK: - Bodies

    /// The body's lines, encoded. Text is first put in canonical form (RFC 2045 section 6.7:
    /// every line break CRLF) so LF-only input and CRLF input give the same message.
    /// A body, encoded, each line followed by CRLF, appended to `out`.
    static func encodeBody(_ text: String, _ encoding: MailMessage.BodyEncoding, into out: inout [UInt8]) {
        switch encoding {
        case .quotedPrintable: QuotedPrintable.encode(text, into: &out)
        case .base64: for line in encodeBody(text, .base64) { append(line, to: &out) }
        }
    }

    static func encodeBody(_ text: String, _ encoding: MailMessage.BodyEncoding) -> [String] {
        let lines = splitLines(Array(text.utf8))
        switch encoding {
        case .quotedPrintable:
            return lines.flatMap(QuotedPrintable.encodeLine)
        case .base64:
            var canonical: [UInt8] = []
            for (index, line) in lines.enumerated() {
                if index > 0 { canonical += [0x0D, 0x0A] }
                canonical += line
            }
            let encoded = Data(canonical).base64EncodedString()
            var out: [String] = []
            var start = encoded.startIndex
            while start < encoded.endIndex {
                let end = encoded.index(start, offsetBy: 76, limitedBy: encoded.endIndex) ?? encoded.endIndex
                out.append(String(encoded[start..<end]))
                start = end
            }
            return out
        }
    }

    /// Splits on CRLF, LF or a lone CR.
    static func splitLines(_ bytes: [UInt8]) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        var current: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x0D || byte == 0x0A {
                lines.append(current)
                current = []
                if byte == 0x0D && index + 1 < bytes.count && bytes[index + 1] == 0x0A { index += 1 }
            } else {
                current.append(byte)
            }
            index += 1
        }
        lines.append(current)
        return lines
    }
}

/// Quoted-printable (RFC 2045 section 6.7).
enum QuotedPrintable {
    static let maximumLineLength = 76

    /// One line of text (no line break in it) as one or more encoded lines: soft line breaks
    /// ("=" at the end) keep each within 76 characters, an escape is never split, and whitespace
    /// at the end of the line is escaped because transports may strip it.
    static func encodeLine(_ line: [UInt8]) -> [String] {
        var out: [UInt8] = []
        line.withUnsafeBufferPointer { encodeLine($0[...], into: &out) }
        // Lines as encodeLine writes them: each ends in CRLF.
        return out.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast().map {
            String(decoding: $0.dropLast(), as: UTF8.self)
        }
    }

    /// Every line of `text` (CRLF, LF or a lone CR ends one), encoded, each encoded line
    /// followed by CRLF, appended to `out`. Writes straight into the message's bytes: a digest
    /// run encodes megabytes, and a string per line cost more than the encoding itself.
    static func encode(_ text: String, into out: inout [UInt8]) {
        var text = text
        // Room for the common case (mostly literal bytes, a soft break every 75) up front, so
        // the appends below do not grow the array again and again.
        out.reserveCapacity(out.count + text.utf8.count + text.utf8.count / 8 + 64)
        text.withUTF8 { bytes in
            var start = 0, index = 0
            while index < bytes.count {
                let byte = bytes[index]
                if byte == 0x0D || byte == 0x0A {
                    encodeLine(bytes[start..<index], into: &out)
                    if byte == 0x0D && index + 1 < bytes.count && bytes[index + 1] == 0x0A { index += 1 }
                    start = index + 1
                }
                index += 1
            }
            encodeLine(bytes[start..<bytes.count], into: &out)
        }
    }

    /// One line (no line break in it) as one or more encoded lines, each followed by CRLF.
    static func encodeLine(_ line: Slice<UnsafeBufferPointer<UInt8>>, into out: inout [UInt8]) {
        // "From " at the start of a line is turned into ">From " by mbox-style transports; an
        // escaped F keeps the text intact.
        let startsWithFrom = line.starts(with: fromPrefix)
        // Written through a pointer into room made once: every byte of every digest passes
        // here, and Array's per-append checks cost more than the encoding.
        let worstCase = line.count * 3 + (line.count / 25 + 1) * 3 + 2
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: worstCase) { buffer in
            var n = 0
            var width = 0  // of the encoded line being written
            var index = line.startIndex
            let last = line.endIndex - 1
            while index < line.endIndex {
                let byte = line[index]
                let isLast = index == last
                let escaped = (index == line.startIndex && startsWithFrom) || !isLiteral(byte) || (isLast && (byte == 0x20 || byte == 0x09))
                let pieceWidth = escaped ? 3 : 1
                // Room is kept for the "=" of a soft break unless this is the line's last piece.
                if width + pieceWidth > (isLast ? maximumLineLength : maximumLineLength - 1) {
                    buffer[n] = UInt8(ascii: "="); buffer[n + 1] = 0x0D; buffer[n + 2] = 0x0A
                    n += 3
                    width = 0
                }
                if escaped {
                    buffer[n] = UInt8(ascii: "="); buffer[n + 1] = hexDigits[Int(byte >> 4)]; buffer[n + 2] = hexDigits[Int(byte & 0x0F)]
                    n += 3
                } else {
                    buffer[n] = byte
                    n += 1
                }
                width += pieceWidth
                index += 1
            }
            buffer[n] = 0x0D; buffer[n + 1] = 0x0A
            n += 2
            out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[0..<n]))
        }
    }

    private static let fromPrefix = Array("From ".utf8)

    private static func isLiteral(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "="))
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

}
