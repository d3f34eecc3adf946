import Foundation

/// A small streaming XML parser (pull style) for the feeds Paperboy reads: arXiv Atom and
/// OAI-PMH. It reads chunk by chunk, so a multi-gigabyte harvest uses a few buffers of memory.
///
/// It is deliberately strict and deliberately incomplete:
/// - no DTDs: a document with an internal subset (`<!DOCTYPE x [ ... ]>`) is refused, which
///   rules out entity-expansion bombs ("billion laughs") and external entities by construction;
/// - only the five predefined entities and character references are expanded;
/// - UTF-8 only (the encoding every arXiv service declares);
/// - well-formedness errors stop parsing with the line they occur on.
public final class XMLPullParser {
    public struct Name: Equatable, Sendable, CustomStringConvertible {
        public var namespace: String
        public var local: String
        public var description: String { local }
    }

    public enum Event: Equatable {
        case start(Name, attributes: [String: String])
        case end(Name)
        case text(String)
    }

    public struct Limits: Sendable {
        public var maxDepth = 128
        public var maxTextBytes = 16 << 20
        public var maxAttributes = 64
        public init() {}
    }

    private let reader: ByteReader
    private let limits: Limits
    private var buffer: [UInt8] = []
    private var position = 0
    private var atEnd = false
    /// 1-based line of the parser's position.
    public private(set) var line = 1
    private var openElements: [(qualified: [UInt8], name: Name)] = []
    private var namespaceScopes: [[String: String]] = [["xml": "http://www.w3.org/XML/1998/namespace"]]
    private var pendingEnd: Name?
    private var sawRoot = false
    /// Start tags read so far; 1 right after the root element's.
    public private(set) var startTagsRead = 0
    private var rootClosed = false

    public init(reader: ByteReader, limits: Limits = Limits()) {
        self.reader = reader
        self.limits = limits
    }

    /// Names of the elements open at the parser's position, outermost first (for messages).
    public var path: String { openElements.map(\.name.local).joined(separator: "/") }

    func fail(_ reason: String) -> ImportError {
        .malformed(input: reader.name, position: "line \(line)", reason: reason)
    }

    // MARK: Byte access

    @inline(__always)
    private func peek() throws -> UInt8? {
        if position < buffer.count { return buffer[position] }
        return try refill() ? buffer[position] : nil
    }

    @inline(__always)
    private func take() throws -> UInt8? {
        guard let b = try peek() else { return nil }
        position += 1
        if b == 0x0A { line += 1 }
        return b
    }

    private func refill() throws -> Bool {
        if atEnd { return false }
        guard let chunk = try reader.nextChunk() else { atEnd = true; return false }
        buffer.removeFirst(position)
        position = 0
        buffer.append(contentsOf: chunk)
        return position < buffer.count
    }

    /// Whether the input continues with `literal` (consumed when it does).
    private func consume(_ literal: String) throws -> Bool {
        let bytes = Array(literal.utf8)
        while buffer.count - position < bytes.count {
            if try !refillKeeping() { return false }
        }
        for (k, b) in bytes.enumerated() where buffer[position + k] != b { return false }
        for _ in bytes { _ = try take() }
        return true
    }

    /// Like `refill`, but keeps the unread bytes already buffered.
    private func refillKeeping() throws -> Bool {
        if atEnd { return false }
        guard let chunk = try reader.nextChunk() else { atEnd = true; return false }
        if position > 0 { buffer.removeFirst(position); position = 0 }
        buffer.append(contentsOf: chunk)
        return true
    }

    /// Reads bytes up to (not including) `terminator`, which is consumed.
    private func read(until terminator: String, what: String) throws -> [UInt8] {
        let t = Array(terminator.utf8)
        var out: [UInt8] = []
        while true {
            guard let b = try take() else { throw fail("unexpected end of input inside \(what) (truncated document?)") }
            out.append(b)
            if out.count >= t.count, out[(out.count - t.count)...].elementsEqual(t) {
                out.removeLast(t.count)
                return out
            }
            if out.count > limits.maxTextBytes { throw fail("\(what) longer than \(limits.maxTextBytes) bytes") }
        }
    }

    // MARK: Events

