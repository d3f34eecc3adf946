import Catalog
import Community
import Foundation
import PostgresNIO

/// Collections (migration `002-community`), behaving as the SQLite backend's do. Every change is
/// one transaction that takes its owner's advisory lock, checks ownership and the caps, then
/// writes: two requests of one user at once, on any servers, take turns, so they cannot both
/// take the last place under a cap, and adding a paper twice leaves one entry.
extension PostgresCatalog: CollectionStore {
    /// The advisory locks of one owner's collections: two keys, this and the owner's id.
    static let collectionOwnerLockSpace: Int32 = 0x7062_0004

    /// `paper_count` counts every entry; the list of papers leaves out the rare paper arXiv
    /// withdrew since it was saved (its page is gone), so it may show fewer.
    private static let collectionColumns = """
        c.id, c.user_id, u.username, c.name, c.description, c.is_public, c.created_at, c.updated_at,
        (SELECT count(*) FROM collection_papers cp WHERE cp.collection_id = c.id) AS paper_count
        """
    private static let collectionSelect = "SELECT \(collectionColumns) FROM collections c JOIN users u ON u.id = c.user_id"
    private static let newestFirst = "ORDER BY c.updated_at DESC, c.id DESC"

    private static func collection(_ cells: PostgresRandomAccessRow) throws -> PaperCollection {
        PaperCollection(
            id: try cells[0].decode(Int64.self), ownerID: try cells[1].decode(Int64.self), owner: try cells[2].decode(String.self),
            name: try cells[3].decode(String.self), description: try cells[4].decode(String?.self), isPublic: try cells[5].decode(Bool.self),
            createdAt: date(try cells[6].decode(Int64.self)), updatedAt: date(try cells[7].decode(Int64.self)),
            paperCount: try cells[8].decode(Int.self))
    }

    private func collections(_ query: PostgresQuery, on db: PostgresConnection? = nil) async throws -> [PaperCollection] {
        let rows = try await self.rows(query, on: db)
        var found: [PaperCollection] = []
        for try await row in rows { found.append(try Self.collection(row.makeRandomAccess())) }
        return found
    }

    private func fetchCollection(_ id: Int64, on db: PostgresConnection? = nil) async throws -> PaperCollection? {
        try await collections("\(unescaped: Self.collectionSelect) WHERE c.id = \(id)", on: db).first
    }

    private func written(_ id: Int64, on db: PostgresConnection) async throws -> PaperCollection {
        guard let found = try await fetchCollection(id, on: db) else {
            throw PostgresCatalogError.failed(location, reason: "collection \(id) was not found where it had just been written")
        }
        return found
    }

    /// Takes the owner's lock until the commit: that user's collection changes take turns.
    private func lockOwner(_ ownerID: Int64, on db: PostgresConnection) async throws {
        try await db.query(
            "SELECT pg_advisory_xact_lock(\(Self.collectionOwnerLockSpace), (\(ownerID)::bigint % 2147483647)::integer)",
            logger: logger)
    }

    /// The collection if `ownerID` owns it, else the refusal: someone else's private collection
    /// reads as missing, so its existence does not leak.
    private func owned(_ id: Int64, ownerID: Int64, on db: PostgresConnection) async throws -> PaperCollection {
        try await lockOwner(ownerID, on: db)
        guard let found = try await fetchCollection(id, on: db), found.isVisible(to: ownerID) else { throw CollectionError.collectionNotFound(id) }
        guard found.ownerID == ownerID else { throw CollectionError.notYours(id) }
        return found
    }

    private func requirePaper(_ paper: ArxivID, on db: PostgresConnection) async throws {
        var found = false
        for try await _ in try await db.query("SELECT 1 FROM papers WHERE id = \(paper.value) AND NOT deleted", logger: logger) { found = true }
        guard found else { throw CollectionError.paperNotFound(paper) }
    }

    public func createCollection(
        ownerID: Int64, _ draft: CollectionDraft, firstPaper: ArxivID?, limits: CollectionLimits, at time: Date
    ) async throws -> PaperCollection {
        let now = Self.seconds(time)
        return try await perform("create a collection") {
            try await self.transaction { db in
                try await self.lockOwner(ownerID, on: db)
                let owned = try await Self.count(db, logger: self.logger, "SELECT count(*) FROM collections WHERE user_id = \(ownerID)")
                guard owned < limits.maxCollectionsPerUser else { throw CollectionError.tooManyCollections(limit: limits.maxCollectionsPerUser) }
                if let firstPaper {
                    try await self.requirePaper(firstPaper, on: db)
                    guard limits.maxPapersPerCollection >= 1 else { throw CollectionError.collectionFull(limit: limits.maxPapersPerCollection) }
                }
                let id = Int64(try await Self.count(db, logger: self.logger, """
                    INSERT INTO collections (user_id, name, description, is_public, created_at, updated_at)
                    VALUES (\(ownerID), \(draft.name), \(draft.description), \(draft.isPublic), \(now), \(now)) RETURNING id
                    """))
                if let firstPaper {
                    try await db.query(
                        "INSERT INTO collection_papers (collection_id, paper_id, added_at) VALUES (\(id), \(firstPaper.value), \(now))",
                        logger: self.logger)
                }
                return try await self.written(id, on: db)
            }
        }
    }

