import Catalog
import Foundation
import GRDB

/// Sentence-embedding vectors of papers (schema in migration `004-paper-vectors`).
extension SQLiteCatalog {
    /// Vectors of another model than `model` are useless for it: switching models drops them
    /// and queues every paper again. Called inside each write that knows the model.
    private func adopt(model: String, in db: Database) throws {
        let current = try String.fetchOne(db, sql: "SELECT value FROM catalog_state WHERE key = 'embedding_model'")
        guard current != model else { return }
        try db.execute(sql: "DELETE FROM paper_vectors WHERE model <> ?", arguments: [model])
        try db.execute(sql: """
            INSERT OR IGNORE INTO embedding_pending
            SELECT rowid FROM papers WHERE deleted = 0 AND rowid NOT IN (SELECT paper_rowid FROM paper_vectors)
            """)
        try db.execute(
            sql: "INSERT INTO catalog_state (key, value) VALUES ('embedding_model', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            arguments: [model])
    }

    public func papersToEmbed(model: String, limit: Int) async throws -> [Paper] {
        try await pool.write { db in try self.adopt(model: model, in: db) }
        return try await pool.read { db in
            let statement = try db.makeStatement(sql: """
                SELECT \(PaperRow.columns.map { "p.\($0)" }.joined(separator: ", ")) FROM embedding_pending q
                JOIN papers p ON p.rowid = q.paper_rowid WHERE p.deleted = 0 ORDER BY q.paper_rowid LIMIT ?
                """)
            try statement.setArguments([max(1, limit)])
            return try PaperRow.fetchAll(statement, in: db)
        }
    }

    public func storeEmbeddings(_ vectors: [(id: ArxivID, vector: [Float])], model: String) async throws {
        try await pool.write { db in
            try self.adopt(model: model, in: db)
            let batch = (try Int64.fetchOne(db, sql: "SELECT max(batch) FROM paper_vectors") ?? 0) + 1
            let rowid = try db.cachedStatement(sql: "SELECT rowid FROM papers WHERE id = ?")
            let store = try db.cachedStatement(sql: "INSERT OR REPLACE INTO paper_vectors (paper_rowid, model, vector, batch) VALUES (?, ?, ?, ?)")
            let dequeue = try db.cachedStatement(sql: "DELETE FROM embedding_pending WHERE paper_rowid = ?")
            for (id, vector) in vectors {
                guard let row = try Int64.fetchOne(rowid, arguments: [id.value]) else { continue }  // removed meanwhile
                try store.execute(arguments: [row, model, Self.blob(vector), batch])
                try dequeue.execute(arguments: [row])
            }
        }
    }

    public func embeddingBacklog(model: String) async throws -> Int {
        try await pool.read { db in
            let current = try String.fetchOne(db, sql: "SELECT value FROM catalog_state WHERE key = 'embedding_model'")
            if current != nil, current != model {
                return try Int.fetchOne(db, sql: "SELECT count(*) FROM papers WHERE deleted = 0") ?? 0
            }
            return try Int.fetchOne(db, sql: """
                SELECT count(*) FROM embedding_pending q JOIN papers p ON p.rowid = q.paper_rowid WHERE p.deleted = 0
                """) ?? 0
        }
    }

    public func embeddings(model: String, after position: VectorPosition?, limit: Int) async throws -> [StoredVector] {
        let start = position ?? VectorPosition(batch: -1, item: -1)
        return try await pool.read { db in
            let rows = try Row.fetchCursor(db, sql: """
                SELECT p.id, v.vector, v.batch, v.paper_rowid FROM paper_vectors v JOIN papers p ON p.rowid = v.paper_rowid
                WHERE (v.batch, v.paper_rowid) > (?, ?) AND v.model = ? AND p.deleted = 0
                ORDER BY v.batch, v.paper_rowid LIMIT ?
                """, arguments: [start.batch, start.item, model, max(1, limit)])
            var out: [StoredVector] = []
            while let row = try rows.next() {
                guard let id = ArxivID(row[0] as String), let data = row[1] as Data? else { continue }
                out.append(StoredVector(id: id, vector: Self.floats(data), position: VectorPosition(batch: row[2], item: row[3])))
            }
            return out
        }
    }

    /// Float32 values as little-endian bytes (the byte order of every machine Swift runs on
    /// here; spelled out so a file stays readable anywhere).
    static func blob(_ vector: [Float]) -> Data {
        var data = Data(capacity: vector.count * 4)
        for value in vector { withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        return data
    }

    static func floats(_ data: Data) -> [Float] {
        data.withUnsafeBytes { raw in
            (0..<raw.count / 4).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
    }
}
