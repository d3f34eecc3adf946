import Catalog
import Foundation
import CatalogSQLite
import Importers
import Testing

/// Whole imports into a real SQLite file: counts, idempotency, version order, resuming.
@Suite struct CatalogImportTests {
    func importFile(_ path: String, into catalog: SQLiteCatalog, checkpoint: String? = nil) async throws -> ImportSummary {
        let input = try ByteReader.open(path: path)
        let reader = try InputFormat.detect(start: input.peekStart(), name: path).makeReader(input)
        return try await ImportRunner(store: catalog).run(reader, input: path, checkpointKey: checkpoint)
    }

    @Test func fullSharedDataImportsWithExactCountsAndIsIdempotent() async throws {
        let catalog = try await freshCatalog()
        let hf = try await importFile(dataFile("hf_daily_papers.jsonl.gz"), into: catalog)
        #expect(hf.completed && hf.rejected == 0)
        #expect(hf.counts.inserted == 9_877)
        let listings = try await importFile(dataFile("arxiv_listings.jsonl.gz"), into: catalog)
        #expect(listings.completed && listings.rejected == 0)
        // 2,808 ids are in both files: those update the Daily Papers records instead.
        #expect(listings.counts.inserted == 46_670 - 2_808)
        #expect(listings.counts.inserted + listings.counts.updated + listings.counts.unchanged == 46_670)
        #expect(try await catalog.paperCount() == 9_877 + 46_670 - 2_808)

        let again = try await importFile(dataFile("hf_daily_papers.jsonl.gz"), into: catalog)
        #expect(again.counts.inserted == 0 && again.counts.updated == 0 && again.counts.unchanged == 9_877)
    }

    @Test func samplesImportTwiceWithoutChanges() async throws {
        let catalog = try await freshCatalog()
        for name in ["arxiv_api_atom_query_cat-cs.RO_2025-10-17.xml", "hf_api_daily_papers_date-2026-08-21.json",
                     "kaggle_arxiv-metadata-oai-snapshot_head.jsonl", "oai_pmh_arXivRaw_ListRecords_2016-10-21.xml"] {
            let first = try await importFile(sample(name), into: catalog)
            let second = try await importFile(sample(name), into: catalog)
            #expect(first.counts.inserted > 0, "\(name)")
            #expect(second.counts.inserted == 0 && second.counts.updated == 0, "\(name)")
            #expect(second.counts.unchanged == first.counts.inserted + first.counts.updated + first.counts.unchanged, "\(name)")
        }
    }

    @Test func newerVersionReplacesOlderAndNotTheReverse() async throws {
        let catalog = try await freshCatalog()
        let v1 = #"{"id":"2501.00001","title":"First version","abstract":"a","versions":[{"version":"v1","created":"Mon, 6 Jan 2025 10:00:00 GMT"}]}"#
        let v2 = #"{"id":"2501.00001","title":"Second version","abstract":"b","versions":[{"version":"v1","created":"Mon, 6 Jan 2025 10:00:00 GMT"},{"version":"v2","created":"Tue, 7 Jan 2025 10:00:00 GMT"}]}"#
        let newer = try await importFile(try writeTemporaryFile(Array(v2.utf8)), into: catalog)
        #expect(newer.counts.inserted == 1)
        let older = try await importFile(try writeTemporaryFile(Array(v1.utf8)), into: catalog)
        #expect(older.counts.unchanged == 1)
        #expect(try await catalog.paper(ArxivID("2501.00001")!)?.title == "Second version")
        let catalog2 = try await freshCatalog()
        _ = try await importFile(try writeTemporaryFile(Array(v1.utf8)), into: catalog2)
        let upgrade = try await importFile(try writeTemporaryFile(Array(v2.utf8)), into: catalog2)
        #expect(upgrade.counts.updated == 1)
        let paper = try await catalog2.paper(ArxivID("2501.00001")!)
        #expect(paper?.title == "Second version" && paper?.version == 2 && paper?.published == "2025-01-06T10:00:00Z")
    }

    @Test func goodRecordsOfAPartlyBadFileAreKept() async throws {
        let text = """
            {"arxiv_id": "2501.00001", "title": "One"}
            {"arxiv_id": "nope", "title": "Bad id"}
            {"arxiv_id": "2501.00002"}
            not json at all
            {"arxiv_id": "2501.00003", "title": "Three"}
            """
        let catalog = try await freshCatalog()
        let summary = try await importFile(try writeTemporaryFile(Array(text.utf8)), into: catalog)
        #expect(summary.counts.inserted == 2)
        #expect(summary.rejected == 3)
        #expect(summary.firstRejections.map(\.position) == ["line 2", "line 4", "line 3"])
        #expect(summary.firstRejections.last?.reason.contains("no title") == true)
        #expect(summary.report.contains("rejected line 2: 'nope' in 'arxiv_id' is not an arXiv id"))
    }

    /// A run that dies after some batches leaves a checkpoint; the next run resumes after it
    /// and the catalog ends complete.
    @Test func interruptedImportResumesFromItsCheckpoint() async throws {
        let lines = (1...50).map { #"{"arxiv_id": "2501.\#(String(format: "%05d", $0))", "title": "Paper \#($0)"}"# }
        let path = try writeTemporaryFile(Array(lines.joined(separator: "\n").utf8))
        let catalog = try await freshCatalog()

        /// Reads the first `limit` records, then fails as a crash would.
        final class CrashingReader: RecordReader {
            let inner: any RecordReader
            var left: Int
            init(_ inner: any RecordReader, limit: Int) { self.inner = inner; left = limit }
            func next() throws -> RecordItem? {
                guard left > 0 else { throw CancellationError() }
                left -= 1
                return try inner.next()
            }
        }
        let input = try ByteReader.open(path: path)
        let crashing = CrashingReader(InputFormat.jsonl.makeReader(input), limit: 25)
        await #expect(throws: CancellationError.self) {
            _ = try await ImportRunner(store: catalog, batchSize: 10).run(crashing, input: path, checkpointKey: "k")
        }
        #expect(try await catalog.paperCount() == 20, "two batches of ten committed, the third lost")
        #expect(try await catalog.checkpoint(source: "k")?.recordNumber == 20)

        let resumed = try await importFile(path, into: catalog, checkpoint: "k")
        #expect(resumed.resumedAfter == 20)
        #expect(resumed.counts.inserted == 30)
        #expect(try await catalog.paperCount() == 50)
        #expect(try await catalog.checkpoint(source: "k") == nil, "a finished import clears its checkpoint")
    }
}