    /// The next event, or nil at the end of the document.
    public func next() throws -> Event? {
        if let name = pendingEnd {
            pendingEnd = nil
            return .end(name)
        }
        while true {
            guard let b = try peek() else {
                if let open = openElements.last {
                    throw fail("unexpected end of input: <\(open.name.local)> is not closed (truncated document?)")
                }
                if !sawRoot { throw fail("the document is empty") }
                return nil
            }
            if b != UInt8(ascii: "<") {
                let text = try readText()
                if openElements.isEmpty {
                    guard text.allSatisfy(\.isWhitespace) else {
                        throw fail(sawRoot ? "text after the root element" : "text before the root element: is this XML?")
                    }
                    continue
                }
                return .text(text)
            }
            _ = try take()
            if try consume("?") {
                try processingInstruction()
            } else if try consume("!--") {
                _ = try read(until: "-->", what: "a comment")
            } else if try consume("![CDATA[") {
                let bytes = try read(until: "]]>", what: "a CDATA section")
                guard !openElements.isEmpty else { throw fail("CDATA outside the root element") }
                return .text(try utf8(bytes))
            } else if try consume("!DOCTYPE") {
                let declaration = try read(until: ">", what: "a DOCTYPE declaration")
                if declaration.contains(UInt8(ascii: "[")) {
                    throw fail("DTD declarations are refused (they allow entity-expansion attacks); the document must not declare entities")
                }
            } else if try consume("!") {
                throw fail("unsupported markup declaration '<!'")
            } else if try consume("/") {
                return .end(try endTag())
            } else {
                return try startTag()
            }
        }
    }

    private func processingInstruction() throws {
        let body = String(decoding: try read(until: "?>", what: "a processing instruction"), as: UTF8.self)
        guard body.hasPrefix("xml ") || body.hasPrefix("xml\t") || body.hasPrefix("xml\n") else { return }
        // The XML declaration: only UTF-8 (or its subset ASCII) is read.
        if let range = body.range(of: "encoding") {
            let rest = body[range.upperBound...].drop(while: { $0 == " " || $0 == "=" })
            if let quote = rest.first, quote == "\"" || quote == "'" {
                let name = rest.dropFirst().prefix(while: { $0 != quote }).lowercased()
                guard ["utf-8", "utf8", "us-ascii", "ascii"].contains(name) else {
                    throw fail("unsupported encoding '\(name)': only UTF-8 documents are read")
                }
            }
        }
    }

    private func readName() throws -> [UInt8] {
        var name: [UInt8] = []
        while let b = try peek() {
            if b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 || b == UInt8(ascii: ">") || b == UInt8(ascii: "/")
                || b == UInt8(ascii: "=") { break }
            name.append(b)
            _ = try take()
            if name.count > 256 { throw fail("a name longer than 256 bytes") }
        }
        guard !name.isEmpty else { throw fail("expected a name") }
        return name
    }

    private func skipSpace() throws {
        while let b = try peek(), b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { _ = try take() }
    }

    private func startTag() throws -> Event {
        if rootClosed { throw fail("a second root element") }
        let qualified = try readName()
        var rawAttributes: [([UInt8], String)] = []
        var selfClosing = false
        while true {
            try skipSpace()
            guard let b = try peek() else { throw fail("unexpected end of input inside a tag (truncated document?)") }
            if b == UInt8(ascii: ">") { _ = try take(); break }
            if b == UInt8(ascii: "/") {
                _ = try take()
                guard try take() == UInt8(ascii: ">") else { throw fail("expected '>' after '/' in a tag") }
                selfClosing = true
                break
            }
            let name = try readName()
            try skipSpace()
            guard try take() == UInt8(ascii: "=") else {
                throw fail("attribute '\(String(decoding: name, as: UTF8.self))' has no value")
            }
            try skipSpace()
            guard let quote = try take(), quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else {
                throw fail("attribute value must be quoted")
            }
            let raw = try read(until: String(UnicodeScalar(quote)), what: "an attribute value")
            guard !raw.contains(UInt8(ascii: "<")) else { throw fail("'<' in an attribute value") }
            rawAttributes.append((name, try decodeEntities(raw)))
            if rawAttributes.count > limits.maxAttributes { throw fail("more than \(limits.maxAttributes) attributes") }
        }
        // Namespace declarations first, then resolve names against them.
        var scope: [String: String] = [:]
        var attributes: [String: String] = [:]
        for (name, value) in rawAttributes {
            let text = String(decoding: name, as: UTF8.self)
            if text == "xmlns" { scope[""] = value } else if text.hasPrefix("xmlns:") { scope[String(text.dropFirst(6))] = value } else {
                // Attributes are looked up by local name: the formats read never need more.
                let local = text.split(separator: ":").last.map(String.init) ?? text
                attributes[local] = value
            }
        }
        namespaceScopes.append(scope)
        let name = try resolve(qualified)
        if openElements.count >= limits.maxDepth { throw fail("elements nested deeper than \(limits.maxDepth) levels") }
        sawRoot = true
        startTagsRead += 1
        if selfClosing {
            namespaceScopes.removeLast()
            if openElements.isEmpty { rootClosed = true }
            pendingEnd = name
        } else {
            openElements.append((qualified, name))
        }
        return .start(name, attributes: attributes)
    }

