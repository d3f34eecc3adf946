import Catalog
import Foundation
import PostgresNIO

/// Sentence-embedding vectors of papers (tables `paper_vectors` and `embedding_pending` of
/// migration `001-catalog`), with the SQLite backend's queue and positions.
extension PostgresCatalog {
    /// Vectors of another model than `model` are useless for it: switching models drops them
    /// and queues every paper again. Runs inside each write that knows the model, under the
    /// vector writers' lock.
    private func adopt(model: String, in db: PostgresConnection) async throws {
        var current: String?
        for try await value in try await db.query("SELECT value FROM catalog_state WHERE key = 'embedding_model'", logger: logger).decode(String.self) {
            current = value
        }
        guard current != model else { return }
        try await db.query("DELETE FROM paper_vectors WHERE model <> \(model)", logger: logger)
        try await db.query("""
            INSERT INTO embedding_pending (paper_seq)
            SELECT seq FROM papers p WHERE NOT deleted AND NOT EXISTS (SELECT 1 FROM paper_vectors v WHERE v.paper_seq = p.seq)
            ON CONFLICT DO NOTHING
            """, logger: logger)
        try await db.query("""
            INSERT INTO catalog_state (key, value) VALUES ('embedding_model', \(model))
            ON CONFLICT (key) DO UPDATE SET value = excluded.value
            """, logger: logger)
    }

    public func papersToEmbed(model: String, limit: Int) async throws -> [Paper] {
        try await perform("read the papers to embed") {
            try await self.transaction { db in
                try await db.query("SELECT pg_advisory_xact_lock(\(Self.vectorWriterLock))", logger: self.logger)
                try await self.adopt(model: model, in: db)
            }
            return try await PostgresPaperRow.decodeAll(self.client.query("""
                SELECT \(unescaped: PostgresPaperRow.columnList(prefix: "p")) FROM embedding_pending q
                JOIN papers p ON p.seq = q.paper_seq WHERE NOT p.deleted ORDER BY q.paper_seq LIMIT \(max(1, limit))
                """, logger: self.logger))
        }
    }

    public func claimPapersToEmbed(model: String, limit: Int, lease: Duration) async throws -> [Paper] {
        try await perform("claim papers to embed") {
            try await self.transaction { db in
                try await db.query("SELECT pg_advisory_xact_lock(\(Self.vectorWriterLock))", logger: self.logger)
                try await self.adopt(model: model, in: db)
            }
            let now = Int64(Date().timeIntervalSince1970)
            let until = now + max(1, lease.components.seconds)
            // SKIP LOCKED: a server claiming at the same instant takes the next papers rather
            // than waiting for these rows, and never gets the same ones.
            return try await PostgresPaperRow.decodeAll(self.client.query("""
                WITH claimed AS (
                    UPDATE embedding_pending SET claimed_until = \(until)
                    WHERE paper_seq IN (
                        SELECT q.paper_seq FROM embedding_pending q JOIN papers p ON p.seq = q.paper_seq
                        WHERE NOT p.deleted AND (q.claimed_until IS NULL OR q.claimed_until < \(now))
                        ORDER BY q.paper_seq LIMIT \(max(1, limit))
                        FOR UPDATE OF q SKIP LOCKED)
                    RETURNING paper_seq
                )
                SELECT \(unescaped: PostgresPaperRow.columnList(prefix: "p")) FROM claimed c
                JOIN papers p ON p.seq = c.paper_seq ORDER BY p.seq
                """, logger: self.logger))
        }
    }

    public func storeEmbeddings(_ vectors: [(id: ArxivID, vector: [Float])], model: String) async throws {
        // One row per paper: a statement may not write a row twice, and the last vector given wins.
        var order: [String] = []
        var latest: [String: ByteBuffer] = [:]
        for (id, vector) in vectors {
            if latest.updateValue(Self.bytes(vector), forKey: id.value) == nil { order.append(id.value) }
        }
        let ids = order
        let blobs = order.map { latest[$0]! }
        try await perform("store \(ids.count) vectors") {
            try await self.transaction { db in
                // Writers of vectors take turns, so batch numbers commit in increasing order and a
                // reader that has seen batch N never misses a batch below N committed later.
                try await db.query("SELECT pg_advisory_xact_lock(\(Self.vectorWriterLock))", logger: self.logger)
                try await self.adopt(model: model, in: db)
                guard !ids.isEmpty else { return }
                try await db.query("""
                    WITH batch AS (SELECT coalesce(max(batch), 0) + 1 AS number FROM paper_vectors),
                    stored AS (
                        INSERT INTO paper_vectors (paper_seq, model, vector, batch)
                        SELECT p.seq, \(model), v.vector, batch.number
                        FROM unnest(\(ids)::text[], \(blobs)::bytea[]) AS v (id, vector) JOIN papers p ON p.id = v.id, batch
                        ON CONFLICT (paper_seq) DO UPDATE SET model = excluded.model, vector = excluded.vector, batch = excluded.batch
                        RETURNING paper_seq
                    )
                    DELETE FROM embedding_pending WHERE paper_seq IN (SELECT paper_seq FROM stored)
                    """, logger: self.logger)
            }
        }
    }

    public func embeddingBacklog(model: String) async throws -> Int {
        try await perform("count the papers to embed") {
            let current = try await self.single("SELECT value FROM catalog_state WHERE key = 'embedding_model'", as: String.self)
            if current != nil, current != model {
                return try await self.single("SELECT count(*) FROM papers WHERE NOT deleted", as: Int.self) ?? 0
            }
            return try await self.single("""
                SELECT count(*) FROM embedding_pending q JOIN papers p ON p.seq = q.paper_seq WHERE NOT p.deleted
                """, as: Int.self) ?? 0
        }
    }

    public func embeddings(model: String, after position: VectorPosition?, limit: Int) async throws -> [StoredVector] {
        let start = position ?? VectorPosition(batch: -1, item: -1)
        return try await perform("read stored vectors") {
            let rows = try await self.client.query("""
                SELECT p.id, v.vector, v.batch, v.paper_seq FROM paper_vectors v JOIN papers p ON p.seq = v.paper_seq
                WHERE (v.batch, v.paper_seq) > (\(start.batch), \(start.item)) AND v.model = \(model) AND NOT p.deleted
                ORDER BY v.batch, v.paper_seq LIMIT \(max(1, limit))
                """, logger: self.logger)
            var out: [StoredVector] = []
            for try await (id, vector, batch, item) in rows.decode((String, ByteBuffer, Int64, Int64).self) {
                guard let id = ArxivID(id) else { continue }
                out.append(StoredVector(id: id, vector: Self.floats(vector), position: VectorPosition(batch: batch, item: item)))
            }
            return out
        }
    }

    /// Float32 values as little-endian bytes, the SQLite backend's layout.
    static func bytes(_ vector: [Float]) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(vector.count * 4)
        for value in vector { buffer.writeInteger(value.bitPattern, endianness: .little) }
        return buffer
    }

    static func floats(_ buffer: ByteBuffer) -> [Float] {
        var buffer = buffer
        var out: [Float] = []
        out.reserveCapacity(buffer.readableBytes / 4)
        while let bits = buffer.readInteger(endianness: .little, as: UInt32.self) { out.append(Float(bitPattern: bits)) }
        return out
    }
}
