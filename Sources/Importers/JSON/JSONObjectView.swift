/// A JSON object read lazily: the whole text is checked for syntax once, but member values are
/// decoded only when asked for. Import records carry many fields Paperboy never reads, and
/// decoding only the rest (with white space collapsed in the same pass) halves the parse cost.
///
/// The view points into the caller's buffer: use it inside `JSONObjectView.parse(_:_:)`'s closure.
public struct JSONObjectView {
    public struct Member {
        let key: Range<Int>
        let value: Range<Int>
    }

    let bytes: UnsafeBufferPointer<UInt8>
    let members: [Member]

    /// Checks `bytes` as one JSON text and, when it is an object, hands a view of it to `body`.
    /// A text that is valid JSON but no object gives `nil` with its type name.
    public static func parse<T>(
        _ bytes: some Collection<UInt8>, _ body: (Result<JSONObjectView, NotAnObject>) throws -> T
    ) throws -> T {
        let array = bytes as? ArraySlice<UInt8> ?? ArraySlice(bytes)
        return try array.withUnsafeBufferPointer { buffer in
            var cursor = JSONParser.Cursor(buffer)
            cursor.skipWhitespace()
            guard cursor.index < buffer.count else { throw JSONParser.SyntaxError(offset: 0, message: "empty line") }
            if buffer[cursor.index] != UInt8(ascii: "{") {
                let value = try JSONParser.parse(buffer)
                return try body(.failure(NotAnObject(typeName: value.typeName)))
            }
            let view = try JSONObjectView(cursor: &cursor, bytes: buffer)
            cursor.skipWhitespace()
            guard cursor.index == buffer.count else { throw cursor.error("unexpected text after the JSON value") }
            return try body(.success(view))
        }
    }

    public struct NotAnObject: Error { public var typeName: String }

    /// Reads the object starting at the cursor (which must be at `{`), skipping over values.
    init(cursor: inout JSONParser.Cursor, bytes: UnsafeBufferPointer<UInt8>) throws(JSONParser.SyntaxError) {
        self.bytes = bytes
        var members: [Member] = []
        cursor.index += 1
        cursor.skipWhitespace()
        if cursor.index < bytes.count, bytes[cursor.index] == UInt8(ascii: "}") {
            cursor.index += 1
            self.members = members
            return
        }
        while true {
            cursor.skipWhitespace()
            guard cursor.index < bytes.count else { throw cursor.error("unexpected end of JSON inside an object") }
            guard bytes[cursor.index] == UInt8(ascii: "\"") else { throw cursor.error("expected a quoted key") }
            let keyStart = cursor.index + 1
            try cursor.skipString()
            let key = keyStart..<(cursor.index - 1)
            cursor.skipWhitespace()
            guard cursor.index < bytes.count, bytes[cursor.index] == UInt8(ascii: ":") else { throw cursor.error("expected ':' after a key") }
            cursor.index += 1
            cursor.skipWhitespace()
            let valueStart = cursor.index
            try cursor.skipValue(depth: 1)
            members.append(Member(key: key, value: valueStart..<cursor.index))
            cursor.skipWhitespace()
            guard cursor.index < bytes.count else { throw cursor.error("unexpected end of JSON inside an object") }
            if bytes[cursor.index] == UInt8(ascii: ",") { cursor.index += 1; continue }
            if bytes[cursor.index] == UInt8(ascii: "}") { cursor.index += 1; break }
            throw cursor.error("expected ',' or '}' in an object")
        }
        self.members = members
    }

    /// The value range of `key` (keys are compared as raw bytes: the keys read are plain ASCII).
    func range(_ key: StaticString) -> Range<Int>? {
        let n = key.utf8CodeUnitCount
        for member in members where member.key.count == n {
            var k = 0
            while k < n, bytes[member.key.lowerBound + k] == key.utf8Start[k] { k += 1 }
            if k == n { return member.value }
        }
        return nil
    }

    public func has(_ key: StaticString) -> Bool { range(key) != nil }

    /// The JSON type of the value at `key`, for messages.
    public func typeName(_ key: StaticString) -> String? {
        guard let r = range(key) else { return nil }
        switch bytes[r.lowerBound] {
        case UInt8(ascii: "\""): return "a string"
        case UInt8(ascii: "{"): return "an object"
        case UInt8(ascii: "["): return "an array"
        case UInt8(ascii: "n"): return "null"
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return "a boolean"
        default: return "a number"
        }
    }

    public func isNull(_ key: StaticString) -> Bool {
        guard let r = range(key) else { return true }
        return bytes[r.lowerBound] == UInt8(ascii: "n")
    }

    /// The string at `key`: nil when absent or null; `wrongType` when another type.
    public func string(_ key: StaticString, collapsing: Bool = false) throws -> String? {
        guard let r = range(key), bytes[r.lowerBound] != UInt8(ascii: "n") else { return nil }
        guard bytes[r.lowerBound] == UInt8(ascii: "\"") else { throw WrongType(key: "\(key)", expected: "a string", found: typeName(key) ?? "") }
        var cursor = JSONParser.Cursor(bytes)
        cursor.index = r.lowerBound
        return try cursor.string(collapsing: collapsing)
    }

    /// The fully parsed value at `key` (for nested arrays and small objects).
    public func value(_ key: StaticString) throws -> JSONValue? {
        guard let r = range(key) else { return nil }
        return try JSONParser.parse(UnsafeBufferPointer(rebasing: bytes[r]))
    }

    /// A view of the object at `key`; nil when absent, null or not an object.
    public func object(_ key: StaticString) throws -> JSONObjectView? {
        guard let r = range(key), bytes[r.lowerBound] == UInt8(ascii: "{") else { return nil }
        var cursor = JSONParser.Cursor(bytes)
        cursor.index = r.lowerBound
        return try JSONObjectView(cursor: &cursor, bytes: bytes)
    }

    public struct WrongType: Error {
        public var key: String
        public var expected: String
        public var found: String
    }
}

extension JSONParser.Cursor {
    /// Moves past the value at the cursor, checking its syntax without building it.
    mutating func skipValue(depth: Int) throws(JSONParser.SyntaxError) {
        guard index < bytes.count else { throw error("unexpected end of JSON") }
        switch bytes[index] {
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            guard depth <= JSONParser.maxDepth else { throw error("nesting deeper than \(JSONParser.maxDepth) levels") }
            let isObject = bytes[index] == UInt8(ascii: "{")
            let close = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
            index += 1
            skipWhitespace()
            if index < bytes.count, bytes[index] == close { index += 1; return }
            while true {
                skipWhitespace()
                if isObject {
                    guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a quoted key") }
                    try skipString()
                    skipWhitespace()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':' after a key") }
                    index += 1
                    skipWhitespace()
                }
                try skipValue(depth: depth + 1)
                skipWhitespace()
                guard index < bytes.count else { throw error("unexpected end of JSON") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == close { index += 1; return }
                throw error(isObject ? "expected ',' or '}' in an object" : "expected ',' or ']' in an array")
            }
        default:
            _ = try value(depth: depth)
        }
    }

    /// Moves past a string, checking escapes and control characters (not decoding it).
    mutating func skipString() throws(JSONParser.SyntaxError) {
        let open = index
        index += 1
        while index < bytes.count {
            let b = bytes[index]
            if b == UInt8(ascii: "\"") { index += 1; return }
            if b == UInt8(ascii: "\\") {
                index += 2
                continue
            }
            if b < 0x20 { throw error("unescaped control character in a string") }
            index += 1
        }
        throw error("unterminated string", at: open)
    }
}
