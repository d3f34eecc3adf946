import Catalog
import CatalogSQLite
import Digests
import Foundation
import Testing
import TestSupport

/// Which papers a digest holds: the period's trending order, the topic filter, and "for me".
@Suite struct DigestSelectionTests {
    static func paper(_ n: Int, _ title: String, abstract: String = "", categories: [String] = ["cs.LG"], upvotes: Int, day: String = "2026-11-24") -> Paper {
        Paper(
            id: ArxivID(String(format: "2611.%05d", n))!, version: 1, title: title, abstract: abstract, categories: categories,
            featuredDate: day, upvotes: upvotes)
    }

    let candidates = [
        paper(1, "Scaling video diffusion transformers", categories: ["cs.CV"], upvotes: 90),
        paper(2, "Agents that use tools reliably", categories: ["cs.AI"], upvotes: 70),
        paper(3, "Protein folding with language models", abstract: "We fold proteins.", categories: ["q-bio.BM"], upvotes: 50),
        paper(4, "Faster video generation by distillation", categories: ["cs.CV"], upvotes: 30),
        paper(5, "A benchmark for tool-using agents", categories: ["cs.CL"], upvotes: 10),
    ]

    func subscription(topics: String = "", forMe: Bool = false) throws -> Subscription {
        Subscription(
            id: 1, email: "r@example.org", frequency: .daily, topics: try DigestTopics(parsing: topics), userID: forMe ? 7 : nil,
            forMe: forMe, status: .active, createdAt: Date())
    }

    @Test func topicsFilterTheTrendingOrder() throws {
        let selection = DigestSelection(candidates: candidates, perDigest: 3)
        #expect(selection.papers(for: try subscription()).map(\.title.first) == ["S", "A", "P"])
        #expect(selection.papers(for: try subscription(topics: "cs.CV")).map { $0.id.description } == ["2611.00001", "2611.00004"])
        #expect(selection.papers(for: try subscription(topics: "agents, protein")).map { $0.id.description } == ["2611.00002", "2611.00003", "2611.00005"])
        #expect(selection.papers(for: try subscription(topics: "quantum")).isEmpty)
    }

    @Test func forMeRanksByWhatTheReaderLiked() throws {
        let liked = [
            Self.paper(90, "Video diffusion models for long clips", categories: ["cs.CV"], upvotes: 3, day: "2026-11-01"),
            Self.paper(91, "Distillation of video generators", categories: ["cs.CV"], upvotes: 3, day: "2026-11-02"),
        ]
        let taste = TasteProfile(liked: liked, candidates: candidates)
        let picked = DigestSelection(candidates: candidates, perDigest: 2).papers(for: try subscription(forMe: true), taste: taste)
        // The two video papers, though paper 2 has more upvotes than paper 4.
        #expect(picked.map { $0.id.description } == ["2611.00001", "2611.00004"])
        // Without a taste (nothing liked yet) it is the trending order.
        let plain = DigestSelection(candidates: candidates, perDigest: 2).papers(
            for: try subscription(forMe: true), taste: TasteProfile(liked: [], candidates: candidates))
        #expect(plain.map { $0.id.description } == ["2611.00001", "2611.00002"])
    }

    @Test func aWeekIsLoadedFromTheCatalogAndRankedByTrendingAtItsEnd() async throws {
        let catalog = try await TestSupport.freshCatalog()
        func record(_ id: String, _ day: String, _ upvotes: Int) -> CatalogChange {
            var record = PaperRecord(id: ArxivID(id)!)
            record.version = 1
            record.title = "Paper \(id)"
            record.abstract = "An abstract."
            record.featuredDate = day
            record.upvotes = upvotes
            return .upsert(record)
        }
        _ = try await catalog.apply(
            [record("2611.00010", "2026-11-23", 40), record("2611.00011", "2026-11-27", 40), record("2611.00012", "2026-11-24", 5),
             record("2611.00013", "2026-11-30", 500)],
            checkpoint: nil)
        let selection = try await DigestSelection.load(DigestPeriod("weekly:2026-W48")!, from: catalog, perDigest: 10)
        // Equal upvotes: Friday's paper trends above Monday's at the week's end; next week's is out.
        #expect(selection.candidates.map { $0.id.description } == ["2611.00011", "2611.00010", "2611.00012"])
    }
}
