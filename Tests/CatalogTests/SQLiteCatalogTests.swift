import Catalog
import CatalogSQLite
import Foundation
import GRDB
import TestSupport
import Testing

/// A path for a new SQLite file in a scratch folder.
func temporaryDatabasePath() -> String {
    TestSupport.scratchDirectory().appendingPathComponent("catalog.sqlite").path
}

@Suite struct SQLiteCatalogTests {
    func record(_ id: String, version: Int? = 1, title: String = "A paper", featured: String? = nil, upvotes: Int? = nil, categories: [String] = ["cs.CL"]) -> CatalogChange {
        var r = PaperRecord(id: ArxivID(id)!)
        r.version = version
        r.title = title
        r.abstract = "About \(title)."
        r.authors = ["Ada Lovelace", "Alan Turing"]
        r.categories = categories
        r.featuredDate = featured
        r.upvotes = upvotes
        return .upsert(r)
    }

    @Test func migrationCreatesSchemaInWALMode() async throws {
        let path = temporaryDatabasePath()
        let catalog = try SQLiteCatalog(path: path)
        try await catalog.migrate()
        try await catalog.migrate()  // idempotent
        #expect(try await catalog.appliedMigrations() == ["001-papers", "002-partial-feed-indexes", "003-keyword-search", "004-paper-vectors", "005-vector-batches",
                                                             "006-community", "007-comments", "008-submissions", "009-collections", "010-digests"])
        let queue = try DatabaseQueue(path: path)
        let (mode, indexes) = try await queue.read { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "",
             try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'papers' AND sql IS NOT NULL"))
        }
        #expect(mode == "wal")
        #expect(Set(indexes) == ["papers_by_featured_date", "papers_by_upvotes", "papers_by_published"])
    }

    @Test func applyCountsAndRoundTrips() async throws {
        let catalog = try SQLiteCatalog(path: temporaryDatabasePath())
        try await catalog.migrate()
        let batch = [record("2501.00001", featured: "2026-01-05", upvotes: 3), record("hep-th/9901001", title: "Strings"),
                     record("2501.00002", featured: "2026-01-05", upvotes: 9)]
        let first = try await catalog.apply(batch, checkpoint: nil)
        #expect(first.inserted == 3 && first.updated == 0 && first.unchanged == 0)
        let second = try await catalog.apply(batch, checkpoint: nil)
        #expect(second.inserted == 0 && second.updated == 0 && second.unchanged == 3)
        let strings = try #require(try await catalog.paper(ArxivID("hep-th/9901001")!))
        #expect(strings.title == "Strings")
        #expect(strings.authors == ["Ada Lovelace", "Alan Turing"])
        let day = try await catalog.papers(PaperQuery(featuredOn: "2026-01-05"))
        #expect(day.map(\.id.value) == ["2501.00002", "2501.00001"])
        #expect(try await catalog.paperCount() == 3)
    }

    @Test func upvoteOrderListsUpvotedPapersThenTheRestNewestFirst() async throws {
        let catalog = try SQLiteCatalog(path: temporaryDatabasePath())
        try await catalog.migrate()
        func plain(_ id: String, published: String) -> CatalogChange {
            var r = PaperRecord(id: ArxivID(id)!)
            r.title = id
            r.published = published
            return .upsert(r)
        }
        _ = try await catalog.apply([
            record("2501.00001", featured: "2026-01-05", upvotes: 3), record("2501.00002", featured: "2026-01-06", upvotes: 9),
            plain("2501.00003", published: "2025-01-01T00:00:00Z"), plain("2501.00004", published: "2025-03-01T00:00:00Z"),
            plain("2501.00005", published: "2025-02-01T00:00:00Z"),
        ], checkpoint: nil)
        let all = try await catalog.papers(PaperQuery(order: .upvotes, limit: 10))
        #expect(all.map(\.id.value) == ["2501.00002", "2501.00001", "2501.00004", "2501.00005", "2501.00003"])
        let page = try await catalog.papers(PaperQuery(order: .upvotes, limit: 2, offset: 3))
        #expect(page.map(\.id.value) == ["2501.00005", "2501.00003"])
        let featured = try await catalog.papers(PaperQuery(order: .featured, limit: 3))
        #expect(featured.map(\.id.value) == ["2501.00002", "2501.00001", "2501.00004"])
    }

    @Test func categoryFilterMatchesWholeCategories() async throws {
        let catalog = try SQLiteCatalog(path: temporaryDatabasePath())
        try await catalog.migrate()
        _ = try await catalog.apply([record("2501.00001", categories: ["cs.CL", "cs.LG"]), record("2501.00002", categories: ["cs.CLX"])], checkpoint: nil)
        let found = try await catalog.papers(PaperQuery(category: "cs.CL"))
        #expect(found.map(\.id.value) == ["2501.00001"])
        #expect(try await catalog.papers(PaperQuery(category: "%")).isEmpty)
    }

    @Test func deletionsLeaveListingsAndCount() async throws {
        let catalog = try SQLiteCatalog(path: temporaryDatabasePath())
        try await catalog.migrate()
        _ = try await catalog.apply([record("2501.00001"), record("2501.00002")], checkpoint: nil)
        let counts = try await catalog.apply([.delete(ArxivID("2501.00001")!), .delete(ArxivID("2501.09999")!)], checkpoint: nil)
        #expect(counts.deleted == 1 && counts.unchanged == 1)
        #expect(try await catalog.paperCount() == 1)
        #expect(try await catalog.paper(ArxivID("2501.00001")!)?.deleted == true)
    }

    @Test func checkpointsAndStateAreKept() async throws {
        let path = temporaryDatabasePath()
        let catalog = try SQLiteCatalog(path: path)
        try await catalog.migrate()
        let checkpoint = ImportCheckpoint(source: "file:x", byteOffset: 1234, recordNumber: 56)
        _ = try await catalog.apply([record("2501.00001")], checkpoint: checkpoint)
        let reopened = try SQLiteCatalog(path: path)
        #expect(try await reopened.checkpoint(source: "file:x") == checkpoint)
        try await reopened.clearCheckpoint(source: "file:x")
        #expect(try await reopened.checkpoint(source: "file:x") == nil)
        try await reopened.setState("k", to: "v")
        #expect(try await reopened.state("k") == "v")
        try await reopened.setState("k", to: nil)
        #expect(try await reopened.state("k") == nil)
    }

    @Test func aHubReimportBelowTheShownTotalMovesItUpAndKeepsLocalVotes() async throws {
        let path = temporaryDatabasePath()
        let catalog = try SQLiteCatalog(path: path)
        try await catalog.migrate()
        let id = ArxivID("2501.00001")!
        func reimport(_ hub: Int) async throws -> ImportCounts {
            try await catalog.apply([record(id.value, featured: "2026-01-05", upvotes: hub)], checkpoint: nil)
        }
        _ = try await reimport(10)
        // Three accounts vote here. The rows are made directly: this suite has no account code,
        // and the votes themselves go through the store.
        let file = try DatabaseQueue(path: path)
        try await file.write { db in
            for n in 1...3 {
                try db.execute(
                    sql: "INSERT INTO users (id, username, email, password_hash, created_at) VALUES (?, ?, ?, 'unused', 0)",
                    arguments: [n, "voter\(n)", "voter\(n)@example.org"])
            }
        }
        for n in 1...3 { _ = try await catalog.setVote(userID: Int64(n), paper: id, voted: true, at: Date()) }
        func split() async throws -> [Int] {
            try await file.read { db in
                let row = try #require(try Row.fetchOne(db, sql: "SELECT upvotes, hub_upvotes, local_upvotes FROM papers WHERE id = ?", arguments: [id.value]))
                return [row[0], row[1], row[2]]
            }
        }
        #expect(try await split() == [13, 10, 3])

        // The Hub's count grew from 10 to 12, still below the 13 shown: the total moves up by 2.
        #expect(try await reimport(12).updated == 1)
        #expect(try await split() == [15, 12, 3])
        #expect(try await catalog.paper(id)?.upvotes == 15)

        // The same data again is unchanged, and tells no cache that anything moved.
        let version = try await catalog.contentVersion()
        #expect(try await reimport(12).unchanged == 1)
        #expect(try await catalog.contentVersion() == version)
        // A staler source with a lower count changes nothing either.
        #expect(try await reimport(11).unchanged == 1)
        #expect(try await split() == [15, 12, 3])

        // A withdrawn vote leaves the Hub's part alone; the next Hub count lands on top of the rest.
        _ = try await catalog.setVote(userID: 2, paper: id, voted: false, at: Date())
        #expect(try await split() == [14, 12, 2])
        #expect(try await reimport(14).updated == 1, "14 from the Hub is news even though 14 is shown")
        #expect(try await split() == [16, 14, 2])
    }

    @Test func unopenableFileGivesAClearError() throws {
        #expect {
            _ = try SQLiteCatalog(path: "/proc/definitely/not/here.sqlite")
        } throws: { error in
            "\(error)".contains("/proc/definitely/not/here.sqlite")
        }
    }
}
