import Catalog
import Foundation
import Testing

/// Keyword search as every backend must answer it: ranking, stemming, phrases, filters, the
/// match-any-word fallback, and no error whatever is typed.
@Suite struct SearchBehaviourTests {
    func paper(_ id: String, _ title: String, abstract: String, authors: [String] = ["Ada Lovelace"], categories: [String] = ["cs.CL"],
               published: String = "2025-03-01T00:00:00Z") -> CatalogChange {
        Records.paper(id, title: title, abstract: abstract, authors: authors, categories: categories, published: published)
    }

    /// The SQLite search tests' four papers, indexed.
    func withSearchCatalog(_ backend: Backend, _ body: (any CatalogStore) async throws -> Void) async throws {
        try await backend.withCatalog { (catalog: any CatalogStore) async throws in
            _ = try await catalog.apply([
                paper("2501.00001", "Training Language Models to Reason", abstract: "We train models with reinforcement learning.",
                      authors: ["Kaiming He", "Jane Doe"], categories: ["cs.CL", "cs.LG"]),
                paper("2501.00002", "A Survey of Video Generation", abstract: "Diffusion models for video generation are surveyed.",
                      categories: ["cs.CV"], published: "2024-06-01T00:00:00Z"),
                paper("2501.00003", "Generation of Video Game Levels", abstract: "Procedural video and level generation with diffusion.",
                      categories: ["cs.AI"]),
                paper("2501.00004", "Efficient Attention", abstract: "Models that reason about language with less memory. <script>alert(1)</script>"),
            ], checkpoint: nil)
            while try await catalog.updateSearchIndex(limit: 2) > 0 {}
            try await body(catalog)
        }
    }

    func ids(_ catalog: any CatalogStore, _ text: String, anyWord: Bool = false) async throws -> [String] {
        var query = SearchQuery(parsing: text)
        query.matchAnyWord = anyWord
        return try await catalog.search(query, limit: 10, offset: 0).map(\.paper.id.value)
    }

    @Test(arguments: Backend.available)
    func titleMatchesRankFirstAndStemmingFindsOtherForms(backend: Backend) async throws {
        try await withSearchCatalog(backend) { (c: any CatalogStore) async throws in
            #expect(try await ids(c, "reasoning") == ["2501.00001", "2501.00004"], "title above abstract")
            #expect(try await ids(c, "trained") == ["2501.00001"])
            #expect(try await ids(c, "Jane") == ["2501.00001"], "authors are searched")
            let ranked = try await c.searchRanking(SearchQuery(parsing: "reasoning"), limit: 10, offset: 0)
            #expect(ranked.count == 2 && ranked[0].score > ranked[1].score)
            #expect(try await c.searchRanking(SearchQuery(parsing: "reasoning"), limit: 1, offset: 1).map(\.id.value) == ["2501.00004"])
        }
    }

    @Test(arguments: Backend.available)
    func phrasesExclusionsAuthorsCategoriesAndDates(backend: Backend) async throws {
        try await withSearchCatalog(backend) { (c: any CatalogStore) async throws in
            #expect(try await ids(c, "\"video generation\"") == ["2501.00002"], "00003 has both words, never side by side")
            #expect(try await ids(c, "video generation").sorted() == ["2501.00002", "2501.00003"])
            #expect(try await ids(c, "\"generation video\"") == [], "a phrase keeps its order")
            #expect(try await ids(c, "video -survey") == ["2501.00003"])
            #expect(try await ids(c, "video -\"level generation\"") == ["2501.00002"])
            #expect(try await ids(c, "author:\"kaiming he\"") == ["2501.00001"])
            #expect(try await ids(c, "memory author:lovelace") == ["2501.00004"])
            #expect(try await ids(c, "memory author:\"kaiming he\"") == [])
            #expect(try await ids(c, "reinforcement author:jane") == ["2501.00001"])
            #expect(try await ids(c, "diffusion category:cs.CV") == ["2501.00002"])
            #expect(try await ids(c, "diffusion category:cs.cv") == ["2501.00002"])
            #expect(try await ids(c, "diffusion category:cs.AI category:cs.CV").sorted() == ["2501.00002", "2501.00003"])
            #expect(try await ids(c, "diffusion to:2024") == ["2501.00002"])
            #expect(try await ids(c, "diffusion from:2025-01") == ["2501.00003"])
            #expect(try await ids(c, "category:cs.LG") == ["2501.00001"], "filters alone list papers")
            #expect(try await ids(c, "from:2025") == ["2501.00004", "2501.00003", "2501.00001"], "newest first, then by id")
            #expect(try await ids(c, "-video from:2025") == ["2501.00004", "2501.00001"])
        }
    }

