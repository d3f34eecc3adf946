import NIOCore

/// One reply from an SMTP server: a three-digit code and one or more lines of text
/// (RFC 5321 section 4.2). A multi-line reply is `250-first`, `250-second`, ..., `250 last`.
public struct SMTPReply: Sendable, Equatable, CustomStringConvertible {
    public let code: Int
    /// The text of each line, after the code and its separator.
    public let lines: [String]

    public init(code: Int, lines: [String]) {
        self.code = code
        self.lines = lines
    }

    /// What the first digit means (RFC 5321 section 4.2.1).
    public enum Kind: Sendable, Equatable {
        /// 2yz: done.
        case positiveCompletion
        /// 3yz: go on (354 after DATA, 334 during AUTH).
        case positiveIntermediate
        /// 4yz: not now; the same command may succeed later.
        case transientNegative
        /// 5yz: no; repeating it will not help.
        case permanentNegative
    }

    public var kind: Kind {
        switch code / 100 {
        case 2: .positiveCompletion
        case 3: .positiveIntermediate
        case 4: .transientNegative
        default: .permanentNegative
        }
    }

    public var isPositive: Bool { code / 100 == 2 || code / 100 == 3 }

    /// All lines joined by newlines.
    public var text: String { lines.joined(separator: "\n") }

    /// The enhanced status code (RFC 3463) that starts the first line, such as `5.7.8`, if any.
    public var enhancedStatusCode: String? {
        guard let first = lines.first?.split(separator: " ", maxSplits: 1).first else { return nil }
        let parts = first.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, ["2", "4", "5"].contains(parts[0]),
            parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) })
        else { return nil }
        return String(first)
    }

    public var description: String {
        lines.isEmpty ? "\(code)" : lines.map { "\(code) \($0)" }.joined(separator: " / ")
    }
}

/// Turns the bytes a server sends into `SMTPReply`s. Pure, so it is tested without a network.
struct SMTPReplyParser {
    /// RFC 5321 section 4.5.3.1.5 allows 512 octets a reply line; real servers stay far below.
    /// The limit stops a broken or hostile peer from growing the buffer without end.
    static let maximumLineLength = 4096
    static let maximumLinesPerReply = 1000

    private var buffer: [UInt8] = []
    private var pendingCode: Int?
    private var pendingLines: [String] = []

    /// Bytes received but not yet part of a complete line.
    var bufferedByteCount: Int { buffer.count }

    mutating func append(_ bytes: some Sequence<UInt8>) {
        buffer.append(contentsOf: bytes)
    }

    /// The next complete reply, or nil when more bytes are needed.
    mutating func nextReply() throws(SMTPProtocolError) -> SMTPReply? {
        while let newline = buffer.firstIndex(of: 0x0A) {
            var line = Array(buffer[..<newline])
            buffer.removeSubrange(...newline)
            // Lines end in CRLF; a bare LF is accepted too, as some servers send it.
            if line.last == 0x0D { line.removeLast() }
            if let reply = try take(line) { return reply }
        }
        if buffer.count > Self.maximumLineLength {
            throw SMTPProtocolError("reply line longer than \(Self.maximumLineLength) bytes")
        }
        return nil
    }

    private mutating func take(_ line: [UInt8]) throws(SMTPProtocolError) -> SMTPReply? {
        if line.count > Self.maximumLineLength {
            throw SMTPProtocolError("reply line longer than \(Self.maximumLineLength) bytes")
        }
        let shown = String(decoding: line.prefix(80), as: UTF8.self).debugDescription
        guard line.count >= 3, line[0] >= UInt8(ascii: "2"), line[0] <= UInt8(ascii: "5"),
            line[1...2].allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { throw SMTPProtocolError("malformed reply line \(shown): expected a three-digit code from 200 to 599") }
        let code = Int(line[0] - 48) * 100 + Int(line[1] - 48) * 10 + Int(line[2] - 48)
        let isLast: Bool
        switch line.count > 3 ? line[3] : UInt8(ascii: " ") {
        case UInt8(ascii: " "): isLast = true
        case UInt8(ascii: "-"): isLast = false
        default: throw SMTPProtocolError("malformed reply line \(shown): the code must be followed by a space or '-'")
        }
        if let pendingCode, pendingCode != code {
            throw SMTPProtocolError("multi-line reply changes its code from \(pendingCode) to \(code)")
        }
        pendingCode = code
        pendingLines.append(line.count > 4 ? String(decoding: line[4...], as: UTF8.self) : "")
        if pendingLines.count > Self.maximumLinesPerReply {
            throw SMTPProtocolError("reply of more than \(Self.maximumLinesPerReply) lines")
        }
        guard isLast else { return nil }
        let reply = SMTPReply(code: code, lines: pendingLines)
        pendingCode = nil
        pendingLines = []
        return reply
    }
}

/// The server sent something that is not an SMTP reply.
struct SMTPProtocolError: Error, Sendable {
    let message: String
    init(_ message: String) { self.message = message }
}

/// The channel handler that decodes replies: bytes in, one `SMTPReply` out per complete reply,
/// however the bytes were split into reads and however many replies a read holds (pipelining).
final class SMTPReplyDecoder: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = SMTPReply

    private var parser = SMTPReplyParser()

    /// Bytes of an unfinished reply; STARTTLS checks it is zero, since plaintext that arrived
    /// before the TLS handshake must not be read as if it came through TLS (RFC 3207 section 4.2).
    var bufferedByteCount: Int { parser.bufferedByteCount }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        parser.append(buffer.readableBytesView)
        do {
            while let reply = try parser.nextReply() {
                context.fireChannelRead(wrapInboundOut(reply))
            }
        } catch {
            context.fireErrorCaught(error)
        }
    }
}
