import Catalog
import Foundation
import PostgresNIO

/// Writing whole tables in, page by page, for `paperboy db copy`: rows read from another
/// database are converted to this schema's column types and inserted, rows already here (by
/// key) left alone, each page in one transaction with the copy's checkpoint.
extension PostgresCatalog {
    /// A column a copy may write: its name and `information_schema` type. Generated columns
    /// (`papers.search`) and always-generated identities (`papers.seq`) are left out: the
    /// database makes them.
    public struct CopyColumn: Sendable, Equatable {
        public var name: String
        public var type: String
    }

    /// The columns of `table` a copy may write; empty when this schema has no such table.
    public func copyColumns(of table: String) async throws -> [CopyColumn] {
        try await perform("read the columns of \(table)") {
            let rows = try await self.client.query("""
                SELECT column_name, data_type FROM information_schema.columns
                WHERE table_schema = current_schema() AND table_name = \(table)
                AND is_generated = 'NEVER' AND coalesce(identity_generation, '') <> 'ALWAYS'
                ORDER BY ordinal_position
                """, logger: self.logger)
            var columns: [CopyColumn] = []
            for try await (name, type) in rows.decode((String, String).self) { columns.append(CopyColumn(name: name, type: type)) }
            return columns
        }
    }

    /// Inserts `rows` (their values for `columns`, which this table has) in one transaction,
    /// skipping any whose key is already here, and records `checkpoint` in the same transaction,
    /// so a copy stopped at any point resumes after the last page that landed. Answers how many
    /// rows were inserted.
    @discardableResult
    public func importRows(
        into table: String, columns: [CopyColumn], from source: [String], rows: [[CopiedValue]], checkpoint: (key: String, value: String)?
    ) async throws -> Int {
        let positions = columns.map { column in source.firstIndex(of: column.name)! }
        let quotedTable = Self.quoted(table)
        let columnList = columns.map { Self.quoted($0.name) }.joined(separator: ", ")
        // PostgreSQL takes at most 65,535 parameters a statement.
        let perStatement = max(1, 60_000 / max(1, columns.count))
        return try await perform("copy \(rows.count) rows into \(table)") {
            try await self.transaction { db in
                var inserted = 0
                var start = 0
                while start < rows.count {
                    let chunk = rows[start..<min(rows.count, start + perStatement)]
                    var bindings = PostgresBindings(capacity: chunk.count * columns.count)
                    var tuples: [String] = []
                    var number = 0
                    for row in chunk {
                        var placeholders: [String] = []
                        for (column, position) in zip(columns, positions) {
                            try Self.bind(row[position], as: column, into: &bindings, table: table)
                            number += 1
                            placeholders.append("$\(number)")
                        }
                        tuples.append("(" + placeholders.joined(separator: ", ") + ")")
                    }
                    let sql = "INSERT INTO \(quotedTable) (\(columnList)) VALUES \(tuples.joined(separator: ", ")) ON CONFLICT DO NOTHING"
                    let result = try await db.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: self.logger)
                    for try await _ in result {}
                    inserted += chunk.count
                    start += perStatement
                }
                if let checkpoint {
                    try await db.query("""
                        INSERT INTO catalog_state (key, value) VALUES (\(checkpoint.key), \(checkpoint.value))
                        ON CONFLICT (key) DO UPDATE SET value = excluded.value
                        """, logger: self.logger)
                }
                return inserted
            }
        }
    }

    /// After rows came in with their ids, identity columns go on from the largest id, so the
    /// next row made here does not collide with a copied one.
    public func resetIdentities(of table: String) async throws {
        try await perform("reset the ids of \(table)") {
            let rows = try await self.client.query("""
                SELECT column_name FROM information_schema.columns
                WHERE table_schema = current_schema() AND table_name = \(table) AND is_identity = 'YES'
                """, logger: self.logger)
            var identities: [String] = []
            for try await name in rows.decode(String.self) { identities.append(name) }
            for column in identities {
                let sql = """
                    SELECT setval(pg_get_serial_sequence('\(Self.quoted(table))', '\(column)'),
                        coalesce((SELECT max(\(Self.quoted(column))) FROM \(Self.quoted(table))), 0) + 1, false)
                    """
                _ = try await self.client.query(PostgresQuery(unsafeSQL: sql), logger: self.logger)
            }
        }
    }

    /// How many rows the table has.
    public func rowCount(of table: String) async throws -> Int {
        try await perform("count the rows of \(table)") {
            try await self.single(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(Self.quoted(table))"), as: Int.self) ?? 0
        }
    }

    static func quoted(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    /// A value in the other engine's terms, as this column's type: SQLite's 0/1 as a boolean,
    /// its JSON list of authors or space-separated categories as a text array, seconds since
    /// 1970 or ISO 8601 text as a timestamp.
    static func bind(_ value: CopiedValue, as column: CopyColumn, into bindings: inout PostgresBindings, table: String) throws {
        func refuse() -> PostgresCatalogCopyError { PostgresCatalogCopyError(table: table, column: column.name, type: column.type, value: value) }
        if case .null = value {
            bindings.appendNull()
            return
        }
        switch column.type {
        case "boolean":
            guard case .integer(let n) = value else { throw refuse() }
            bindings.append(n != 0)
        case "bigint", "integer", "smallint":
            switch value {
            case .integer(let n): bindings.append(n)
            case .real(let d) where d == d.rounded(): bindings.append(Int64(d))
            default: throw refuse()
            }
        case "double precision", "real", "numeric":
            switch value {
            case .integer(let n): bindings.append(Double(n))
            case .real(let d): bindings.append(d)
            default: throw refuse()
            }
        case "text", "character varying":
            switch value {
            case .text(let s): bindings.append(s)
            case .integer(let n): bindings.append(String(n))
            case .real(let d): bindings.append(String(d))
            case .blob(let bytes): bindings.append(String(decoding: bytes, as: UTF8.self))
            case .null: bindings.appendNull()
            }
        case "ARRAY":
            guard case .text(let s) = value else { throw refuse() }
            if s.hasPrefix("[") {
                guard let list = try? JSONSerialization.jsonObject(with: Data(s.utf8)) as? [String] else { throw refuse() }
                bindings.append(list)
            } else {
                bindings.append(s.split(whereSeparator: \.isWhitespace).map(String.init))
            }
        case "bytea":
            switch value {
            case .blob(let bytes): bindings.append(ByteBuffer(bytes: bytes))
            case .text(let s): bindings.append(ByteBuffer(string: s))
            default: throw refuse()
            }
        case "timestamp with time zone":
            switch value {
            case .integer(let n): bindings.append(Date(timeIntervalSince1970: TimeInterval(n)))
            case .real(let d): bindings.append(Date(timeIntervalSince1970: d))
            case .text(let s):
                guard let date = DateText.timestamp(s).flatMap({ ISO8601DateFormatter().date(from: $0) }) else { throw refuse() }
                bindings.append(date)
            default: throw refuse()
            }
        default:
            throw refuse()
        }
    }
}

/// A value a copy cannot put in its column: names the table, column and value.
public struct PostgresCatalogCopyError: Error, CustomStringConvertible {
    public var table: String
    public var column: String
    public var type: String
    public var value: CopiedValue

    public var description: String {
        "cannot copy \(value) into \(table).\(column) (a PostgreSQL \(type) column)"
    }
}