    /// All words first (the default), then, as `PaperSearch` asks when those run short, any word,
    /// papers with more of the words ranked higher.
    @Test(arguments: Backend.available)
    func allWordsUnlessAnyWordIsAsked(backend: Backend) async throws {
        try await withSearchCatalog(backend) { (c: any CatalogStore) async throws in
            #expect(try await ids(c, "video memory") == [])
            let any = try await ids(c, "video memory", anyWord: true)
            #expect(Set(any) == ["2501.00002", "2501.00003", "2501.00004"])
            let ranked = try await ids(c, "video diffusion survey", anyWord: true)
            #expect(ranked.first == "2501.00002", "the paper with all three words ranks first")
            #expect(try await ids(c, "memory -efficient", anyWord: true) == [], "exclusions still apply")
            #expect(try await ids(c, "video memory author:lovelace", anyWord: true).count == 3)
        }
    }

    /// A match-any-word search leaves out words found in `commonWordPapers` papers or more.
    @Test(arguments: Backend.available)
    func matchAnyWordSkipsWordsInTooManyPapers(backend: Backend) async throws {
        try await withSearchCatalog(backend) { (c: any CatalogStore) async throws in
            let common = backend.commonWordPapers
            _ = try await c.apply((0..<common).map { paper(String(format: "2502.%05d", $0), "Ubiquitous note \($0)", abstract: "Filler.") },
                                  checkpoint: nil)
            while try await c.updateSearchIndex(limit: 2_000) > 0 {}
            var query = SearchQuery(parsing: "ubiquitous attention")
            query.matchAnyWord = true
            #expect(try await c.searchRanking(query, limit: 10, offset: 0).map(\.id.value) == ["2501.00004"], "only the uncommon word is searched")
            query = SearchQuery(parsing: "ubiquitous")
            query.matchAnyWord = true
            #expect(try await c.searchRanking(query, limit: 10, offset: 0).isEmpty, "nothing uncommon is left to search")
            #expect(try await c.searchRanking(SearchQuery(parsing: "ubiquitous attention"), limit: 10, offset: 0).isEmpty)
            #expect(try await c.searchRanking(SearchQuery(parsing: "ubiquitous"), limit: 10, offset: 0).count == 10)
        }
    }

    /// With `keepRarestWords`, a match-any-word search counts only the words found in the
    /// fewest papers: similar papers without a model come from a title's telling words.
    @Test(arguments: Backend.available)
    func keepRarestWordsSearchesTheTellingOnes(backend: Backend) async throws {
        try await withSearchCatalog(backend) { (c: any CatalogStore) async throws in
            _ = try await c.apply(
                (0..<12).map { paper(String(format: "2504.%05d", $0), "Sparse gating \($0)", abstract: "Routing.") }
                    + (0..<3).map { paper(String(format: "2504.%05d", 100 + $0), "Gating of axolotl limbs \($0)", abstract: "Limbs.") }
                    + [paper("2504.00200", "Axolotl regeneration", abstract: "Regrowth.")]
                    + (0..<2).map { paper(String(format: "2504.%05d", 300 + $0), "Gating alone \($0)", abstract: "Gates.") },
                checkpoint: nil)
            while try await c.updateSearchIndex(limit: 2_000) > 0 {}
            var query = SearchQuery(parsing: "sparse gating axolotl")
            query.matchAnyWord = true
            #expect(try await c.searchRanking(query, limit: 50, offset: 0).count == 18, "every word counts")
            query.keepRarestWords = 1
            let rarest = try await c.searchRanking(query, limit: 50, offset: 0).map(\.id.value)
            #expect(Set(rarest) == ["2504.00100", "2504.00101", "2504.00102", "2504.00200"], "axolotl: 4 papers, the rarest word")
            query.keepRarestWords = 2
            let two = try await c.searchRanking(query, limit: 50, offset: 0).map(\.id.value)
            #expect(two.count == 16 && !two.contains("2504.00300"), "axolotl (4) and sparse (12): gating (17) is left out")
            // "regeneration" is in one paper only: left out when words must be in two.
            query = SearchQuery(parsing: "axolotl regeneration")
            query.matchAnyWord = true
            query.keepRarestWords = 1
            #expect(try await c.searchRanking(query, limit: 50, offset: 0).map(\.id.value) == ["2504.00200"])
            query.rareWordsFoundInAtLeast = 2
            #expect(try await c.searchRanking(query, limit: 50, offset: 0).count == 4)
        }
    }

