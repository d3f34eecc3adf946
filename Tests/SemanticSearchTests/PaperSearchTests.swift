import Catalog
import CatalogSQLite
import Embeddings
import TestSupport
import Testing

@testable import SemanticSearch

/// Keyword, semantic and hybrid search on a real SQLite catalog with the real MiniLM model.
@Suite struct PaperSearchTests {
    /// Loaded once: the embedder is immutable and shared safely.
    static let embedder = Result { try SentenceEmbedder(modelFolder: TestSupport.requireModel()) }

    static let papers: [(id: String, title: String, abstract: String, category: String)] = [
        ("2501.00001", "Transcribing spoken audio with transformers",
         "We convert recorded human voice into written text using an encoder-decoder network trained on thousands of hours of audio.", "eess.AS"),
        ("2501.00002", "Diffusion models for photorealistic image synthesis",
         "A denoising process generates pictures from noise; we improve sample quality on ImageNet.", "cs.CV"),
        ("2501.00003", "Protein structure prediction from sequence",
         "Predicting the three-dimensional fold of amino acid chains with attention networks.", "q-bio.BM"),
        ("2501.00004", "Reinforcement learning for robot grasping",
         "A robotic arm learns to pick up objects by trial and error in simulation and transfers to hardware.", "cs.RO"),
        ("2501.00005", "Dark matter halos in galaxy simulations",
         "Cosmological N-body runs show how invisible mass shapes the rotation of galaxies.", "astro-ph.CO"),
        ("2501.00006", "Video generation with latent diffusion",
         "We extend image diffusion to moving pictures, producing short clips from text prompts.", "cs.CV"),
    ]

    /// A catalog of the papers above, with every vector computed and loaded.
    static func search(embedded: Bool = true) async throws -> (PaperSearch, SQLiteCatalog) {
        let catalog = try await TestSupport.freshCatalog()
        let changes: [CatalogChange] = papers.map { p in
            var r = PaperRecord(id: ArxivID(p.id)!)
            r.version = 1
            r.title = p.title
            r.abstract = p.abstract
            r.authors = ["Grace Hopper", "Alan Turing"]
            r.categories = [p.category]
            r.published = "2025-01-0\(p.id.suffix(1))T00:00:00Z"
            return .upsert(r)
        }
        _ = try await catalog.apply(changes, checkpoint: nil)
        _ = try await catalog.updateSearchIndex(limit: 100)
        let index = SemanticIndex(catalog: catalog, embedder: try embedder.get(), modelName: "all-MiniLM-L6-v2")
        if embedded {
            #expect(try await index.embedBacklog(batchSize: 100) == papers.count)
            #expect(index.vectors.count == papers.count)
        }
        return (PaperSearch(catalog: catalog, semantic: index), catalog)
    }

    @Test func semanticFindsThePaperThatMeansTheQuery() async throws {
        let (search, _) = try await Self.search()
        // None of these words is in the speech paper's title or abstract.
        let semantic = try await search.search("automatic speech recognition", mode: .semantic, limit: 3)
        #expect(semantic.mode == .semantic)
        #expect(semantic.notice == nil)
        #expect(semantic.hits.first?.paper.id.value == "2501.00001")
        let keyword = try await search.search("automatic speech recognition", mode: .keyword, limit: 3)
        #expect(keyword.hits.isEmpty, "no paper has these words")
        let hybrid = try await search.search("automatic speech recognition", limit: 3)
        #expect(hybrid.mode == .hybrid, "hybrid is the default")
        #expect(hybrid.hits.first?.paper.id.value == "2501.00001")
    }

    @Test func hybridKeepsMarkedSnippetsFromTheKeywordSide() async throws {
        let (search, _) = try await Self.search()
        let results = try await search.search("diffusion", limit: 5)
        let ids = results.hits.map(\.paper.id.value)
        #expect(Array(ids.prefix(2)).sorted() == ["2501.00002", "2501.00006"], "both diffusion papers lead")
        #expect(results.hits.first?.markedTitle.contains(SearchHit.markStart) == true)
    }

    @Test func keywordRelaxesToSomeWordsWhenNoPaperHasAll() async throws {
        let (search, _) = try await Self.search()
        let results = try await search.search("protein galaxies", mode: .keyword, limit: 5)
        #expect(Set(results.hits.map(\.paper.id.value)) == ["2501.00003", "2501.00005"])
        // Stop words don't match on their own: "and" and "the" are in other papers too.
        let wordy = try await search.search("the protein and the galaxies", mode: .keyword, limit: 5)
        #expect(Set(wordy.hits.map(\.paper.id.value)) == ["2501.00003", "2501.00005"])
    }

