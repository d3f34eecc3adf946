import Catalog
import Foundation
import TestSupport
import Testing

/// Records from the real samples in ../shared/formats and the demo set, for comparing backends
/// on real text (long abstracts, TeX, accents, every field the sources fill).
///
/// The importers' readers are not among this target's dependencies, so these records are read
/// here with Foundation's JSON parser, field by field. They need not match what `paperboy
/// import` makes of the files: both backends get the very same records, and must then agree.
enum SampleRecords {
    static func kaggleSnapshot() throws -> [CatalogChange] {
        let text = try String(contentsOfFile: TestSupport.sample("kaggle_arxiv-metadata-oai-snapshot_head.jsonl"), encoding: .utf8)
        return try text.split(separator: "\n").compactMap { line in
            guard let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let id = (o["id"] as? String).flatMap({ ArxivID($0) }) else { return nil }
            var r = PaperRecord(id: id)
            let versions = o["versions"] as? [[String: Any]] ?? []
            r.version = versions.count
            r.title = o["title"] as? String
            r.abstract = o["abstract"] as? String
            r.authors = (o["authors"] as? String ?? "").components(separatedBy: ", ").flatMap { $0.components(separatedBy: " and ") }
                .filter { !$0.isEmpty }
            r.categories = (o["categories"] as? String ?? "").split(separator: " ").map(String.init)
            r.published = (versions.first?["created"] as? String).flatMap { DateText.timestamp($0) }
            r.updated = (o["update_date"] as? String).flatMap { DateText.timestamp($0) }
            r.comment = o["comments"] as? String
            r.journalRef = o["journal-ref"] as? String
            r.doi = o["doi"] as? String
            r.license = o["license"] as? String
            return .upsert(r)
        }
    }

    static func hubDailyPapers() throws -> [CatalogChange] {
        let data = try Data(contentsOf: URL(fileURLWithPath: TestSupport.sample("hf_api_daily_papers_date-2026-08-21.json")))
        let entries = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] ?? []
        return entries.compactMap { entry in
            guard let p = entry["paper"] as? [String: Any], let id = (p["id"] as? String).flatMap({ ArxivID($0) }) else { return nil }
            var r = PaperRecord(id: id)
            r.title = p["title"] as? String
            r.abstract = p["summary"] as? String
            r.authors = (p["authors"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            r.published = (p["publishedAt"] as? String).flatMap { DateText.timestamp($0) }
            r.featuredDate = (p["submittedOnDailyAt"] as? String).flatMap { DateText.day($0) }
            r.submittedBy = (p["submittedOnDailyBy"] as? [String: Any])?["user"] as? String
            r.upvotes = p["upvotes"] as? Int
            r.numComments = entry["numComments"] as? Int
            r.githubRepo = p["githubRepo"] as? String
            r.projectPage = p["projectPage"] as? String
            r.githubStars = p["githubStars"] as? Int
            r.organization = (p["organization"] as? [String: Any])?["fullname"] as? String
            return .upsert(r)
        }
    }

    static func demoSet() throws -> [CatalogChange] {
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        gzip.arguments = ["gzip", "-dc", TestSupport.projectRoot.appendingPathComponent("demo/daily_papers_demo.jsonl.gz").path]
        let pipe = Pipe()
        gzip.standardOutput = pipe
        try gzip.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        gzip.waitUntilExit()
        return try data.split(separator: UInt8(ascii: "\n")).compactMap { line in
            guard let o = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                  let id = (o["arxiv_id"] as? String).flatMap({ ArxivID($0) }) else { return nil }
            var r = PaperRecord(id: id)
            r.title = o["title"] as? String
            r.abstract = o["abstract"] as? String
            r.authors = o["authors"] as? [String] ?? []
            r.published = (o["published"] as? String).flatMap { DateText.timestamp($0) }
            r.featuredDate = o["featured_date"] as? String
            r.upvotes = o["upvotes"] as? Int
            r.githubRepo = o["github"] as? String
            r.projectPage = o["project_page"] as? String
            r.submittedBy = o["submitted_by"] as? String
            r.numComments = o["num_comments"] as? Int
            r.githubStars = o["github_stars"] as? Int
            r.organization = o["organization"] as? String
            return .upsert(r)
        }
    }

    static func all() throws -> [CatalogChange] { try kaggleSnapshot() + hubDailyPapers() + demoSet() }
}

@Suite struct SampleImportTests {
    /// Applies the samples in batches, as the import runner does.
    func load(_ changes: [CatalogChange], into catalog: any CatalogStore, batch: Int = 150) async throws -> ImportCounts {
        var counts = ImportCounts()
        for start in stride(from: 0, to: changes.count, by: batch) {
            counts += try await catalog.apply(Array(changes[start..<min(start + batch, changes.count)]), checkpoint: nil)
        }
        while try await catalog.updateSearchIndex(limit: 1_000) > 0 {}
        return counts
    }

