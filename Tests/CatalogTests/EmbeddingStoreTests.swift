import Catalog
import CatalogSQLite
import TestSupport
import Testing

/// The queue of papers to embed and the stored vectors, on a real SQLite file.
@Suite struct EmbeddingStoreTests {
    func paper(_ id: String, title: String, upvotes: Int? = nil) -> CatalogChange {
        var r = PaperRecord(id: ArxivID(id)!)
        r.version = 1
        r.title = title
        r.abstract = "About \(title)."
        r.authors = ["Ada Lovelace"]
        r.categories = ["cs.CL"]
        r.upvotes = upvotes
        return .upsert(r)
    }

    @Test func queueStoreAndRequeueOnChangedText() async throws {
        let c = try await TestSupport.freshCatalog()
        _ = try await c.apply([paper("2501.00001", title: "One"), paper("2501.00002", title: "Two"), paper("2501.00003", title: "Three")], checkpoint: nil)
        #expect(try await c.embeddingBacklog(model: "m") == 3)
        let queued = try await c.papersToEmbed(model: "m", limit: 2)
        #expect(queued.map(\.id.value) == ["2501.00001", "2501.00002"])
        try await c.storeEmbeddings(queued.map { ($0.id, [1.5, -2, Float.pi]) }, model: "m")
        #expect(try await c.embeddingBacklog(model: "m") == 1)
        let stored = try await c.embeddings(model: "m")
        #expect(stored.map(\.id.value) == ["2501.00001", "2501.00002"])
        #expect(stored.first?.vector == [1.5, -2, Float.pi], "Float32 values come back bit for bit")

        // Votes don't change the text: the vector stays. A new title does: it goes and re-queues.
        _ = try await c.apply([paper("2501.00001", title: "One", upvotes: 9)], checkpoint: nil)
        #expect(try await c.embeddingBacklog(model: "m") == 1)
        var retitled = PaperRecord(id: ArxivID("2501.00002")!)
        retitled.version = 2
        retitled.title = "Two, revised"
        retitled.abstract = "New words."
        _ = try await c.apply([.upsert(retitled)], checkpoint: nil)
        #expect(try await c.embeddings(model: "m").map(\.id.value) == ["2501.00001"])
        #expect(try await c.papersToEmbed(model: "m", limit: 10).map(\.id.value) == ["2501.00002", "2501.00003"])
    }

    @Test func anotherModelStartsOver() async throws {
        let c = try await TestSupport.freshCatalog()
        _ = try await c.apply([paper("2501.00001", title: "One"), paper("2501.00002", title: "Two")], checkpoint: nil)
        try await c.storeEmbeddings(try await c.papersToEmbed(model: "a", limit: 10).map { ($0.id, [1]) }, model: "a")
        #expect(try await c.embeddingBacklog(model: "a") == 0)
        #expect(try await c.embeddingBacklog(model: "b") == 2)
        #expect(try await c.papersToEmbed(model: "b", limit: 10).count == 2)
        #expect(try await c.embeddings(model: "a").isEmpty, "vectors of the old model are dropped")
    }
}
