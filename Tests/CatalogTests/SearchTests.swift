import Catalog
import Foundation
import CatalogSQLite
import TestSupport
import Testing

/// How the search box reads what people type.
@Suite struct SearchQueryParsingTests {
    @Test func wordsPhrasesExclusionsAndFilters() {
        let q = SearchQuery(parsing: #"Diffusion "video generation" -survey author:"Kaiming He" category:cs.CV from:2025-01 to:2025"#)
        #expect(q.words == ["diffusion"])
        #expect(q.phrases == [["video", "generation"]])
        #expect(q.excluded == [["survey"]])
        #expect(q.authors == [["kaiming", "he"]])
        #expect(q.categories == ["cs.CV"])
        #expect(q.publishedFrom == "2025-01-01")
        #expect(q.publishedThrough == "2025-12-31")
    }

    @Test(arguments: [
        "", "   ", "!!!", "\"", "\"unbalanced quote", "(((", "AND OR NOT", "title:* OR 1=1; DROP TABLE papers; --",
        "NEAR(a b)", "-", "--", "author:", "category:", "from:garbage", "日本語の論文", "🚀🔥", String(repeating: "word ", count: 2_000),
    ])
    func anythingParses(text: String) {
        let q = SearchQuery(parsing: text)
        #expect(q.words.count <= SearchQuery.maxTerms)
        for word in q.words + q.phrases.flatMap { $0 } { #expect(word.allSatisfy { $0.isLetter || $0.isNumber }, "\(word)") }
    }

    @Test func operatorsArePlainWords() {
        #expect(SearchQuery(parsing: "cats AND dogs").words == ["cats", "and", "dogs"])
        #expect(SearchQuery(parsing: "x:y").phrases == [["x", "y"]], "unknown fields are text")
        #expect(SearchQuery(parsing: "\"\"").isEmpty)
        #expect(SearchQuery(parsing: "from:2025-02-30").publishedFrom == nil, "not a day")
    }
}

/// Keyword search on a real SQLite file: ranking, stemming, phrases, filters, the deferred index.
@Suite struct SQLiteSearchTests {
    func paper(_ id: String, _ title: String, abstract: String, authors: [String] = ["Ada Lovelace"], categories: [String] = ["cs.CL"],
               published: String = "2025-03-01T00:00:00Z") -> CatalogChange {
        var r = PaperRecord(id: ArxivID(id)!)
        r.version = 1
        r.title = title
        r.abstract = abstract
        r.authors = authors
        r.categories = categories
        r.published = published
        return .upsert(r)
    }

    func catalog() async throws -> SQLiteCatalog {
        let catalog = try await TestSupport.freshCatalog()
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
        return catalog
    }

    func ids(_ catalog: SQLiteCatalog, _ text: String) async throws -> [String] {
        try await catalog.search(SearchQuery(parsing: text), limit: 10, offset: 0).map(\.paper.id.value)
    }

    @Test func titleMatchesRankFirstAndStemmingFindsOtherForms() async throws {
        let c = try await catalog()
        // "reasoning" stems like "reason"; the title match outranks the abstract-only match.
        #expect(try await ids(c, "reasoning") == ["2501.00001", "2501.00004"])
        #expect(try await ids(c, "trained") == ["2501.00001"])
    }

    @Test func phrasesExclusionsAuthorsCategoriesAndDates() async throws {
        let c = try await catalog()
        #expect(try await ids(c, "\"video generation\"") == ["2501.00002"], "00003 has both words, never side by side")
        #expect(try await ids(c, "video generation").sorted() == ["2501.00002", "2501.00003"])
        #expect(try await ids(c, "\"generation video\"") == [], "a phrase keeps its order")
        #expect(try await ids(c, "video -survey") == ["2501.00003"])
        #expect(try await ids(c, "author:\"kaiming he\"") == ["2501.00001"])
        #expect(try await ids(c, "memory author:lovelace") == ["2501.00004"])
        #expect(try await ids(c, "memory author:\"kaiming he\"") == [])
        #expect(try await ids(c, "diffusion category:cs.CV") == ["2501.00002"])
        #expect(try await ids(c, "diffusion to:2024") == ["2501.00002"])
        #expect(try await ids(c, "category:cs.LG") == ["2501.00001"], "filters alone list papers")
    }

    /// A match-any-word search leaves out words found in `commonWordPapers` papers or more:
    /// scoring them would cost a second at a million papers and say little.
    @Test func matchAnyWordSkipsWordsInTooManyPapers() async throws {
        let c = try await catalog()
        let common = SQLiteCatalog.commonWordPapers
        _ = try await c.apply((0..<common).map { paper(String(format: "2502.%05d", $0), "Ubiquitous note \($0)", abstract: "Filler.") },
                              checkpoint: nil)
        while try await c.updateSearchIndex(limit: 2_000) > 0 {}
        var query = SearchQuery(parsing: "ubiquitous attention")
        query.matchAnyWord = true
        #expect(try await c.searchRanking(query, limit: 10, offset: 0).map(\.id.value) == ["2501.00004"],
                "only the uncommon word is searched")
        query = SearchQuery(parsing: "ubiquitous")
        query.matchAnyWord = true
        #expect(try await c.searchRanking(query, limit: 10, offset: 0).isEmpty, "nothing uncommon is left to search")
        #expect(try await c.searchRanking(SearchQuery(parsing: "ubiquitous attention"), limit: 10, offset: 0).isEmpty,
                "a match-all search still requires every word")
        #expect(try await c.searchRanking(SearchQuery(parsing: "ubiquitous"), limit: 10, offset: 0).count == 10,
                "and finds a common word when it is all there is")
    }

    /// A deleted paper leaves results however the ranking is cut: the quick path ranks twice
    /// the page inside FTS5, and falls back to the full query when deletions leave it short.
    @Test func deletedPapersNeverRank() async throws {
        let c = try await catalog()
        _ = try await c.apply((0..<30).map { paper(String(format: "2503.%05d", $0), "Lattice study \($0)", abstract: "Lattice.") },
                              checkpoint: nil)
        while try await c.updateSearchIndex(limit: 100) > 0 {}
        let all = try await c.searchRanking(SearchQuery(parsing: "lattice"), limit: 30, offset: 0).map(\.id)
        #expect(all.count == 30)
        // Delete the best twenty: the quick path's 2 x 5 + 10 = 20 deep ranking holds none left.
        _ = try await c.apply(all.prefix(20).map { .delete($0) }, checkpoint: nil)
        let page = try await c.searchRanking(SearchQuery(parsing: "lattice"), limit: 5, offset: 0).map(\.id)
        #expect(page == Array(all[20..<25]))
        #expect(try await c.searchRanking(SearchQuery(parsing: "lattice"), limit: 5, offset: 8).map(\.id) == Array(all[28..<30]))
    }

    @Test func matchesAreMarked() async throws {
        let hit = try #require(try await c().search(SearchQuery(parsing: "attention"), limit: 1, offset: 0).first)
        #expect(hit.markedTitle == "Efficient \u{E000}Attention\u{E001}")
        func c() async throws -> SQLiteCatalog { try await catalog() }
    }

    @Test(arguments: ["", "\"", "((", "AND", "NOT", "*", "title:", "'; DROP TABLE papers; --", "日本語", "🚀", "-reason"])
    func hostileInputGivesResultsOrNothing(text: String) async throws {
        let c = try await catalog()
        _ = try await c.search(SearchQuery(parsing: text), limit: 10, offset: 0)
        #expect(try await c.paperCount() == 4)
    }

    @Test func changedPapersAreReindexedAndOldWordsLeave() async throws {
        let c = try await catalog()
        var changed = PaperRecord(id: ArxivID("2501.00004")!)
        changed.version = 2
        changed.title = "Sparse Transformers"
        changed.abstract = "Nothing in common with before."
        changed.authors = ["Ada Lovelace"]
        changed.categories = ["cs.CL"]
        _ = try await c.apply([.upsert(changed)], checkpoint: nil)
        #expect(try await ids(c, "attention") == [], "the old title is gone at once")
        #expect(try await c.searchIndexBacklog() == 1)
        #expect(try await ids(c, "sparse") == [], "not yet indexed")
        #expect(try await c.updateSearchIndex(limit: 10) == 1)
        #expect(try await ids(c, "sparse") == ["2501.00004"])
        #expect(try await c.updateSearchIndex(limit: 10) == 0)
        try await c.rebuildSearchIndex()
        #expect(try await ids(c, "sparse") == ["2501.00004"])
        #expect(try await ids(c, "attention") == [])
    }
}