    @Test func theSamplesAreRead() throws {
        #expect(try SampleRecords.kaggleSnapshot().count == 200)
        #expect(try SampleRecords.hubDailyPapers().count == 17)
        #expect(try SampleRecords.demoSet().count == 440)
    }

    /// The same data twice changes nothing the second time, on each backend.
    @Test(arguments: Backend.available)
    func reimportingTheSamplesChangesNothing(backend: Backend) async throws {
        let changes = try SampleRecords.all()
        try await backend.withCatalog { (catalog: any CatalogStore) async throws in
            let first = try await load(changes, into: catalog)
            #expect(first.inserted + first.updated + first.unchanged + first.refused.count == changes.count)
            let papers = try await catalog.paperCount()
            let version = try await catalog.contentVersion()
            let again = try await load(changes, into: catalog, batch: 500)
            #expect(again == ImportCounts(unchanged: changes.count - first.refused.count).withRefused(first.refused))
            #expect(try await catalog.paperCount() == papers)
            #expect(try await catalog.contentVersion() == version)
        }
    }

    /// SQLite and PostgreSQL given the same real records hold the same papers, list them in the
    /// same orders and find the same ones.
    @Test(.enabled(if: PostgresTestServer.runs, "needs PostgreSQL: set PAPERBOY_TEST_POSTGRES_URL"))
    func bothBackendsAgreeOnTheSamples() async throws {
        // The demo set first, then the Hub's day and the arXiv metadata: later records merge
        // into papers the earlier ones made.
        let changes = try SampleRecords.demoSet() + SampleRecords.hubDailyPapers() + SampleRecords.kaggleSnapshot()
        try await Backend.sqlite.withCatalog { (sqlite: any CatalogStore) async throws in
            try await Backend.postgres.withCatalog { (postgres: any CatalogStore) async throws in
                let sqliteCounts = try await load(changes, into: sqlite)
                let postgresCounts = try await load(changes, into: postgres)
                #expect(sqliteCounts == postgresCounts)
                #expect(try await sqlite.paperCount() == postgres.paperCount())

                let ids = changes.map(\.id)
                let fromSQLite = try await sqlite.papers(ids: ids)
                let fromPostgres = try await postgres.papers(ids: ids)
                #expect(fromSQLite.count == fromPostgres.count)
                for (a, b) in zip(fromSQLite, fromPostgres) where a != b {
                    Issue.record("\(a.id.value) differs:\nSQLite:     \(a)\nPostgreSQL: \(b)")
                }

                for order in PaperQuery.Order.allCases {
                    for (limit, offset) in [(1_000, 0), (30, 0), (30, 25), (10, 431)] {
                        let query = PaperQuery(order: order, limit: limit, offset: offset)
                        #expect(try await sqlite.papers(query).map(\.id) == postgres.papers(query).map(\.id), "\(order) \(limit) \(offset)")
                    }
                }
                let week = PaperQuery(featuredFrom: "2026-08-10", featuredThrough: "2026-08-16", order: .featured, limit: 500)
                #expect(try await sqlite.papers(week).map(\.id) == postgres.papers(week).map(\.id))
                let day = PaperQuery(featuredOn: "2026-08-21", order: .upvotes)
                #expect(try await sqlite.papers(day).map(\.id) == postgres.papers(day).map(\.id))
                let category = PaperQuery(category: "hep-ph", order: .published, limit: 500)
                #expect(try await sqlite.papers(category).map(\.id) == postgres.papers(category).map(\.id))
                let sqliteDays = try await sqlite.featuredDays(around: "2026-08-12", through: "2026-08-12")
                let postgresDays = try await postgres.featuredDays(around: "2026-08-12", through: "2026-08-12")
                #expect(sqliteDays.before == postgresDays.before && sqliteDays.after == postgresDays.after)

                // Rankings are computed differently (BM25, ts_rank); which papers match is not.
                for text in ["agents", "diffusion", "\"language models\"", "quark -gluon", "reinforcement learning", "author:wang",
                             "category:hep-th", "vision from:2026-08-01", "field category:hep-ph"] {
                    let query = SearchQuery(parsing: text)
                    let a = Set(try await sqlite.searchRanking(query, limit: 1_000, offset: 0).map(\.id))
                    let b = Set(try await postgres.searchRanking(query, limit: 1_000, offset: 0).map(\.id))
                    #expect(a == b, "\(text): only SQLite \(a.subtracting(b).map(\.value).sorted()), only PostgreSQL \(b.subtracting(a).map(\.value).sorted())")
                    #expect(!a.isEmpty, "\(text) finds something")
                }
            }
        }
    }
}

extension ImportCounts {
    func withRefused(_ refused: [RefusedRecord]) -> ImportCounts {
        var counts = self
        counts.refused = refused
        return counts
    }
}
