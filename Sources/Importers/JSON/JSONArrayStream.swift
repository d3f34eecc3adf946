/// Streams the elements of one top-level JSON array (`[ {...}, {...} ]`) without holding the
/// whole document: it tracks strings and nesting byte by byte and hands each element's bytes to
/// the caller to parse on its own.
public final class JSONArrayStream {
    public struct Element {
        /// 1-based position in the array.
        public var index: Int
        /// 1-based line where the element starts.
        public var line: Int
        public var bytes: [UInt8]
    }

    private let reader: ByteReader
    private let maxElementBytes: Int
    private var chunk: [UInt8] = []
    private var position = 0
    private var line = 1
    private var started = false
    private var finished = false
    private var count = 0
    /// Decompressed bytes consumed so far.
    public private(set) var byteOffset: Int64 = 0

    public init(reader: ByteReader, maxElementBytes: Int = 16 << 20) {
        self.reader = reader
        self.maxElementBytes = maxElementBytes
    }

    private func nextByte() throws -> UInt8? {
        if position == chunk.count {
            guard let next = try reader.nextChunk() else { return nil }
            chunk = next
            position = 0
        }
        let b = chunk[position]
        position += 1
        byteOffset += 1
        if b == UInt8(ascii: "\n") { line += 1 }
        return b
    }

    private func nextNonSpace() throws -> UInt8? {
        while let b = try nextByte() {
            if b != 0x20, b != 0x0A, b != 0x0D, b != 0x09 { return b }
        }
        return nil
    }

    private func fail(_ message: String) -> ImportError {
        .malformed(input: reader.name, position: "line \(line)", reason: message)
    }

    /// The next element, or nil after the closing bracket.
    public func next() throws -> Element? {
        if finished { return nil }
        if !started {
            started = true
            var first = try nextNonSpace()
            if first == 0xEF {  // a UTF-8 byte order mark
                _ = try nextByte(); _ = try nextByte()
                first = try nextNonSpace()
            }
            guard let first else { throw fail("the input is empty, expected a JSON array") }
            guard first == UInt8(ascii: "[") else {
                throw fail("expected a JSON array ('['), found '\(Character(UnicodeScalar(first)))'")
            }
        }
        guard var b = try nextNonSpace() else { throw fail("unexpected end of input: the array is not closed (truncated file?)") }
        if count > 0 {
            if b == UInt8(ascii: "]") { return try finish() }
            guard b == UInt8(ascii: ",") else { throw fail("expected ',' or ']' between array elements") }
            guard let after = try nextNonSpace() else { throw fail("unexpected end of input after ','") }
            b = after
        } else if b == UInt8(ascii: "]") {
            return try finish()
        }
        count += 1
        let startLine = line
        var bytes: [UInt8] = [b]
        var depth = (b == UInt8(ascii: "{") || b == UInt8(ascii: "[")) ? 1 : 0
        var inString = b == UInt8(ascii: "\"")
        var escaped = false
        if depth == 0 && !inString {
            // A scalar element: read up to the next separator.
            while try peekAvailable() {
                let c = chunk[position]
                if c == UInt8(ascii: ",") || c == UInt8(ascii: "]") || c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { break }
                bytes.append(c)
                _ = try nextByte()
            }
            return Element(index: count, line: startLine, bytes: bytes)
        }
        while depth > 0 || inString {
            guard let c = try nextByte() else {
                throw fail("unexpected end of input inside element \(count), which starts at line \(startLine) (truncated file?)")
            }
            if bytes.count < maxElementBytes { bytes.append(c) }
            if inString {
                if escaped { escaped = false } else if c == UInt8(ascii: "\\") { escaped = true } else if c == UInt8(ascii: "\"") { inString = false }
            } else if c == UInt8(ascii: "\"") {
                inString = true
            } else if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") {
                depth += 1
            } else if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") {
                depth -= 1
            }
        }
        if bytes.count >= maxElementBytes {
            throw ImportError.recordTooLarge(limit: maxElementBytes)
        }
        return Element(index: count, line: startLine, bytes: bytes)
    }

    private func peekAvailable() throws -> Bool {
        guard position == chunk.count else { return true }
        guard let next = try reader.nextChunk() else { return false }
        chunk = next
        position = 0
        return !chunk.isEmpty
    }

    private func finish() throws -> Element? {
        finished = true
        if let extra = try nextNonSpace() {
            throw fail("unexpected text after the closing ']': '\(Character(UnicodeScalar(extra)))'")
        }
        return nil
    }
}
