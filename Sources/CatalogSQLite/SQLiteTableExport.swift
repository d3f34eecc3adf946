import Catalog
import Foundation
import GRDB

/// Reading whole tables out, page by page, for `paperboy db copy`: the tables of the schema,
/// their columns and primary keys, and their rows in key order.
extension SQLiteCatalog {
    /// The tables that hold data (not SQLite's own, not the search index's shadow tables), in
    /// the order they were created, which is an order foreign keys allow.
    public func dataTables() async throws -> [String] {
        try await pool.read { db in
            try String.fetchAll(db, sql: """
                SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
                AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' AND name NOT LIKE 'paper_search%'
                ORDER BY rowid
                """)
        }
    }

    /// The table's columns, and its primary key's columns in key order (the rowid when it has
    /// no declared key).
    public func tableShape(_ table: String) async throws -> (columns: [String], key: [String]) {
        try await pool.read { db in
            let columns = try db.columns(in: table)
            let names = columns.map(\.name)
            let key = columns.filter { $0.primaryKeyIndex > 0 }.sorted { $0.primaryKeyIndex < $1.primaryKeyIndex }.map(\.name)
            return (names, key.isEmpty ? ["rowid"] : key)
        }
    }

    /// Up to `limit` rows of `table` whose primary key comes after `after` (nil: from the first),
    /// in key order. A row-value comparison on the key, so each page is an index range however
    /// far into the table it is.
    public func exportRows(of table: String, after: [CopiedValue]?, limit: Int) async throws -> CopiedRows {
        let (columns, key) = try await tableShape(table)
        return try await pool.read { db in
            let quoted = { (name: String) in "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
            let keyList = key.map(quoted).joined(separator: ", ")
            var sql = "SELECT \(columns.map(quoted).joined(separator: ", ")), \(keyList) FROM \(quoted(table))"
            var arguments = StatementArguments()
            if let after {
                sql += " WHERE (\(keyList)) > (\(Array(repeating: "?", count: key.count).joined(separator: ", ")))"
                for value in after { arguments += [Self.databaseValue(value)] }
            }
            sql += " ORDER BY \(keyList) LIMIT \(max(1, limit))"
            var rows: [[CopiedValue]] = []
            var lastKey: [CopiedValue]?
            let cursor = try Row.fetchCursor(db, sql: sql, arguments: arguments)
            while let row = try cursor.next() {
                let values = (0..<row.count).map { Self.copiedValue(row[$0] as DatabaseValue) }
                rows.append(Array(values.prefix(columns.count)))
                lastKey = Array(values.suffix(key.count))
            }
            return CopiedRows(columns: columns, rows: rows, lastKey: lastKey)
        }
    }

    /// How many rows the table has.
    public func rowCount(of table: String) async throws -> Int {
        try await pool.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM \"\(table.replacingOccurrences(of: "\"", with: "\"\""))\"") ?? 0
        }
    }

    static func copiedValue(_ value: DatabaseValue) -> CopiedValue {
        switch value.storage {
        case .null: .null
        case .int64(let n): .integer(n)
        case .double(let d): .real(d)
        case .string(let s): .text(s)
        case .blob(let data): .blob([UInt8](data))
        }
    }

    static func databaseValue(_ value: CopiedValue) -> DatabaseValue {
        switch value {
        case .null: .null
        case .integer(let n): n.databaseValue
        case .real(let d): d.databaseValue
        case .text(let s): s.databaseValue
        case .blob(let bytes): Data(bytes).databaseValue
        }
    }
}
