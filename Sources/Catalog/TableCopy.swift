import Foundation

/// Rows of one table on their way from one database to another (`paperboy db copy`), in terms
/// neither engine owns. Both schemas keep the same tables and column names, so rows move
/// column by column; the receiving side converts values to its own column types.
public enum CopiedValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
}

/// A page of a table's rows, in primary-key order.
public struct CopiedRows: Sendable {
    public var columns: [String]
    public var rows: [[CopiedValue]]
    /// The primary key of the last row: where the next page starts, and what a resumed copy
    /// remembers. Nil when the page is empty.
    public var lastKey: [CopiedValue]?

    public init(columns: [String], rows: [[CopiedValue]], lastKey: [CopiedValue]?) {
        self.columns = columns
        self.rows = rows
        self.lastKey = lastKey
    }
}

extension CopiedValue {
    /// A key as one line of JSON (integers and text: what primary keys are made of here), to
    /// keep as a checkpoint.
    public static func encode(key: [CopiedValue]) -> String {
        let parts: [Any] = key.map { value -> Any in
            switch value {
            case .integer(let n): NSNumber(value: n)
            case .text(let s): s
            default: NSNull()
            }
        }
        let data = (try? JSONSerialization.data(withJSONObject: parts)) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    public static func decode(key text: String) -> [CopiedValue]? {
        guard let parts = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [Any] else { return nil }
        return parts.map { part -> CopiedValue in
            if let s = part as? String { return .text(s) }
            if let n = part as? NSNumber { return .integer(n.int64Value) }
            return .null
        }
    }
}
