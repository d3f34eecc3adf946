import Catalog
import Testing

@Suite struct PaperMergeTests {
    let id = ArxivID("2501.01234")!

    func record(version: Int?, title: String = "Title", _ configure: (inout PaperRecord) -> Void = { _ in }) -> PaperRecord {
        var r = PaperRecord(id: id)
        r.version = version
        r.title = title
        r.abstract = "Abstract"
        configure(&r)
        return r
    }

    func inserted(_ r: PaperRecord) throws -> Paper {
        guard case .insert(let p) = merge(stored: nil, with: r) else { Issue.record("expected an insert"); throw CancellationError() }
        return p
    }

    @Test func newPaperWithoutTitleIsRejected() {
        var r = PaperRecord(id: id)
        r.abstract = "x"
        guard case .rejected(let reason) = merge(stored: nil, with: r) else { Issue.record("expected rejection"); return }
        #expect(reason.contains("no title"))
    }

    @Test func sameRecordTwiceChangesNothing() throws {
        let r = record(version: 2) { $0.upvotes = 5; $0.featuredDate = "2026-01-02"; $0.categories = ["cs.CL"] }
        let p = try inserted(r)
        #expect(merge(stored: p, with: r) == .unchanged)
    }

    @Test func newerVersionReplacesAndOlderNeverOverwrites() throws {
        let v1 = try inserted(record(version: 1, title: "Old title") { $0.comment = "v1 comment"; $0.updated = "2025-01-01T00:00:00Z" })
        guard case .update(let v3) = merge(stored: v1, with: record(version: 3, title: "New title") { $0.updated = "2025-03-01T00:00:00Z" })
        else { Issue.record("expected update"); return }
        #expect(v3.title == "New title")
        #expect(v3.version == 3)
        #expect(v3.comment == "v1 comment", "fields the newer record lacks are kept")
        #expect(merge(stored: v3, with: record(version: 2, title: "Middle title")) == .unchanged)
    }

    @Test func versionlessRecordsOnlyFillGaps() throws {
        let p = try inserted(record(version: 2, title: "arXiv title"))
        guard case .update(let filled) = merge(stored: p, with: record(version: nil, title: "Feed title") { $0.categories = ["cs.LG"]; $0.upvotes = 4 })
        else { Issue.record("expected update"); return }
        #expect(filled.title == "arXiv title")
        #expect(filled.categories == ["cs.LG"])
        #expect(filled.upvotes == 4)
    }

    @Test func datesDecideWhenVersionsAreUnknown() throws {
        let p = try inserted(record(version: nil, title: "First") { $0.updated = "2025-01-01T00:00:00Z" })
        guard case .update(let newer) = merge(stored: p, with: record(version: nil, title: "Second") { $0.updated = "2025-02-01T00:00:00Z" })
        else { Issue.record("expected update"); return }
        #expect(newer.title == "Second")
        #expect(merge(stored: newer, with: record(version: nil, title: "Zeroth") { $0.updated = "2024-12-01T00:00:00Z" }) == .unchanged)
    }

    @Test func dailyPapersFieldsMergeInAnyOrder() throws {
        let a = record(version: nil) { $0.featuredDate = "2026-02-03"; $0.upvotes = 10; $0.submittedBy = "alice" }
        let b = record(version: nil) { $0.featuredDate = "2026-02-01"; $0.upvotes = 7; $0.numComments = 2 }
        func apply(_ first: PaperRecord, _ second: PaperRecord) throws -> Paper {
            let p = try inserted(first)
            if case .update(let q) = merge(stored: p, with: second) { return q }
            return p
        }
        let ab = try apply(a, b)
        let ba = try apply(b, a)
        #expect(ab.featuredDate == "2026-02-01")
        #expect(ab.upvotes == 10)
        #expect(ab.featuredDate == ba.featuredDate && ab.upvotes == ba.upvotes && ab.numComments == ba.numComments)
    }

    @Test func hubCountsAreComparedWithTheHubsPartAndLocalCountsAreKept() throws {
        // Shown: 13 upvotes (10 from the Hub, 3 cast here) and 6 comments (4 from the Hub, 2 here).
        let stored = try inserted(record(version: 1) { $0.upvotes = 13; $0.numComments = 6 })
        let local = LocalCounts(upvotes: 3, comments: 2)

        // The Hub grew to 12 upvotes and 5 comments: below the totals shown, yet news.
        guard case .update(let grown) = merge(stored: stored, with: record(version: 1) { $0.upvotes = 12; $0.numComments = 5 }, local: local)
        else { Issue.record("expected update"); return }
        #expect(grown.upvotes == 15 && grown.numComments == 7, "the Hub's new counts plus the local ones")
        // Exactly the total's old value is news too: the Hub's part was 10, not 13.
        guard case .update(let equal) = merge(stored: stored, with: record(version: 1) { $0.upvotes = 13 }, local: local)
        else { Issue.record("expected update"); return }
        #expect(equal.upvotes == 16 && equal.numComments == 6)

        // The same Hub data again, a lower count, or no count: nothing changes, nothing local is lost.
        #expect(merge(stored: stored, with: record(version: 1) { $0.upvotes = 10; $0.numComments = 4 }, local: local) == .unchanged)
        #expect(merge(stored: grown, with: record(version: 1) { $0.upvotes = 12; $0.numComments = 5 }, local: local) == .unchanged)
        #expect(merge(stored: stored, with: record(version: 1) { $0.upvotes = 2; $0.numComments = 0 }, local: local) == .unchanged)
        #expect(merge(stored: stored, with: record(version: 1), local: local) == .unchanged)

        // Without local counts the stored ones are the Hub's.
        #expect(merge(stored: stored, with: record(version: 1) { $0.upvotes = 12 }) == .unchanged)
    }

    @Test func linksComeFromTheRecordOrTheText() throws {
        let guessed = try inserted(record(version: 1) { $0.abstract = "Code at https://github.com/a/guess." })
        #expect(guessed.githubRepo == "https://github.com/a/guess")
        guard case .update(let explicit) = merge(stored: guessed, with: record(version: 1) { $0.githubRepo = "https://github.com/a/real" })
        else { Issue.record("expected update"); return }
        #expect(explicit.githubRepo == "https://github.com/a/real")
        #expect(merge(stored: explicit, with: record(version: 1) { $0.githubRepo = "https://github.com/a/real" }) == .unchanged)
    }

    @Test func deletionMarksOnceAndNewerVersionRestores() throws {
        let p = try inserted(record(version: 1))
        guard case .update(let deleted) = mergeDeletion(stored: p) else { Issue.record("expected update"); return }
        #expect(deleted.deleted)
        #expect(mergeDeletion(stored: deleted) == .unchanged)
        #expect(mergeDeletion(stored: nil) == .unchanged)
        guard case .update(let back) = merge(stored: deleted, with: record(version: 2)) else { Issue.record("expected update"); return }
        #expect(!back.deleted)
    }
}