    public func updateCollection(id: Int64, ownerID: Int64, _ update: CollectionUpdate, at time: Date) async throws -> PaperCollection {
        try await perform("change collection \(id)") {
            try await self.transaction { db in
                _ = try await self.owned(id, ownerID: ownerID, on: db)
                var sql = SQLStatement()
                var assignments = ["updated_at = \(sql.bind(Self.seconds(time)))"]
                if let name = update.name { assignments.append("name = \(sql.bind(name))") }
                if let description = update.description { assignments.append("description = \(sql.bind(description))") }
                if let isPublic = update.isPublic { assignments.append("is_public = \(sql.bind(isPublic))") }
                sql.text = "UPDATE collections SET \(assignments.joined(separator: ", ")) WHERE id = \(sql.bind(id))"
                try await db.query(sql.query, logger: self.logger)
                return try await self.written(id, on: db)
            }
        }
    }

    public func deleteCollection(id: Int64, ownerID: Int64) async throws {
        try await perform("delete collection \(id)") {
            try await self.transaction { db in
                _ = try await self.owned(id, ownerID: ownerID, on: db)
                // The foreign key's cascade takes the entries with it.
                try await db.query("DELETE FROM collections WHERE id = \(id)", logger: self.logger)
            }
        }
    }

    public func addPaper(
        _ paper: ArxivID, toCollection id: Int64, ownerID: Int64, limits: CollectionLimits, at time: Date
    ) async throws -> PaperCollection {
        let now = Self.seconds(time)
        return try await perform("save \(paper.value) to collection \(id)") {
            try await self.transaction { db in
                let collection = try await self.owned(id, ownerID: ownerID, on: db)
                try await self.requirePaper(paper, on: db)
                var present = false
                for try await _ in try await db.query(
                    "SELECT 1 FROM collection_papers WHERE collection_id = \(id) AND paper_id = \(paper.value)", logger: self.logger
                ) { present = true }
                // Saving a paper that is already there is what the person wanted: no refusal, no change.
                if present { return collection }
                guard collection.paperCount < limits.maxPapersPerCollection else {
                    throw CollectionError.collectionFull(limit: limits.maxPapersPerCollection)
                }
                try await db.query(
                    "INSERT INTO collection_papers (collection_id, paper_id, added_at) VALUES (\(id), \(paper.value), \(now))",
                    logger: self.logger)
                try await db.query("UPDATE collections SET updated_at = \(now) WHERE id = \(id)", logger: self.logger)
                return try await self.written(id, on: db)
            }
        }
    }

    public func removePaper(_ paper: ArxivID, fromCollection id: Int64, ownerID: Int64, at time: Date) async throws -> PaperCollection {
        try await perform("remove \(paper.value) from collection \(id)") {
            try await self.transaction { db in
                let collection = try await self.owned(id, ownerID: ownerID, on: db)
                let removed = try await Self.count(db, logger: self.logger, """
                    WITH gone AS (DELETE FROM collection_papers WHERE collection_id = \(id) AND paper_id = \(paper.value) RETURNING 1)
                    SELECT count(*) FROM gone
                    """)
                guard removed > 0 else { return collection }
                try await db.query(
                    "UPDATE collections SET updated_at = \(Self.seconds(time)) WHERE id = \(id)", logger: self.logger)
                return try await self.written(id, on: db)
            }
        }
    }

    public func collections(ownerID: Int64, marking paper: ArxivID?) async throws -> [CollectionChoice] {
        try await perform("list the collections of account \(ownerID)") {
            var choices: [CollectionChoice] = []
            let rows = try await self.client.query("""
                SELECT \(unescaped: Self.collectionColumns),
                    EXISTS (SELECT 1 FROM collection_papers h WHERE h.collection_id = c.id AND h.paper_id = \(paper?.value)) AS holds
                FROM collections c JOIN users u ON u.id = c.user_id WHERE c.user_id = \(ownerID) \(unescaped: Self.newestFirst)
                """, logger: self.logger)
            for try await row in rows {
                let cells = row.makeRandomAccess()
                choices.append(CollectionChoice(collection: try Self.collection(cells), holdsPaper: try cells[9].decode(Bool.self)))
            }
            return choices
        }
    }

    public func collection(id: Int64) async throws -> PaperCollection? {
        try await perform("read collection \(id)") { try await self.fetchCollection(id) }
    }

    public func papers(inCollection id: Int64, limit: Int, offset: Int) async throws -> [CollectedPaper] {
        try await perform("list the papers of collection \(id)") {
            var found: [CollectedPaper] = []
            let rows = try await self.client.query("""
                SELECT \(unescaped: PostgresPaperRow.columnList(prefix: "p")), cp.added_at
                FROM collection_papers cp JOIN papers p ON p.id = cp.paper_id
                WHERE cp.collection_id = \(id) AND NOT p.deleted
                ORDER BY cp.added_at DESC, cp.seq DESC LIMIT \(max(0, limit)) OFFSET \(max(0, offset))
                """, logger: self.logger)
            for try await row in rows {
                let cells = row.makeRandomAccess()
                let paper = try PostgresPaperRow.decode(cells)
                found.append(CollectedPaper(paper: paper, addedAt: Self.date(try cells[PostgresPaperRow.columns.count].decode(Int64.self))))
            }
            return found
        }
    }

    public func publicCollections(username: String) async throws -> [PaperCollection]? {
        try await perform("list the public collections of \(username)") {
            guard let userID = try await self.single(
                "SELECT id FROM users WHERE ascii_lower(username) = ascii_lower(\(username))", as: Int64.self) else { return nil }
            return try await self.collections(
                "\(unescaped: Self.collectionSelect) WHERE c.user_id = \(userID) AND c.is_public \(unescaped: Self.newestFirst)")
        }
    }
}