    @Test func filtersApplyToSemanticResults() async throws {
        let (search, _) = try await Self.search()
        let results = try await search.search("making pictures category:cs.CV -video", mode: .semantic, limit: 5)
        #expect(results.hits.map(\.paper.id.value) == ["2501.00002"])
        let dated = try await search.search("making pictures from:2025-01-06", mode: .semantic, limit: 5)
        #expect(dated.hits.map(\.paper.id.value) == ["2501.00006"])
    }

    @Test func withoutAModelSearchFallsBackToKeywordAndSaysSo() async throws {
        let (withModel, catalog) = try await Self.search(embedded: false)
        let noModel = PaperSearch(catalog: catalog, semantic: nil)
        for mode in [SearchMode.hybrid, .semantic] {
            let results = try await noModel.search("diffusion", mode: mode, limit: 5)
            #expect(results.mode == .keyword)
            #expect(results.notice?.contains("no embedding model") == true)
            #expect(results.hits.count == 2)
        }
        let notYet = try await withModel.search("diffusion", limit: 5)
        #expect(notYet.mode == .keyword)
        #expect(notYet.notice?.contains("no paper vectors yet") == true)
    }

    @Test func similarPapersShareTheTopicAndLeaveThePaperOut() async throws {
        let (search, catalog) = try await Self.search()
        let image = try #require(try await catalog.paper(ArxivID("2501.00002")!))
        let similar = try await search.similar(to: image, limit: 2)
        #expect(similar.first?.id.value == "2501.00006", "the other diffusion paper")
        #expect(!similar.contains { $0.id == image.id })
        let keywordOnly = try await PaperSearch(catalog: catalog, semantic: nil).similar(to: image, limit: 2)
        #expect(keywordOnly.first?.id.value == "2501.00006", "without vectors: shared title words")
    }

    /// Pages of semantic results, and the similarity floor: four of the six papers are close
    /// enough to this query (cosine 0.23 to 0.28 with sentence-transformers), the galaxy and
    /// video papers are not (0.08, 0.13); nonsense finds nothing.
    @Test func pagesDepthAndTheSimilarityFloor() async throws {
        let (search, _) = try await Self.search()
        let query = "neural network models trained on data"
        let first = try await search.search(query, mode: .semantic, limit: 2)
        let second = try await search.search(query, mode: .semantic, limit: 2, offset: 2)
        #expect(first.hits.count == 2 && first.hasMore)
        #expect(second.hits.count == 2 && !second.hasMore)
        #expect(Set(first.hits.map(\.paper.id.value) + second.hits.map(\.paper.id.value)) == ["2501.00001", "2501.00002", "2501.00003", "2501.00004"])
        #expect(try await search.search("zzzqqqxxx", mode: .semantic, limit: 5).hits.isEmpty)
        #expect(try await search.search("banana bread", mode: .hybrid, limit: 5).hits.isEmpty)
        let beyond = try await search.search(query, mode: .hybrid, limit: 10, offset: PaperSearch.maxDepth)
        #expect(beyond.hits.isEmpty && !beyond.hasMore)
    }

    /// Whatever is typed gives results or an empty list, in every mode.
    @Test(arguments: SearchMode.allCases)
    func hostileInputNeverFails(mode: SearchMode) async throws {
        let (search, _) = try await Self.search()
        let inputs = [
            "", "   ", String(repeating: "transformer ", count: 900), "!!! ??? ...", "\"unbalanced quote", "'; DROP TABLE papers; --",
            "title:x OR abstract:y NEAR(a b) * ^", "神经网络 语音识别", "нейронные сети", "🤖🔥 robots", "author:", "category:%_",
            "-", "- - -", "from:2025-13-45 to:nonsense",
        ]
        for text in inputs {
            let results = try await search.search(text, mode: mode, limit: 5)
            #expect(results.hits.count <= 5, "\(text.prefix(30))")
        }
        #expect(try await search.search("🤖🔥 robots", mode: mode, limit: 5).hits.first?.paper.id.value == "2501.00004", "emoji are dropped, the word counts")
    }
}
