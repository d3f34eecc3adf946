import Catalog
import Testing

/// The queue of papers to embed and the stored vectors, on both backends.
@Suite struct EmbeddingBehaviourTests {
    func paper(_ id: String, title: String, upvotes: Int? = nil) -> CatalogChange {
        Records.paper(id, title: title, authors: ["Ada Lovelace"], upvotes: upvotes)
    }

    func all(_ c: any CatalogStore, _ model: String) async throws -> [StoredVector] {
        try await c.embeddings(model: model, after: nil, limit: 1_000)
    }

    @Test(arguments: Backend.available)
    func queueStoreAndRequeueOnChangedText(backend: Backend) async throws {
        try await backend.withCatalog { (c: any CatalogStore) async throws in
            _ = try await c.apply([paper("2501.00001", title: "One"), paper("2501.00002", title: "Two"), paper("2501.00003", title: "Three")], checkpoint: nil)
            #expect(try await c.embeddingBacklog(model: "m") == 3)
            let queued = try await c.papersToEmbed(model: "m", limit: 2)
            #expect(queued.map(\.id.value) == ["2501.00001", "2501.00002"])
            try await c.storeEmbeddings(queued.map { ($0.id, [1.5, -2, Float.pi, .infinity, -0.0, .leastNonzeroMagnitude]) }, model: "m")
            #expect(try await c.embeddingBacklog(model: "m") == 1)
            let stored = try await all(c, "m")
            #expect(stored.map(\.id.value) == ["2501.00001", "2501.00002"])
            let bits = stored.first?.vector.map(\.bitPattern)
            #expect(bits == [1.5, -2, Float.pi, .infinity, -0.0, .leastNonzeroMagnitude].map(\.bitPattern), "Float32 values come back bit for bit")

            // Votes don't change the text: the vector stays. A new title does: it goes and re-queues.
            _ = try await c.apply([paper("2501.00001", title: "One", upvotes: 9)], checkpoint: nil)
            #expect(try await c.embeddingBacklog(model: "m") == 1)
            var retitled = PaperRecord(id: ArxivID("2501.00002")!)
            retitled.version = 2
            retitled.title = "Two, revised"
            retitled.abstract = "New words."
            _ = try await c.apply([.upsert(retitled)], checkpoint: nil)
            #expect(try await all(c, "m").map(\.id.value) == ["2501.00001"])
            #expect(try await c.papersToEmbed(model: "m", limit: 10).map(\.id.value) == ["2501.00002", "2501.00003"])
            // Deleted papers leave the queue and the stored vectors.
            _ = try await c.apply([.delete(ArxivID("2501.00003")!), .delete(ArxivID("2501.00001")!)], checkpoint: nil)
            #expect(try await c.papersToEmbed(model: "m", limit: 10).map(\.id.value) == ["2501.00002"])
            #expect(try await c.embeddingBacklog(model: "m") == 1)
            #expect(try await all(c, "m").isEmpty)
        }
    }

    @Test(arguments: Backend.available)
    func anotherModelStartsOver(backend: Backend) async throws {
        try await backend.withCatalog { (c: any CatalogStore) async throws in
            _ = try await c.apply([paper("2501.00001", title: "One"), paper("2501.00002", title: "Two")], checkpoint: nil)
            try await c.storeEmbeddings(try await c.papersToEmbed(model: "a", limit: 10).map { ($0.id, [1]) }, model: "a")
            #expect(try await c.embeddingBacklog(model: "a") == 0)
            #expect(try await c.embeddingBacklog(model: "b") == 2)
            #expect(try await c.papersToEmbed(model: "b", limit: 10).count == 2)
            #expect(try await all(c, "a").isEmpty, "vectors of the old model are dropped")
        }
    }

