import Catalog
import Foundation
import Testing

/// What every `CatalogStore` must do, run against SQLite and PostgreSQL alike.
@Suite struct CatalogBehaviourTests {
    @Test(arguments: Backend.available)
    func migratingAgainIsHarmless(backend: Backend) async throws {
        try await backend.withCatalog { (catalog: any CatalogStore) async throws in
            _ = try await catalog.apply([Records.paper("2501.00001", title: "Kept", featured: nil, upvotes: nil)], checkpoint: nil)
            try await catalog.migrate()
            #expect(try await catalog.paper(ArxivID("2501.00001")!)?.title == "Kept")
        }
    }

    @Test(arguments: Backend.available)
    func applyCountsRoundTripsAndIsIdempotent(backend: Backend) async throws {
        try await backend.withCatalog { (catalog: any CatalogStore) async throws in
            let batch = [Records.paper("2501.00001", featured: "2026-01-05", upvotes: 3), Records.paper("hep-th/9901001", title: "Strings"),
                         Records.paper("2501.00002", featured: "2026-01-05", upvotes: 9)]
            let first = try await catalog.apply(batch, checkpoint: nil)
            #expect(first == ImportCounts(inserted: 3))
            let version = try await catalog.contentVersion()
            let second = try await catalog.apply(batch, checkpoint: nil)
            #expect(second == ImportCounts(unchanged: 3))
            #expect(try await catalog.contentVersion() == version, "an unchanged batch tells no cache that anything moved")
            let strings = try #require(try await catalog.paper(ArxivID("hep-th/9901001")!))
            #expect(strings.title == "Strings")
            #expect(strings.authors == ["Ada Lovelace", "Alan Turing"])
            #expect(strings.categories == ["cs.CL"])
            #expect(strings.version == 1 && strings.featuredDate == nil && strings.githubStars == nil && !strings.deleted)
            let day = try await catalog.papers(PaperQuery(featuredOn: "2026-01-05"))
            #expect(day.map(\.id.value) == ["2501.00002", "2501.00001"])
            #expect(try await catalog.paperCount() == 3)
            #expect(try await catalog.paper(ArxivID("2501.09999")!) == nil)
        }
    }