    @Test(arguments: Backend.available)
    func deletedPapersNeverRank(backend: Backend) async throws {
        try await withSearchCatalog(backend) { (c: any CatalogStore) async throws in
            _ = try await c.apply((0..<30).map { paper(String(format: "2503.%05d", $0), "Lattice study \($0)", abstract: "Lattice.") },
                                  checkpoint: nil)
            while try await c.updateSearchIndex(limit: 100) > 0 {}
            let all = try await c.searchRanking(SearchQuery(parsing: "lattice"), limit: 30, offset: 0).map(\.id)
            #expect(all.count == 30)
            _ = try await c.apply(all.prefix(20).map { .delete($0) }, checkpoint: nil)
            #expect(try await c.searchRanking(SearchQuery(parsing: "lattice"), limit: 5, offset: 0).map(\.id) == Array(all[20..<25]))
            #expect(try await c.searchRanking(SearchQuery(parsing: "lattice"), limit: 5, offset: 8).map(\.id) == Array(all[28..<30]))
        }
    }

    @Test(arguments: Backend.available)
    func matchesAreMarked(backend: Backend) async throws {
        try await withSearchCatalog(backend) { (c: any CatalogStore) async throws in
            let hit = try #require(try await c.search(SearchQuery(parsing: "attention"), limit: 1, offset: 0).first)
            #expect(hit.markedTitle == "Efficient \u{E000}Attention\u{E001}")
        }
    }

    /// Words are split at punctuation and accents are folded, in the text as in the query.
    @Test(arguments: Backend.available)
    func punctuationAndAccents(backend: Backend) async throws {
        try await backend.withCatalog { (c: any CatalogStore) async throws in
            _ = try await c.apply([
                paper("2505.00001", "Beyond GPT-4: Qwen2.5 on cs.CL tasks", abstract: "See https://github.com/example/repo for code."),
                paper("2505.00002", "Zero-shot Désambiguïsation", abstract: "By Balázs and Müller.", authors: ["Zoë Ødegård"]),
            ], checkpoint: nil)
            while try await c.updateSearchIndex(limit: 100) > 0 {}
            #expect(try await ids(c, "gpt-4") == ["2505.00001"])
            #expect(try await ids(c, "GPT 4") == ["2505.00001"])
            #expect(try await ids(c, "qwen2.5") == ["2505.00001"])
            #expect(try await ids(c, "github example") == ["2505.00001"])
            #expect(try await ids(c, "balazs") == ["2505.00002"])
            #expect(try await ids(c, "Müller") == ["2505.00002"])
            #expect(try await ids(c, "zero shot") == ["2505.00002"])
            #expect(try await ids(c, "author:zoe") == ["2505.00002"])
        }
    }

    static let hostileInputs: [String] = [
        "", "\"", "'", "((", "AND", "NOT", "OR", "*", "title:", "'; DROP TABLE papers; --", "&|!():*", "a & b | !c <-> d",
        "'foo':* & !bar", "\\", "$1", "$$", "日本語", "🚀", "🚀 reason 🔥", "-reason", "-", "\"unbalanced reason", "NEAR(a b)",
        "author:\"", "category:%", "category:'", "from:9999-99-99", "to:0000", "\u{0}", "e\u{301}", "reason:*",
        String(repeating: "reason ", count: 1_500), String(repeating: "a", count: 10_240), String(repeating: "'\"&|!", count: 2_048),
    ]

    @Test(arguments: Backend.available)
    func hostileInputGivesResultsOrNothing(backend: Backend) async throws {
        try await withSearchCatalog(backend) { (c: any CatalogStore) async throws in
            for text in Self.hostileInputs {
                for anyWord in [false, true] {
                    var query = SearchQuery(parsing: text)
                    query.matchAnyWord = anyWord
                    _ = try await c.search(query, limit: 10, offset: 0)
                    _ = try await c.search(query, limit: 10, offset: 5)
                }
            }
            #expect(try await c.paperCount() == 4)
            #expect(try await ids(c, "'; DROP TABLE papers; --") == [])
        }
    }

    @Test(arguments: Backend.available)
    func changedPapersAreReindexedAndOldWordsLeave(backend: Backend) async throws {
        try await withSearchCatalog(backend) { (c: any CatalogStore) async throws in
            var changed = PaperRecord(id: ArxivID("2501.00004")!)
            changed.version = 2
            changed.title = "Sparse Transformers"
            changed.abstract = "Nothing in common with before."
            changed.authors = ["Ada Lovelace"]
            changed.categories = ["cs.CL"]
            _ = try await c.apply([.upsert(changed)], checkpoint: nil)
            #expect(try await ids(c, "attention") == [], "the old title is gone at once")
            while try await c.updateSearchIndex(limit: 10) > 0 {}
            #expect(try await c.searchIndexBacklog() == 0)
            #expect(try await ids(c, "sparse") == ["2501.00004"])
        }
    }
}