    /// A reader that keeps its position gets exactly what was stored since, page by page: new
    /// papers and re-embedded ones, never those it already has, whichever instance stored them.
    @Test(arguments: Backend.available)
    func positionsPickUpWhatWasStoredSince(backend: Backend) async throws {
        try await backend.withCatalog { (c: any CatalogStore, openAnother: OpenAnother) async throws in
            _ = try await c.apply((1...5).map { paper("2501.0000\($0)", title: "Paper \($0)") }, checkpoint: nil)
            let ids = (1...5).map { ArxivID("2501.0000\($0)")! }
            try await c.storeEmbeddings([(ids[0], [1]), (ids[1], [2]), (ids[2], [3])], model: "m")
            let firstPage = try await c.embeddings(model: "m", after: nil, limit: 2)
            #expect(firstPage.map(\.id) == [ids[0], ids[1]])
            let secondPage = try await c.embeddings(model: "m", after: firstPage.last?.position, limit: 2)
            #expect(secondPage.map(\.id) == [ids[2]])
            let seen = secondPage.last?.position

            #expect(try await c.embeddings(model: "m", after: seen, limit: 10).isEmpty, "nothing new yet")
            try await openAnother { other in
                try await other.storeEmbeddings([(ids[4], [5]), (ids[0], [1.5])], model: "m")
            }
            let fresh = try await c.embeddings(model: "m", after: seen, limit: 10)
            #expect(fresh.map(\.id) == [ids[0], ids[4]])
            #expect(fresh.first?.vector == [1.5], "the new vector of a re-embedded paper")
            #expect(fresh.allSatisfy { $0.position > seen! })
            #expect(try await c.embeddings(model: "other", after: nil, limit: 10).isEmpty)
            // An unknown paper is skipped; one named twice keeps its last vector.
            try await c.storeEmbeddings([(ArxivID("2501.09999")!, [9]), (ids[3], [4]), (ids[3], [4.5])], model: "m")
            #expect(try await c.embeddings(model: "m", after: fresh.last?.position, limit: 10).map(\.vector) == [[4.5]])
            #expect(try await c.embeddingBacklog(model: "m") == 0)
        }
    }

    /// Servers sharing a PostgreSQL database embed the backlog together: each paper is handed
    /// to one of them at a time, and a claim whose server died (its lease ran out) is handed out
    /// again. (A SQLite file has one server, which claims nothing.)
    @Test(arguments: Backend.available.filter { $0 == .postgres })
    func serversSharingADatabaseEmbedEachPaperOnce(backend: Backend) async throws {
        try await backend.withCatalog { (c: any CatalogStore, openAnother: OpenAnother) async throws in
            _ = try await c.apply((10...19).map { paper("2501.000\($0)", title: "Paper \($0)") }, checkpoint: nil)
            try await openAnother { other in
                async let mine = c.claimPapersToEmbed(model: "m", limit: 4, lease: .seconds(600))
                async let theirs = other.claimPapersToEmbed(model: "m", limit: 4, lease: .seconds(600))
                let (first, second) = try await (mine, theirs)
                #expect(first.count == 4 && second.count == 4)
                #expect(Set(first.map(\.id)).isDisjoint(with: second.map(\.id)), "no paper is handed to both")
                let rest = try await other.claimPapersToEmbed(model: "m", limit: 10, lease: .seconds(1))
                #expect(Set((first + second + rest).map(\.id.value)) == Set((10...19).map { "2501.000\($0)" }))
                #expect(try await c.claimPapersToEmbed(model: "m", limit: 10, lease: .seconds(600)).isEmpty, "all are claimed")
                // Claimed is not done: the backlog counts them until their vectors are stored.
                #expect(try await c.embeddingBacklog(model: "m") == 10)
                try await c.storeEmbeddings(first.map { ($0.id, [1]) }, model: "m")
                #expect(try await c.embeddingBacklog(model: "m") == 6)

                // `rest` was claimed for a second: once that has passed, its papers go to whoever asks.
                try await Task.sleep(for: .milliseconds(2_100))
                let reclaimed = try await c.claimPapersToEmbed(model: "m", limit: 10, lease: .seconds(600))
                #expect(reclaimed.map(\.id) == rest.map(\.id))
            }
        }
    }
}
