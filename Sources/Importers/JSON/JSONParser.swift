import Catalog
import Foundation

/// A strict JSON parser (RFC 8259) over raw bytes, written for import speed: it parses straight
/// from the input buffer, decodes escape-free ASCII strings without a copy step, validates UTF-8
/// and reports the byte offset of the first error.
public struct JSONParser {
    public struct SyntaxError: Error, Equatable, CustomStringConvertible {
        /// 0-based byte offset in the parsed text.
        public var offset: Int
        public var message: String
        public var description: String { "\(message) at byte \(offset + 1)" }
    }

    /// Deeper nesting is refused: no real record needs it, and recursion must stay bounded.
    static let maxDepth = 256

    /// Parses one complete JSON text; trailing white space is allowed, anything else is not.
    public static func parse(_ bytes: some Collection<UInt8>) throws(SyntaxError) -> JSONValue {
        let array = bytes as? ArraySlice<UInt8> ?? ArraySlice(bytes)
        do {
            return try array.withUnsafeBufferPointer { buffer in
                var parser = Cursor(buffer)
                parser.skipWhitespace()
                let value = try parser.value(depth: 0)
                parser.skipWhitespace()
                guard parser.index == buffer.count else { throw parser.error("unexpected text after the JSON value") }
                return value
            }
        } catch let error as SyntaxError {
            throw error
        } catch {
            throw SyntaxError(offset: 0, message: "\(error)")
        }
    }

    struct Cursor {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        func error(_ message: String, at offset: Int? = nil) -> SyntaxError {
            SyntaxError(offset: offset ?? index, message: message)
        }