    private func endTag() throws -> Name {
        let qualified = try readName()
        try skipSpace()
        guard try take() == UInt8(ascii: ">") else { throw fail("expected '>' to close an end tag") }
        guard let open = openElements.popLast() else {
            throw fail("unexpected end tag </\(String(decoding: qualified, as: UTF8.self))>")
        }
        guard open.qualified == qualified else {
            throw fail("end tag </\(String(decoding: qualified, as: UTF8.self))> does not match <\(String(decoding: open.qualified, as: UTF8.self))>")
        }
        namespaceScopes.removeLast()
        if openElements.isEmpty { rootClosed = true }
        return open.name
    }

    private func resolve(_ qualified: [UInt8]) throws -> Name {
        let text = String(decoding: qualified, as: UTF8.self)
        let prefix: String
        let local: String
        if let colon = text.firstIndex(of: ":") {
            prefix = String(text[..<colon])
            local = String(text[text.index(after: colon)...])
        } else {
            prefix = ""
            local = text
        }
        for scope in namespaceScopes.reversed() {
            if let uri = scope[prefix] { return Name(namespace: uri, local: local) }
        }
        if prefix.isEmpty { return Name(namespace: "", local: local) }
        throw fail("undeclared namespace prefix '\(prefix)'")
    }

    private func readText() throws -> String {
        var bytes: [UInt8] = []
        while let b = try peek(), b != UInt8(ascii: "<") {
            // Copy runs straight from the buffer.
            var end = position
            while end < buffer.count, buffer[end] != UInt8(ascii: "<") { end += 1 }
            let run = buffer[position..<end]
            for byte in run where byte == 0x0A { line += 1 }
            bytes.append(contentsOf: run)
            position = end
            _ = b
            if bytes.count > limits.maxTextBytes { throw fail("text longer than \(limits.maxTextBytes) bytes") }
        }
        return try decodeEntities(bytes)
    }

    private func utf8(_ bytes: [UInt8]) throws -> String {
        guard let s = String(validating: bytes, as: UTF8.self) else {
            throw fail("invalid UTF-8 (is the document in another encoding?)")
        }
        return s
    }

    /// Expands `&lt;` `&gt;` `&amp;` `&quot;` `&apos;` and `&#…;`; any other entity is an error.
    private func decodeEntities(_ bytes: [UInt8]) throws -> String {
        guard bytes.contains(UInt8(ascii: "&")) else { return try utf8(bytes) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            guard b == UInt8(ascii: "&") else { out.append(b); i += 1; continue }
            guard let semicolon = bytes[i...].prefix(12).firstIndex(of: UInt8(ascii: ";")) else {
                throw fail("'&' not starting an entity (write &amp;)")
            }
            let name = String(decoding: bytes[(i + 1)..<semicolon], as: UTF8.self)
            switch name {
            case "lt": out.append(UInt8(ascii: "<"))
            case "gt": out.append(UInt8(ascii: ">"))
            case "amp": out.append(UInt8(ascii: "&"))
            case "quot": out.append(UInt8(ascii: "\""))
            case "apos": out.append(UInt8(ascii: "'"))
            default:
                guard name.hasPrefix("#") else { throw fail("undefined entity '&\(name);'") }
                let digits = name.dropFirst()
                let value = digits.hasPrefix("x") ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits, radix: 10)
                guard let value, let scalar = Unicode.Scalar(value), value != 0 else {
                    throw fail("invalid character reference '&\(name);'")
                }
                out.append(contentsOf: String(Character(scalar)).utf8)
            }
            i = semicolon + 1
        }
        return try utf8(out)
    }
}
