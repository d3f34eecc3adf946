import Catalog
import CatalogPostgres
import CatalogSQLite
import Community
import DatabaseCopy
import Digests
import Foundation
import TestSupport
import Testing

/// `paperboy db copy`: a SQLite installation with something in every table moves to an empty
/// PostgreSQL database whole, reads back the same through every store protocol, and copying
/// again (after more was written, or after a stop) finishes the job without doubling anything.
@Suite(.enabled(if: PostgresTestServer.runs, "needs PostgreSQL (PAPERBOY_TEST_POSTGRES_URL)"))
struct DatabaseCopyTests {
    static let day = Date(timeIntervalSince1970: 1_790_000_000)

    /// A small installation: papers (one with Hub upvotes and a local vote), two accounts, a
    /// session, a token, a comment thread, a ban, a public collection, a live subscription with
    /// a planned digest, the link-signing secret, and vectors for two of the three papers.
    static func installation() async throws -> (catalog: SQLiteCatalog, ann: User, bob: User, collection: PaperCollection, subscription: Subscription) {
        let path = TestSupport.scratchDirectory().appendingPathComponent("catalog.sqlite").path
        let sqlite = try SQLiteCatalog(path: path)
        try await sqlite.migrate()
        _ = try await sqlite.apply([
            Records.paper("2501.00001", title: "Attention, again", authors: ["Zoë Ångström", "李雷"], categories: ["cs.CL", "cs.LG"], featured: "2026-01-05", upvotes: 5),
            Records.paper("2501.00002", title: "Diffusion for proteins", featured: "2026-01-05", upvotes: 2),
            Records.paper("hep-th/9901001", title: "Strings \"quoted\" and \\ slashed"),
        ], checkpoint: nil)
        let ann = try await sqlite.createUser(NewUser(username: "Ann", email: "ann@example.org", passwordHash: "$2b$04$hash-of-ann", role: .admin), at: day)
        let bob = try await sqlite.createUser(NewUser(username: "bob", email: "bob@example.org", passwordHash: "$2b$04$hash-of-bob", role: .user), at: day)
        try await sqlite.createSession(userID: ann.id, tokenDigest: "session-digest", csrfToken: "csrf", expiresAt: day.addingTimeInterval(86_400), at: day)
        _ = try await sqlite.createAPIToken(userID: bob.id, name: "script", tokenDigest: "token-digest", prefix: "pb_abcdef", at: day)
        _ = try await sqlite.setVote(userID: ann.id, paper: ArxivID("2501.00001")!, voted: true, at: day)
        let question = try await sqlite.addComment(paper: ArxivID("2501.00001")!, userID: bob.id, parentID: nil, body: "Why <b>this</b>?", at: day)
        _ = try await sqlite.addComment(paper: ArxivID("2501.00001")!, userID: ann.id, parentID: question.id, body: "Because.", at: day)
        try await sqlite.setBan(userID: bob.id, moderatorID: ann.id, reason: "spam", at: day)
        let collection = try await sqlite.createCollection(
            ownerID: ann.id, try CollectionDraft(name: "Reading group", description: "Tuesdays", isPublic: true),
            firstPaper: ArxivID("2501.00002")!, limits: CollectionLimits(), at: day)
        let request = try SubscriptionRequest.make(email: "reader@example.org", frequency: "daily", topics: "cs.CL")
        guard case .needsConfirmation(let pending) = try await sqlite.subscribe(request, at: day, limit: (3, 86_400)) else {
            throw CopyTestFailure("the subscription was not made")
        }
        let subscription = try #require(try await sqlite.confirmSubscription(id: pending.id, at: day))
        _ = try await sqlite.planDigests(for: DigestPeriod("daily:2026-01-05")!, at: day)
        _ = try await sqlite.linkSigningSecret()
        try await sqlite.storeEmbeddings([(ArxivID("2501.00001")!, [0.5, -1, 2]), (ArxivID("2501.00002")!, [1, 0, 0])], model: "m")
        return (sqlite, ann, bob, collection, subscription)
    }

