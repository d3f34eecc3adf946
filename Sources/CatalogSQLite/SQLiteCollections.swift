import Catalog
import Community
import Foundation
import GRDB
import GRDBSQLite

/// Migration 009: users' collections of papers (issue 5).
enum SQLiteCollectionsSchema {
    static func create(_ db: Database) throws {
        // Times are seconds since 1970. Deleting an account deletes its collections, deleting a
        // collection its list of papers; the papers themselves stay in the catalog.
        try db.execute(sql: """
            CREATE TABLE collections (
                id INTEGER PRIMARY KEY,
                user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                name TEXT NOT NULL,
                description TEXT,
                is_public INTEGER NOT NULL DEFAULT 0 CHECK (is_public IN (0, 1)),
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL      -- any change: name, description, visibility, papers
            );
            -- A user's collections, most recently changed first: their page, the save control
            -- under each paper, their public list.
            CREATE INDEX collections_by_user ON collections (user_id, updated_at);
            CREATE TABLE collection_papers (
                collection_id INTEGER NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
                paper_id TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
                added_at INTEGER NOT NULL,
                PRIMARY KEY (collection_id, paper_id)  -- a paper is in a collection once
            );
            -- A collection's papers, most recently added first: read backwards, the index gives
            -- (added_at, rowid) descending, so papers added in the same second keep their order.
            CREATE INDEX collection_papers_by_added ON collection_papers (collection_id, added_at);
            -- The cascade from a deleted paper finds its entries without a scan.
            CREATE INDEX collection_papers_by_paper ON collection_papers (paper_id);
            """)
    }
}

/// Collections in the catalog's SQLite file. Every change is one write transaction that checks
/// ownership and the caps, then writes: SQLite runs those one at a time, so two requests at once
/// cannot both take the last place under a cap, and adding a paper twice leaves one entry.
extension SQLiteCatalog: CollectionStore {
    /// `paper_count` counts every entry; the list of papers leaves out the rare paper arXiv
    /// withdrew since it was saved (its page is gone), so it may show fewer.
    private static let collectionColumns = """
        c.id, c.user_id, u.username, c.name, c.description, c.is_public, c.created_at, c.updated_at,
        (SELECT count(*) FROM collection_papers cp WHERE cp.collection_id = c.id) AS paper_count
        """
    private static let collectionSelect = "SELECT \(collectionColumns) FROM collections c JOIN users u ON u.id = c.user_id"
    private static let newestFirst = "ORDER BY c.updated_at DESC, c.id DESC"

    private static func date(_ seconds: Int64) -> Date { Date(timeIntervalSince1970: TimeInterval(seconds)) }
    private static func seconds(_ date: Date) -> Int64 { Int64(date.timeIntervalSince1970.rounded(.down)) }

    private static func collection(_ row: Row) -> PaperCollection {
        PaperCollection(
            id: row["id"], ownerID: row["user_id"], owner: row["username"], name: row["name"], description: row["description"],
            isPublic: row["is_public"] as Bool, createdAt: date(row["created_at"]), updatedAt: date(row["updated_at"]),
            paperCount: row["paper_count"])
    }

    private static func fetchCollection(_ db: Database, _ id: Int64) throws -> PaperCollection? {
        try Row.fetchOne(db, sql: "\(collectionSelect) WHERE c.id = ?", arguments: [id]).map(collection)
    }

    /// The collection if `ownerID` owns it, else the refusal: someone else's private
    /// collection reads as missing, so its existence does not leak.
    private static func owned(_ db: Database, id: Int64, ownerID: Int64) throws -> PaperCollection {
        guard let found = try fetchCollection(db, id), found.isVisible(to: ownerID) else { throw CollectionError.collectionNotFound(id) }
        guard found.ownerID == ownerID else { throw CollectionError.notYours(id) }
        return found
    }

    private static func requirePaper(_ db: Database, _ paper: ArxivID) throws {
        guard try Bool.fetchOne(db, sql: "SELECT 1 FROM papers WHERE id = ? AND deleted = 0", arguments: [paper.value]) == true else {
            throw CollectionError.paperNotFound(paper)
        }
    }

    private static func touch(_ db: Database, _ id: Int64, _ time: Date) throws {
        try db.execute(sql: "UPDATE collections SET updated_at = ? WHERE id = ?", arguments: [seconds(time), id])
    }