        mutating func skipWhitespace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x0A, 0x0D, 0x09: index += 1
                default: return
                }
            }
        }

        mutating func value(depth: Int) throws(SyntaxError) -> JSONValue {
            guard index < bytes.count else { throw error("unexpected end of JSON") }
            switch bytes[index] {
            case UInt8(ascii: "{"): return try object(depth: depth + 1)
            case UInt8(ascii: "["): return try array(depth: depth + 1)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
            default:
                throw error("unexpected character '\(printable(bytes[index]))'")
            }
        }

        mutating func literal(_ word: StaticString) throws(SyntaxError) {
            let n = word.utf8CodeUnitCount
            guard index + n <= bytes.count else { throw error("unexpected end of JSON") }
            for k in 0..<n where bytes[index + k] != word.utf8Start[k] {
                throw error("invalid literal, expected '\(word)'")
            }
            index += n
        }

        mutating func object(depth: Int) throws(SyntaxError) -> JSONValue {
            guard depth <= JSONParser.maxDepth else { throw error("nesting deeper than \(JSONParser.maxDepth) levels") }
            index += 1
            var members: [(String, JSONValue)] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
            while true {
                skipWhitespace()
                guard index < bytes.count else { throw error("unexpected end of JSON inside an object") }
                guard bytes[index] == UInt8(ascii: "\"") else { throw error("expected a quoted key") }
                let key = try string()
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':' after key \"\(key)\"") }
                index += 1
                skipWhitespace()
                members.append((key, try value(depth: depth)))
                skipWhitespace()
                guard index < bytes.count else { throw error("unexpected end of JSON inside an object") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
                throw error("expected ',' or '}' in an object")
            }
        }

        mutating func array(depth: Int) throws(SyntaxError) -> JSONValue {
            guard depth <= JSONParser.maxDepth else { throw error("nesting deeper than \(JSONParser.maxDepth) levels") }
            index += 1
            var elements: [JSONValue] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(elements) }
            while true {
                skipWhitespace()
                elements.append(try value(depth: depth))
                skipWhitespace()
                guard index < bytes.count else { throw error("unexpected end of JSON inside an array") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(elements) }
                throw error("expected ',' or ']' in an array")
            }
        }

        /// Decodes the string at `index`; with `collapsing`, runs of white space become one space
        /// and both ends are trimmed, in the same pass where possible.
        mutating func string(collapsing: Bool = false) throws(SyntaxError) -> String {
            let open = index
            index += 1
            let start = index
            var ascii = true
            // Fast path: scan to the closing quote; most strings have no escapes.
            while index < bytes.count {
                let b = bytes[index]
                if b == UInt8(ascii: "\"") {
                    let slice = UnsafeBufferPointer(rebasing: bytes[start..<index])
                    index += 1
                    let decoded: String
                    if ascii {
                        decoded = String(decoding: slice, as: UTF8.self)
                    } else {
                        guard let s = String(validating: slice, as: UTF8.self) else {
                            throw error("invalid UTF-8 in a string (is the file in another encoding?)", at: invalidUTF8Offset(start))
                        }
                        decoded = s
                    }
                    return collapsing ? decoded.collapsingWhitespace() : decoded
                }
                if b == UInt8(ascii: "\\") { break }
                if b < 0x20 { throw error("unescaped control character in a string") }
                if b >= 0x80 { ascii = false }
                index += 1
            }
            guard index < bytes.count else { throw error("unterminated string", at: open) }
            // Slow path: find the closing quote first, so the output (never longer than the
            // input) can be written straight into one buffer, escapes and collapsing included.
            var end = index
            while end < bytes.count, bytes[end] != UInt8(ascii: "\"") {
                end += bytes[end] == UInt8(ascii: "\\") ? 2 : 1
            }
            guard end < bytes.count else { throw error("unterminated string", at: open) }
            var failure: SyntaxError?
            var cursor = self
            let out = [UInt8](unsafeUninitializedCapacity: end - start) { buffer, count in
                var writer = ByteWriter(buffer: buffer, collapsing: collapsing)
                var i = start
                while i < end {
                    let b = bytes[i]
                    if b != UInt8(ascii: "\\") {
                        if b < 0x20 { failure = error("unescaped control character in a string", at: i); break }
                        writer.emit(b)
                        i += 1
                        continue
                    }
                    let e = bytes[i + 1]
                    i += 2
                    switch e {
                    case UInt8(ascii: "\""): writer.emit(0x22)
                    case UInt8(ascii: "\\"): writer.emit(0x5C)
                    case UInt8(ascii: "/"): writer.emit(0x2F)
                    case UInt8(ascii: "b"): writer.emit(0x08)
                    case UInt8(ascii: "f"): writer.emit(0x0C)
                    case UInt8(ascii: "n"): writer.emit(0x0A)
                    case UInt8(ascii: "r"): writer.emit(0x0D)
                    case UInt8(ascii: "t"): writer.emit(0x09)
                    case UInt8(ascii: "u"):
                        cursor.index = i
                        do {
                            var scalar = try cursor.hex4()
                            if (0xD800..<0xDC00).contains(scalar) {
                                // A high surrogate must be followed by an escaped low one.
                                if cursor.index + 1 < end, bytes[cursor.index] == UInt8(ascii: "\\"), bytes[cursor.index + 1] == UInt8(ascii: "u") {
                                    cursor.index += 2
                                    let low = try cursor.hex4()
                                    scalar = (0xDC00..<0xE000).contains(low) ? 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00) : 0xFFFD
                                } else {
                                    scalar = 0xFFFD
                                }
                            } else if (0xDC00..<0xE000).contains(scalar) {
                                scalar = 0xFFFD
                            }
                            // Six escape bytes always have room for the at most four UTF-8 bytes.
                            for byte in String(Character(Unicode.Scalar(scalar) ?? "\u{FFFD}")).utf8 { writer.emit(byte) }
                        } catch {
                            failure = error as? SyntaxError ?? SyntaxError(offset: i, message: "invalid \\u escape")
                        }
                        i = cursor.index
                    default:
                        failure = error("invalid escape '\\\(printable(e))' in a string", at: i - 2)
                    }
                    if failure != nil { break }
                }
                count = writer.count
            }
            if let failure { throw failure }
            index = end + 1
            guard let s = String(validating: out, as: UTF8.self) else {
                throw error("invalid UTF-8 in a string (is the file in another encoding?)", at: invalidUTF8Offset(start))
            }
            return s
        }

        /// Writes decoded string bytes, collapsing white space when asked (a space is held back
        /// until a visible byte follows, which trims the end as well).
        struct ByteWriter {
            let buffer: UnsafeMutableBufferPointer<UInt8>
            let collapsing: Bool
            var count = 0
            var pending = false

            @inline(__always)
            mutating func emit(_ b: UInt8) {
                if collapsing {
                    if b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { pending = count > 0; return }
                    if pending { buffer[count] = 0x20; count += 1; pending = false }
                }
                buffer[count] = b
                count += 1
            }
        }

        mutating func hex4() throws(SyntaxError) -> UInt32 {
            guard index + 4 <= bytes.count else { throw error("truncated \\u escape") }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let b = bytes[index]
                let digit: UInt32
                switch b {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(b - 48)
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(b - 87)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(b - 55)
                default: throw error("invalid hex digit in a \\u escape")
                }
                value = value << 4 | digit
                index += 1
            }
            return value
        }

        mutating func number() throws(SyntaxError) -> Double {
            let start = index
            if bytes[index] == UInt8(ascii: "-") { index += 1 }
            var integer: Int64 = 0
            var digits = 0
            var simple = true
            while index < bytes.count, (48...57).contains(bytes[index]) {
                if digits < 18 { integer = integer * 10 + Int64(bytes[index] - 48) } else { simple = false }
                digits += 1
                index += 1
            }
            guard digits > 0 else { throw error("invalid number", at: start) }
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") || bytes[index] | 0x20 == UInt8(ascii: "e") {
                simple = false
                if bytes[index] == UInt8(ascii: ".") {
                    index += 1
                    let fractionStart = index
                    while index < bytes.count, (48...57).contains(bytes[index]) { index += 1 }
                    guard index > fractionStart else { throw error("invalid number", at: start) }
                }
                if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
                    index += 1
                    if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
                    let exponentStart = index
                    while index < bytes.count, (48...57).contains(bytes[index]) { index += 1 }
                    guard index > exponentStart else { throw error("invalid number", at: start) }
                }
            }
            if simple { return Double(bytes[start] == UInt8(ascii: "-") ? -integer : integer) }
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            guard let value = Double(text) else { throw error("invalid number", at: start) }
            return value
        }

        /// The offset of the first byte that breaks UTF-8 from `start` on.
        func invalidUTF8Offset(_ start: Int) -> Int {
            var i = start
            while i < bytes.count {
                let b = bytes[i]
                let length: Int
                switch b {
                case 0x00..<0x80: length = 1
                case 0xC2..<0xE0: length = 2
                case 0xE0..<0xF0: length = 3
                case 0xF0..<0xF5: length = 4
                default: return i
                }
                guard i + length <= bytes.count else { return i }
                for k in 1..<max(1, length) where bytes[i + k] & 0xC0 != 0x80 { return i }
                i += length
            }
            return start
        }

        private func printable(_ byte: UInt8) -> String {
            (0x21..<0x7F).contains(byte) ? String(UnicodeScalar(byte)) : "0x" + String(byte, radix: 16, uppercase: true)
        }
    }
}
