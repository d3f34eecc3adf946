import Catalog
import Community
import Digests
import Foundation
import Testing

/// The seed of "for me" digests on both backends. `papersLiked(byUser:limit:)` reads the
/// votes and collections of migration 002-community, so this suite needs the PostgreSQL
/// backend's `CommunityStore` and `CollectionStore` beside its `SubscriptionStore`.
@Suite struct PapersLikedTests {
    let now = Date(timeIntervalSince1970: 1_764_000_000)

    /// Upvoted or saved into any of the reader's collections, most recent first, each paper
    /// once; another reader's likes are theirs.
    @Test(arguments: Backend.available)
    func papersLikedMixesVotesAndSavedPapers(backend: Backend) async throws {
        try await backend.withCatalog { (catalog: any CatalogStore) async throws in
            let store = try #require(
                catalog as? any CatalogStore & SubscriptionStore & CommunityStore & CollectionStore,
                "\(backend) catalog keeps no subscriptions, votes or collections")
            _ = try await store.apply((1...4).map { Records.paper("2611.0000\($0)", title: "Paper \($0)") }, checkpoint: nil)
            let reader = try await store.createUser(NewUser(username: "reader", email: "reader@example.org", passwordHash: "x"), at: now)
            let other = try await store.createUser(NewUser(username: "other", email: "other@example.org", passwordHash: "x"), at: now)
            _ = try await store.setVote(userID: reader.id, paper: ArxivID("2611.00001")!, voted: true, at: now)
            _ = try await store.setVote(userID: other.id, paper: ArxivID("2611.00003")!, voted: true, at: now)
            _ = try await store.createCollection(
                ownerID: reader.id, try CollectionDraft(name: "Later", description: nil, isPublic: false), firstPaper: ArxivID("2611.00002")!,
                limits: CollectionLimits(), at: now.addingTimeInterval(60))
            // Voted and saved too: listed once, at its latest.
            _ = try await store.createCollection(
                ownerID: reader.id, try CollectionDraft(name: "Best", description: nil, isPublic: true), firstPaper: ArxivID("2611.00001")!,
                limits: CollectionLimits(), at: now.addingTimeInterval(30))
            // Another reader's collection is not this reader's taste.
            _ = try await store.createCollection(
                ownerID: other.id, try CollectionDraft(name: "Theirs", description: nil, isPublic: true), firstPaper: ArxivID("2611.00004")!,
                limits: CollectionLimits(), at: now.addingTimeInterval(90))
            #expect(try await store.papersLiked(byUser: reader.id, limit: 10).map(\.value) == ["2611.00002", "2611.00001"])
            #expect(try await store.papersLiked(byUser: reader.id, limit: 1).map(\.value) == ["2611.00002"])
            #expect(try await store.papersLiked(byUser: other.id, limit: 10).map(\.value) == ["2611.00004", "2611.00003"])
            #expect(try await store.papersLiked(byUser: other.id + reader.id + 1, limit: 10).isEmpty)
        }
    }

    /// A subscription made while signed in belongs to the account: asked again signed out,
    /// it keeps it, and only with one may it rank papers "for me".
    @Test(arguments: Backend.available)
    func aSubscriptionKeepsTheAccountThatMadeIt(backend: Backend) async throws {
        try await backend.withCatalog { (catalog: any CatalogStore) async throws in
            let store = try #require(
                catalog as? any CatalogStore & SubscriptionStore & CommunityStore,
                "\(backend) catalog keeps no subscriptions or accounts")
            let reader = try await store.createUser(NewUser(username: "reader", email: "reader@example.org", passwordHash: "x"), at: now)
            let signedIn = try SubscriptionRequest.make(email: "reader@example.org", frequency: "daily", topics: "", userID: reader.id, forMe: true)
            guard case .needsConfirmation(let pending) = try await store.subscribe(signedIn, at: now, limit: (3, 86_400)) else {
                Issue.record("expected a pending subscription"); return
            }
            #expect(pending.userID == reader.id && pending.forMe)
            let signedOut = try SubscriptionRequest.make(email: "reader@example.org", frequency: "weekly", topics: "")
            guard case .needsConfirmation(let renewed) = try await store.subscribe(signedOut, at: now, limit: (3, 86_400)) else {
                Issue.record("a pending address may ask again"); return
            }
            #expect(renewed.userID == reader.id && !renewed.forMe && renewed.frequency == .weekly)
            let changed = try await store.updateSubscription(id: pending.id, frequency: .daily, topics: DigestTopics(), forMe: true, at: now)
            #expect(changed?.forMe == true && changed?.userID == reader.id)
        }
    }
}