    /// Every field survives the trip, text with quotes, backslashes, NUL-free control characters
    /// and non-Latin scripts included.
    @Test(arguments: Backend.available)
    func everyFieldRoundTrips(backend: Backend) async throws {
        try await backend.withCatalog { (catalog: any CatalogStore) async throws in
            var r = PaperRecord(id: ArxivID("2501.00042")!)
            r.version = 3
            r.title = #"Ünïcödé "quoted" 'single' \backslash\ 日本語 🚀"#
            r.abstract = "Line one\nline two\ttabbed; DROP TABLE papers; --"
            r.authors = ["Zoë O'Brien", #"A "Nick" B"#, "李雷"]
            r.categories = ["cs.CL", "cs.LG", "stat.ML"]
            r.published = "2025-01-02T03:04:05Z"
            r.updated = "2025-02-03T04:05:06Z"
            r.comment = "10 pages"
            r.journalRef = "J. Test 1 (2025)"
            r.doi = "10.1000/xyz"
            r.license = "http://creativecommons.org/licenses/by/4.0/"
            r.githubRepo = "https://github.com/example/repo"
            r.projectPage = "https://example.org"
            r.featuredDate = "2026-01-07"
            r.submittedBy = "someone"
            r.upvotes = 12
            r.numComments = 4
            r.githubStars = 99
            r.organization = "Example Lab"
            _ = try await catalog.apply([.upsert(r)], checkpoint: nil)
            let paper = try #require(try await catalog.paper(r.id))
            guard case .insert(let expected) = merge(stored: nil, with: r) else { Issue.record("not an insert"); return }
            #expect(paper == expected)
            #expect(try await catalog.papers(ids: [r.id]) == [expected])
        }
    }

    /// Newer versions replace the metadata, older ones never do, the same version only fills.
    @Test(arguments: Backend.available)
    func versionOrderDecidesWhichMetadataWins(backend: Backend) async throws {
        try await backend.withCatalog { (catalog: any CatalogStore) async throws in
            let id = "2501.00001"
            _ = try await catalog.apply([Records.paper(id, version: 2, title: "Second version")], checkpoint: nil)
            #expect(try await catalog.apply([Records.paper(id, version: 1, title: "First version")], checkpoint: nil) == ImportCounts(unchanged: 1))
            #expect(try await catalog.paper(ArxivID(id)!)?.title == "Second version")
            #expect(try await catalog.apply([Records.paper(id, version: 3, title: "Third version")], checkpoint: nil) == ImportCounts(updated: 1))
            let third = try #require(try await catalog.paper(ArxivID(id)!))
            #expect(third.title == "Third version" && third.version == 3)
            // The same version fills what is missing (a featured day) and keeps the title.
            let filled = try await catalog.apply([Records.paper(id, version: 3, title: "Other title", featured: "2026-02-01", upvotes: 5)], checkpoint: nil)
            #expect(filled == ImportCounts(updated: 1))
            let paper = try #require(try await catalog.paper(ArxivID(id)!))
            #expect(paper.title == "Third version" && paper.featuredDate == "2026-02-01" && paper.upvotes == 5)
            // One batch may name a paper twice, and may insert then update it.
            let twice = try await catalog.apply([Records.paper("2501.00007", version: 1, title: "v1"), Records.paper("2501.00007", version: 2, title: "v2"),
                                                 Records.paper("2501.00007", version: 1, title: "v1 again")], checkpoint: nil)
            #expect(twice == ImportCounts(inserted: 1, updated: 1, unchanged: 1))
            #expect(try await catalog.paper(ArxivID("2501.00007")!)?.title == "v2")
        }
    }

    @Test(arguments: Backend.available)
    func refusedRecordsAreCountedWithTheirReason(backend: Backend) async throws {
        try await backend.withCatalog { (catalog: any CatalogStore) async throws in
            var untitled = PaperRecord(id: ArxivID("2501.00003")!)
            untitled.upvotes = 3
            let counts = try await catalog.apply([.upsert(untitled), Records.paper("2501.00004")], checkpoint: nil)
            #expect(counts.inserted == 1)
            #expect(counts.refused.map(\.id.value) == ["2501.00003"])
            #expect(try await catalog.paperCount() == 1)
        }
    }

    @Test(arguments: Backend.available)
    func upvoteOrderListsUpvotedPapersThenTheRestNewestFirst(backend: Backend) async throws {
        try await backend.withCatalog { (catalog: any CatalogStore) async throws in
            func plain(_ id: String, published: String?) -> CatalogChange {
                var r = PaperRecord(id: ArxivID(id)!)
                r.title = id
                r.published = published
                return .upsert(r)
            }
            _ = try await catalog.apply([
                Records.paper("2501.00001", featured: "2026-01-05", upvotes: 3), Records.paper("2501.00002", featured: "2026-01-06", upvotes: 9),
                plain("2501.00003", published: "2025-01-01T00:00:00Z"), plain("2501.00004", published: "2025-03-01T00:00:00Z"),
                plain("2501.00005", published: "2025-02-01T00:00:00Z"), plain("2501.00006", published: nil),
                Records.paper("2501.00008", upvotes: 9), Records.paper("2501.00009", featured: "2026-01-06", upvotes: nil),
            ], checkpoint: nil)
            let all = try await catalog.papers(PaperQuery(order: .upvotes, limit: 20))
            #expect(all.map(\.id.value) == ["2501.00002", "2501.00008", "2501.00001", "2501.00004", "2501.00005", "2501.00003",
                                             "2501.00009", "2501.00006"])
            let page = try await catalog.papers(PaperQuery(order: .upvotes, limit: 2, offset: 4))
            #expect(page.map(\.id.value) == ["2501.00005", "2501.00003"])
            let featured = try await catalog.papers(PaperQuery(order: .featured, limit: 20))
            #expect(featured.map(\.id.value) == ["2501.00002", "2501.00009", "2501.00001", "2501.00004", "2501.00005", "2501.00003",
                                                 "2501.00008", "2501.00006"])
            let published = try await catalog.papers(PaperQuery(order: .published, limit: 3))
            #expect(published.map(\.id.value) == ["2501.00004", "2501.00005", "2501.00003"])
            let week = try await catalog.papers(PaperQuery(featuredFrom: "2026-01-05", featuredThrough: "2026-01-06", order: .featured))
            #expect(week.map(\.id.value) == ["2501.00002", "2501.00009", "2501.00001"])
            let weekByVotes = try await catalog.papers(PaperQuery(featuredFrom: "2026-01-06", order: .upvotes))
            #expect(weekByVotes.map(\.id.value) == ["2501.00002", "2501.00009"])
            #expect(try await catalog.papers(PaperQuery(order: .upvotes, limit: 0)).isEmpty)
            #expect(try await catalog.papers(PaperQuery(order: .upvotes, limit: 5, offset: 100)).isEmpty)
        }
    }

    @Test(arguments: Backend.available)
    func categoryAndSubmitterFiltersMatchWholeValues(backend: Backend) async throws {
        try await backend.withCatalog { (catalog: any CatalogStore) async throws in
            _ = try await catalog.apply([Records.paper("2501.00001", categories: ["cs.CL", "cs.LG"], submittedBy: "ada"),
                                         Records.paper("2501.00002", categories: ["cs.CLX"]), Records.paper("2501.00003", categories: ["cs.cl"])], checkpoint: nil)
            // Whole categories, compared without regard to ASCII case (SQLite's LIKE).
            #expect(try await catalog.papers(PaperQuery(category: "cs.CL")).map(\.id.value) == ["2501.00003", "2501.00001"])
            #expect(try await catalog.papers(PaperQuery(category: "cs.LG")).map(\.id.value) == ["2501.00001"])
            #expect(try await catalog.papers(PaperQuery(category: "%")).isEmpty)
            #expect(try await catalog.papers(PaperQuery(category: "cs.C_")).isEmpty)
            #expect(try await catalog.papers(PaperQuery(submittedBy: "ada")).map(\.id.value) == ["2501.00001"])
        }
    }

    func days(_ catalog: any CatalogStore, _ from: String, _ through: String) async throws -> [String?] {
        let days = try await catalog.featuredDays(around: from, through: through)
        return [days.before, days.after]
    }

    @Test(arguments: Backend.available)
    func featuredDaysAroundARange(backend: Backend) async throws {
        try await backend.withCatalog { (catalog: any CatalogStore) async throws in
            #expect(try await days(catalog, "2026-01-05", "2026-01-05") == [nil, nil])
            _ = try await catalog.apply([Records.paper("2501.00001", featured: "2026-01-02"), Records.paper("2501.00002", featured: "2026-01-05"),
                                         Records.paper("2501.00003", featured: "2026-01-09"), Records.paper("2501.00004")], checkpoint: nil)
            #expect(try await days(catalog, "2026-01-05", "2026-01-05") == ["2026-01-02", "2026-01-09"])
            #expect(try await days(catalog, "2026-01-03", "2026-01-09") == ["2026-01-02", nil])
            #expect(try await days(catalog, "2026-01-01", "2026-01-01") == [nil, "2026-01-02"])
        }
    }

    @Test(arguments: Backend.available)
    func deletionsLeaveListingsSearchAndCount(backend: Backend) async throws {
        try await backend.withCatalog { (catalog: any CatalogStore) async throws in
            _ = try await catalog.apply([Records.paper("2501.00001", title: "Gone", upvotes: 4), Records.paper("2501.00002", title: "Stays")], checkpoint: nil)
            let counts = try await catalog.apply([.delete(ArxivID("2501.00001")!), .delete(ArxivID("2501.09999")!)], checkpoint: nil)
            #expect(counts.deleted == 1 && counts.unchanged == 1)
            #expect(try await catalog.apply([.delete(ArxivID("2501.00001")!)], checkpoint: nil) == ImportCounts(unchanged: 1))
            #expect(try await catalog.paperCount() == 1)
            #expect(try await catalog.paper(ArxivID("2501.00001")!)?.deleted == true)
            #expect(try await catalog.papers(ids: [ArxivID("2501.00001")!]).isEmpty)
            #expect(try await catalog.papers(PaperQuery(order: .upvotes)).map(\.id.value) == ["2501.00002"])
            while try await catalog.updateSearchIndex(limit: 100) > 0 {}
            #expect(try await catalog.searchRanking(SearchQuery(parsing: "gone"), limit: 10, offset: 0).isEmpty)
            // A newer version brings it back.
            #expect(try await catalog.apply([Records.paper("2501.00001", version: 2, title: "Back")], checkpoint: nil).updated == 1)
            #expect(try await catalog.paperCount() == 2)
        }
    }

    @Test(arguments: Backend.available)
    func checkpointsAndStateAreKeptAcrossInstances(backend: Backend) async throws {
        try await backend.withCatalog { (catalog: any CatalogStore, openAnother: OpenAnother) async throws in
            let checkpoint = ImportCheckpoint(source: "file:x", byteOffset: 5_000_000_000, recordNumber: 56)
            _ = try await catalog.apply([Records.paper("2501.00001")], checkpoint: checkpoint)
            try await openAnother { other in
                #expect(try await other.checkpoint(source: "file:x") == checkpoint)
                #expect(try await other.checkpoint(source: "file:y") == nil)
                // A later batch moves it on, even one that changes nothing.
                let later = ImportCheckpoint(source: "file:x", byteOffset: 5_000_001_000, recordNumber: 57)
                _ = try await other.apply([Records.paper("2501.00001")], checkpoint: later)
                #expect(try await catalog.checkpoint(source: "file:x") == later)
                try await other.clearCheckpoint(source: "file:x")
                #expect(try await catalog.checkpoint(source: "file:x") == nil)
                try await other.setState("k", to: "v")
                #expect(try await catalog.state("k") == "v")
                try await other.setState("k", to: "w'; DROP TABLE catalog_state; --")
                #expect(try await catalog.state("k") == "w'; DROP TABLE catalog_state; --")
                try await other.setState("k", to: nil)
                #expect(try await catalog.state("k") == nil)
            }
        }
    }

    /// The response cache trusts `contentVersion`: it must move whenever any instance changes
    /// papers, and only then.
    @Test(arguments: Backend.available)
    func contentVersionMovesOnWritesFromAnotherInstance(backend: Backend) async throws {
        try await backend.withCatalog { (catalog: any CatalogStore, openAnother: OpenAnother) async throws in
            let start = try await catalog.contentVersion()
            try await openAnother { other in
                _ = try await other.apply([Records.paper("2501.00001")], checkpoint: nil)
                let afterInsert = try await catalog.contentVersion()
                #expect(afterInsert != start)
                _ = try await other.apply([Records.paper("2501.00001")], checkpoint: nil)
                #expect(try await catalog.contentVersion() == afterInsert, "nothing changed")
                _ = try await other.apply([Records.paper("2501.00001", upvotes: 7)], checkpoint: nil)
                let afterVotes = try await catalog.contentVersion()
                #expect(afterVotes != afterInsert)
                _ = try await other.apply([.delete(ArxivID("2501.00001")!)], checkpoint: nil)
                #expect(try await catalog.contentVersion() != afterVotes)
                try await other.setState("unrelated", to: "x")
                try await other.storeEmbeddings([], model: "m")
            }
        }
    }

    @Test(arguments: Backend.available)
    func papersByIDKeepTheOrderGivenAndSkipUnknownOnes(backend: Backend) async throws {
        try await backend.withCatalog { (catalog: any CatalogStore) async throws in
            _ = try await catalog.apply([Records.paper("2501.00001", title: "One"), Records.paper("2501.00002", title: "Two")], checkpoint: nil)
            let found = try await catalog.papers(ids: ["2501.00002", "2501.09999", "2501.00001", "2501.00002"].map { ArxivID($0)! })
            #expect(found.map(\.title) == ["Two", "One", "Two"])
            #expect(try await catalog.papers(ids: []).isEmpty)
        }
    }

    /// A batch is one transaction: when it cannot be written, nothing of it is, checkpoint included.
    @Test(arguments: Backend.available)
    func aLargeBatchLandsWhole(backend: Backend) async throws {
        try await backend.withCatalog { (catalog: any CatalogStore) async throws in
            let batch = (0..<2_500).map { Records.paper(String(format: "2504.%05d", $0), title: "Paper \($0)", upvotes: $0 % 7) }
            let checkpoint = ImportCheckpoint(source: "big", byteOffset: 1, recordNumber: 2_500)
            #expect(try await catalog.apply(batch, checkpoint: checkpoint).inserted == 2_500)
            #expect(try await catalog.paperCount() == 2_500)
            let changed = (0..<2_500).map { Records.paper(String(format: "2504.%05d", $0), version: 2, title: "Paper \($0), revised") }
            #expect(try await catalog.apply(changed, checkpoint: nil).updated == 2_500)
            #expect(try await catalog.paper(ArxivID("2504.02499")!)?.title == "Paper 2499, revised")
            #expect(try await catalog.papers(PaperQuery(order: .upvotes, limit: 1)).first?.upvotes == 6)
        }
    }
}