    struct CopyTestFailure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    @Test func anInstallationMovesOverWholeAndCopyingAgainChangesNothing() async throws {
        let (sqlite, ann, bob, collection, subscription) = try await Self.installation()
        try await PostgresTestServer.withFreshDatabase { url in
            try await withPostgresCatalog(url: url, maximumConnections: 4) { pg in
                try await pg.migrate()
                var copy = DatabaseCopy(source: sqlite, target: pg)
                copy.pageSize = 2  // several pages a table, as a big installation has
                let counts = try await copy.run()
                #expect(counts.allSatisfy { $0.agrees })
                #expect(counts.first { $0.table == "papers" }?.target == 3)
                #expect(counts.first { $0.table == "paper_vectors" }?.target == 2)

                // Papers, with the Hub's and this site's votes apart, and search over them.
                let attention = try #require(try await pg.paper(ArxivID("2501.00001")!))
                #expect(attention.upvotes == 6 && attention.authors == ["Zoë Ångström", "李雷"] && attention.categories == ["cs.CL", "cs.LG"])
                #expect(try await pg.paper(ArxivID("hep-th/9901001")!)?.title == "Strings \"quoted\" and \\ slashed")
                #expect(try await pg.search(SearchQuery(parsing: "proteins"), limit: 5, offset: 0).map(\.paper.id.value) == ["2501.00002"])
                _ = try await pg.apply([Records.paper("2501.00001", title: "Attention, again", authors: ["Zoë Ångström", "李雷"],
                    categories: ["cs.CL", "cs.LG"], featured: "2026-01-05", upvotes: 9)], checkpoint: nil)
                #expect(try await pg.paper(ArxivID("2501.00001")!)?.upvotes == 10, "a higher Hub count adds to the local vote")

                // Accounts, sessions, tokens, votes, comments, bans.
                let login = try #require(try await pg.userForLogin("ANN@example.org"))
                #expect(login.user == ann && login.passwordHash == "$2b$04$hash-of-ann")
                #expect(try await pg.session(tokenDigest: "session-digest", now: Self.day)?.user.id == ann.id)
                #expect(try await pg.user(apiTokenDigest: "token-digest")?.id == bob.id)
                #expect(try await pg.votedPapers(userID: ann.id, among: [ArxivID("2501.00001")!, ArxivID("2501.00002")!]) == [ArxivID("2501.00001")!])
                let thread = try await pg.comments(on: ArxivID("2501.00001")!)
                #expect(thread.map(\.body) == ["Why <b>this</b>?", "Because."] && thread.last?.parentID == thread.first?.id)
                #expect(try await pg.ban(userID: bob.id)?.reason == "spam")

                // Collections, subscriptions, the ledger, the signing secret: old links still work.
                #expect(try await pg.collection(id: collection.id)?.name == "Reading group")
                #expect(try await pg.papers(inCollection: collection.id, limit: 10, offset: 0).map(\.paper.id.value) == ["2501.00002"])
                #expect(try await pg.subscription(email: "reader@example.org") == subscription)
                #expect(try await pg.digestStates(of: DigestPeriod("daily:2026-01-05")!)[.queued] == 1)
                #expect(try await pg.linkSigningSecret() == sqlite.linkSigningSecret())

                // Vectors, and the queue rebuilt: the paper without one waits to be embedded.
                #expect(try await pg.embeddings(model: "m", after: nil, limit: 10).map(\.id.value).sorted() == ["2501.00001", "2501.00002"])
                #expect(try await pg.embeddingBacklog(model: "m") == 1)

                // More written to SQLite since (servers not yet moved): a second copy brings it,
                // and nothing twice.
                _ = try await sqlite.apply([Records.paper("2501.00003", title: "Late arrival")], checkpoint: nil)
                let dave = try await sqlite.createUser(NewUser(username: "dave", email: "dave@example.org", passwordHash: "y", role: .user), at: Self.day)
                let again = try await copy.run()
                #expect(again.allSatisfy { $0.agrees })
                #expect(try await pg.paper(ArxivID("2501.00003")!)?.title == "Late arrival")
                #expect(try await pg.user(username: "dave") == dave)
                #expect(try await pg.paperCount() == 4)
                #expect(try await pg.userCount() == 3)
                #expect(try await pg.comments(on: ArxivID("2501.00001")!).count == 2)

                // Ids made on PostgreSQL go on after the copied ones.
                let carl = try await pg.createUser(NewUser(username: "carl", email: "carl@example.org", passwordHash: "x", role: .user), at: Self.day)
                #expect(carl.id > dave.id)
            }
        }
    }

    /// A database with data of its own is not mixed with a copy: nothing is written to it.
    @Test func aTargetWithDataOfItsOwnIsRefused() async throws {
        let (sqlite, _, _, _, _) = try await Self.installation()
        try await PostgresTestServer.withFreshDatabase { url in
            try await withPostgresCatalog(url: url, maximumConnections: 4) { pg in
                try await pg.migrate()
                _ = try await pg.createUser(NewUser(username: "eve", email: "eve@example.org", passwordHash: "z", role: .user), at: Self.day)
                await #expect(throws: DatabaseCopyError.targetNotEmpty(pg.location.description)) {
                    _ = try await DatabaseCopy(source: sqlite, target: pg).run()
                }
                #expect(try await pg.paperCount() == 0)
            }
        }
    }

    /// A copy stopped after its first page (the checkpoint landed with it) resumes after it.
    @Test func aStoppedCopyResumesAfterTheLastPageThatLanded() async throws {
        let (sqlite, _, _, _, _) = try await Self.installation()
        try await PostgresTestServer.withFreshDatabase { url in
            try await withPostgresCatalog(url: url, maximumConnections: 4) { pg in
                try await pg.migrate()
                // What a copy killed after one page of papers leaves: its claim on the target
                // (the file it copies), that page and its checkpoint.
                try await pg.setState("copied-from", to: URL(fileURLWithPath: sqlite.path).standardizedFileURL.path)
                let first = try await sqlite.exportRows(of: "papers", after: nil, limit: 2)
                let columns = try await pg.copyColumns(of: "papers").filter { first.columns.contains($0.name) }
                try await pg.importRows(
                    into: "papers", columns: columns, from: first.columns, rows: first.rows,
                    checkpoint: ("db-copy:papers", CopiedValue.encode(key: try #require(first.lastKey))))
                #expect(try await pg.paperCount() == 2)

                let counts = try await DatabaseCopy(source: sqlite, target: pg).run()
                #expect(counts.allSatisfy { $0.agrees })
                #expect(try await pg.paperCount() == 3)
                #expect(try await pg.state("db-copy:papers") == nil, "checkpoints go once the counts agree")
            }
        }
    }
}