    public func createCollection(
        ownerID: Int64, _ draft: CollectionDraft, firstPaper: ArxivID?, limits: CollectionLimits, at time: Date
    ) async throws -> PaperCollection {
        try await pool.write { db in
            let owned = try Int.fetchOne(db, sql: "SELECT count(*) FROM collections WHERE user_id = ?", arguments: [ownerID]) ?? 0
            guard owned < limits.maxCollectionsPerUser else { throw CollectionError.tooManyCollections(limit: limits.maxCollectionsPerUser) }
            if let firstPaper {
                try Self.requirePaper(db, firstPaper)
                guard limits.maxPapersPerCollection >= 1 else { throw CollectionError.collectionFull(limit: limits.maxPapersPerCollection) }
            }
            try db.execute(
                sql: "INSERT INTO collections (user_id, name, description, is_public, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [ownerID, draft.name, draft.description, draft.isPublic, Self.seconds(time), Self.seconds(time)])
            let id = db.lastInsertedRowID
            if let firstPaper {
                try db.execute(
                    sql: "INSERT INTO collection_papers (collection_id, paper_id, added_at) VALUES (?, ?, ?)",
                    arguments: [id, firstPaper.value, Self.seconds(time)])
            }
            return try Self.fetchCollection(db, id)!
        }
    }

    public func updateCollection(id: Int64, ownerID: Int64, _ update: CollectionUpdate, at time: Date) async throws -> PaperCollection {
        try await pool.write { db in
            _ = try Self.owned(db, id: id, ownerID: ownerID)
            var assignments = ["updated_at = ?"]
            var arguments: StatementArguments = [Self.seconds(time)]
            if let name = update.name { assignments.append("name = ?"); arguments += [name] }
            if let description = update.description { assignments.append("description = ?"); arguments += [description] }
            if let isPublic = update.isPublic { assignments.append("is_public = ?"); arguments += [isPublic] }
            arguments += [id]
            try db.execute(sql: "UPDATE collections SET \(assignments.joined(separator: ", ")) WHERE id = ?", arguments: arguments)
            return try Self.fetchCollection(db, id)!
        }
    }

    public func deleteCollection(id: Int64, ownerID: Int64) async throws {
        try await pool.write { db in
            _ = try Self.owned(db, id: id, ownerID: ownerID)
            // The foreign key's cascade (GRDB turns foreign keys on) takes the entries with it.
            try db.execute(sql: "DELETE FROM collections WHERE id = ?", arguments: [id])
        }
    }

    public func addPaper(
        _ paper: ArxivID, toCollection id: Int64, ownerID: Int64, limits: CollectionLimits, at time: Date
    ) async throws -> PaperCollection {
        try await pool.write { db in
            let collection = try Self.owned(db, id: id, ownerID: ownerID)
            try Self.requirePaper(db, paper)
            let present = try Bool.fetchOne(
                db, sql: "SELECT 1 FROM collection_papers WHERE collection_id = ? AND paper_id = ?", arguments: [id, paper.value]) == true
            // Saving a paper that is already there is what the person wanted: no refusal, no change.
            if present { return collection }
            guard collection.paperCount < limits.maxPapersPerCollection else {
                throw CollectionError.collectionFull(limit: limits.maxPapersPerCollection)
            }
            try db.execute(
                sql: "INSERT INTO collection_papers (collection_id, paper_id, added_at) VALUES (?, ?, ?)",
                arguments: [id, paper.value, Self.seconds(time)])
            try Self.touch(db, id, time)
            return try Self.fetchCollection(db, id)!
        }
    }

    public func removePaper(_ paper: ArxivID, fromCollection id: Int64, ownerID: Int64, at time: Date) async throws -> PaperCollection {
        try await pool.write { db in
            let collection = try Self.owned(db, id: id, ownerID: ownerID)
            try db.execute(sql: "DELETE FROM collection_papers WHERE collection_id = ? AND paper_id = ?", arguments: [id, paper.value])
            guard db.changesCount > 0 else { return collection }
            try Self.touch(db, id, time)
            return try Self.fetchCollection(db, id)!
        }
    }

    public func collections(ownerID: Int64, marking paper: ArxivID?) async throws -> [CollectionChoice] {
        try readNow { db in
            let sql = """
                SELECT \(Self.collectionColumns),
                    EXISTS (SELECT 1 FROM collection_papers h WHERE h.collection_id = c.id AND h.paper_id = ?) AS holds
                FROM collections c JOIN users u ON u.id = c.user_id WHERE c.user_id = ? \(Self.newestFirst)
                """
            return try Row.fetchAll(db, sql: sql, arguments: [paper?.value, ownerID])
                .map { CollectionChoice(collection: Self.collection($0), holdsPaper: $0["holds"] as Bool) }
        }
    }

    public func collection(id: Int64) async throws -> PaperCollection? {
        try readNow { db in try Self.fetchCollection(db, id) }
    }

    public func papers(inCollection id: Int64, limit: Int, offset: Int) async throws -> [CollectedPaper] {
        try readNow { db in
            let columns = PaperRow.columns.map { "p.\($0)" }.joined(separator: ", ")
            let statement = try db.cachedStatement(sql: """
                SELECT \(columns), cp.added_at FROM collection_papers cp JOIN papers p ON p.id = cp.paper_id
                WHERE cp.collection_id = ? AND p.deleted = 0
                ORDER BY cp.added_at DESC, cp.rowid DESC LIMIT ? OFFSET ?
                """)
            try statement.setArguments([id, max(0, limit), max(0, offset)])
            return try PaperRow.fetchAll(statement, in: db) { raw, column in sqlite3_column_int64(raw, column) }
                .map { CollectedPaper(paper: $0.0, addedAt: Self.date($0.1)) }
        }
    }

    public func publicCollections(username: String) async throws -> [PaperCollection]? {
        try readNow { db in
            // `users.username` compares without regard to case (COLLATE NOCASE).
            guard let userID = try Int64.fetchOne(db, sql: "SELECT id FROM users WHERE username = ?", arguments: [username]) else {
                return nil
            }
            return try Row.fetchAll(
                db, sql: "\(Self.collectionSelect) WHERE c.user_id = ? AND c.is_public = 1 \(Self.newestFirst)", arguments: [userID]
            ).map(Self.collection)
        }
    }
}
