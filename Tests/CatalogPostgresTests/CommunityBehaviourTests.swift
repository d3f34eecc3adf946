import Catalog
import Community
import Foundation
import Testing

/// The community stores (accounts, sessions, tokens, votes, comments, bans, submissions,
/// collections) behave the same on both backends; the concurrent cases run through two
/// instances of one catalog, as two servers behind a load balancer would.
@Suite struct CommunityBehaviourTests {
    typealias Store = any CatalogStore & CommunityStore & CommentStore & SubmissionStore & CollectionStore
    let now = Date(timeIntervalSince1970: 1_764_000_000)

    static func store(_ catalog: any CatalogStore, _ backend: Backend) throws -> Store {
        try #require(catalog as? Store, "\(backend) catalog keeps no community")
    }

    func account(_ store: Store, _ name: String, role: Role = .user) async throws -> User {
        try await store.createUser(NewUser(username: name, email: "\(name)@example.org", passwordHash: "hash-of-\(name)", role: role), at: now)
    }

    @Test(arguments: Backend.available)
    func accountsSessionsAndTokens(backend: Backend) async throws {
        try await backend.withCatalog { catalog in
            let store = try Self.store(catalog, backend)
            let ann = try await account(store, "Ann")
            #expect(ann.username == "Ann" && ann.role == .user && ann.createdAt == now)
            // Names and addresses are one account whatever their ASCII case.
            await #expect(throws: CommunityError.usernameTaken("ann")) {
                _ = try await store.createUser(NewUser(username: "ann", email: "other@example.org", passwordHash: "x"), at: now)
            }
            await #expect(throws: CommunityError.emailTaken("ANN@example.org")) {
                _ = try await store.createUser(NewUser(username: "other", email: "ANN@example.org", passwordHash: "x"), at: now)
            }
            #expect(try await store.userCount() == 1)
            #expect(try await store.user(username: "aNN")?.id == ann.id)
            #expect(try await store.user(id: ann.id) == ann)
            #expect(try await store.user(id: ann.id + 100) == nil)
            let login = try #require(try await store.userForLogin("ann@EXAMPLE.org"))
            #expect(login.user == ann && login.passwordHash == "hash-of-Ann")
            #expect(try await store.userForLogin("nobody") == nil)

            try await store.createSession(userID: ann.id, tokenDigest: "d1", csrfToken: "c1", expiresAt: now + 3_600, at: now)
            try await store.createSession(userID: ann.id, tokenDigest: "d2", csrfToken: "c2", expiresAt: now + 60, at: now)
            #expect(try await store.session(tokenDigest: "d1", now: now)?.user == ann)
            #expect(try await store.session(tokenDigest: "d1", now: now)?.csrfToken == "c1")
            #expect(try await store.session(tokenDigest: "d2", now: now + 61) == nil, "an expired session is no session")
            #expect(try await store.deleteExpiredSessions(now: now + 61) == 1)
            try await store.deleteSession(tokenDigest: "d1")
            #expect(try await store.session(tokenDigest: "d1", now: now) == nil)

            let first = try await store.createAPIToken(userID: ann.id, name: "laptop", tokenDigest: "t1", prefix: "pb_aaaaaa", at: now)
            let second = try await store.createAPIToken(userID: ann.id, name: "cron", tokenDigest: "t2", prefix: "pb_bbbbbb", at: now)
            #expect(try await store.apiTokens(userID: ann.id).map(\.name) == ["cron", "laptop"])
            #expect(try await store.user(apiTokenDigest: "t1") == ann)
            #expect(try await store.revokeAPIToken(id: first.id, userID: ann.id, at: now))
            #expect(!(try await store.revokeAPIToken(id: first.id, userID: ann.id, at: now)), "a token is revoked once")
            #expect(!(try await store.revokeAPIToken(id: second.id, userID: ann.id + 1, at: now)), "only by its owner")
            #expect(try await store.user(apiTokenDigest: "t1") == nil)
            #expect(try await store.apiTokens(userID: ann.id).first { $0.id == first.id }?.revokedAt == now)
        }
    }

    /// Voters on two instances at once, each voting twice: every vote counts once, the Hub's
    /// count stays apart, and withdrawals count down exactly.
    @Test(arguments: Backend.available)
    func concurrentVotesThroughTwoInstancesAreExact(backend: Backend) async throws {
        try await backend.withCatalog { catalog, openAnother in
            let store = try Self.store(catalog, backend)
            let paper = ArxivID("2611.00001")!
            _ = try await store.apply([Records.paper(paper.value, featured: "2026-11-20", upvotes: 7)], checkpoint: nil)
            var voters: [Int64] = []
            for n in 0..<40 { voters.append(try await account(store, "voter\(n)").id) }
            let version = try await store.contentVersion()
            try await openAnother { other in
                let second = try Self.store(other, backend)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for (n, voter) in voters.enumerated() {
                        for target in [store, second] {
                            group.addTask { _ = try await target.setVote(userID: voter, paper: paper, voted: true, at: now + Double(n)) }
                        }
                    }
                    try await group.waitForAll()
                }
                #expect(try await second.paper(paper)?.upvotes == 47)
                // A re-import of the Hub's count keeps the local votes on top of it.
                _ = try await second.apply([Records.paper(paper.value, featured: "2026-11-20", upvotes: 9)], checkpoint: nil)
                #expect(try await store.paper(paper)?.upvotes == 49)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for voter in voters.prefix(10) {
                        for target in [store, second] {
                            group.addTask { _ = try await target.setVote(userID: voter, paper: paper, voted: false, at: now) }
                        }
                    }
                    try await group.waitForAll()
                }
            }
            #expect(try await store.paper(paper)?.upvotes == 39)
            #expect(try await store.contentVersion() > version)
            let tally = try await store.setVote(userID: voters[0], paper: paper, voted: true, at: now)
            #expect(tally == VoteTally(upvotes: 40, voted: true))
            #expect(try await store.votedPapers(userID: voters[0], among: [paper, ArxivID("2611.00002")!]) == [paper])
            #expect(try await store.votedPapers(userID: voters[1], among: [paper]).isEmpty)
            #expect(try await store.setVote(userID: voters[0], paper: ArxivID("2611.09999")!, voted: true, at: now) == nil)
        }
    }

    @Test(arguments: Backend.available)
    func commentThreadsModerationAndBans(backend: Backend) async throws {
        try await backend.withCatalog { catalog in
            let store = try Self.store(catalog, backend)
            let paper = ArxivID("2611.00001")!, other = ArxivID("2611.00002")!
            var record = PaperRecord(id: paper)
            record.title = "Commented"
            record.numComments = 2
            _ = try await store.apply([.upsert(record), Records.paper(other.value)], checkpoint: nil)
            let ann = try await account(store, "ann"), bob = try await account(store, "bob")
            let curator = try await account(store, "cora", role: .curator), admin = try await account(store, "ada", role: .admin)

            let top = try await store.addComment(paper: paper, userID: ann.id, parentID: nil, body: "First!", at: now)
            let reply = try await store.addComment(paper: paper, userID: bob.id, parentID: top.id, body: "A reply", at: now + 1)
            #expect(reply.parentID == top.id && reply.author == "bob" && reply.isVisible)
            #expect(try await store.paper(paper)?.numComments == 4, "the Hub's 2 and ours")
            await #expect(throws: CommentError.parentNotFound(top.id)) {
                _ = try await store.addComment(paper: other, userID: bob.id, parentID: top.id, body: "Elsewhere", at: now)
            }
            await #expect(throws: CommentError.paperNotFound(ArxivID("2611.09999")!)) {
                _ = try await store.addComment(paper: ArxivID("2611.09999")!, userID: bob.id, parentID: nil, body: "?", at: now)
            }
            await #expect(throws: CommentError.notYours(top.id)) {
                _ = try await store.editComment(id: top.id, userID: bob.id, body: "Mine now", at: now)
            }
            let edited = try await store.editComment(id: top.id, userID: ann.id, body: "First, edited", at: now + 5)
            #expect(edited.body == "First, edited" && edited.editedAt == now + 5)

            let hidden = try await store.moderateComment(id: reply.id, moderatorID: curator.id, reason: .offTopic, at: now + 6)
            #expect(hidden.hidden == Moderation(reason: .offTopic, moderator: "cora", at: now + 6))
            #expect(try await store.paper(paper)?.numComments == 3)
            await #expect(throws: CommentError.notAModerator) {
                _ = try await store.moderateComment(id: top.id, moderatorID: bob.id, reason: .spam, at: now)
            }
            _ = try await store.moderateComment(id: reply.id, moderatorID: curator.id, reason: nil, at: now + 7)
            #expect(try await store.paper(paper)?.numComments == 4)

            let deleted = try await store.deleteComment(id: top.id, userID: ann.id, at: now + 8)
            #expect(deleted.deleted && deleted.body.isEmpty)
            await #expect(throws: CommentError.alreadyDeleted(top.id)) { _ = try await store.deleteComment(id: top.id, userID: ann.id, at: now) }
            await #expect(throws: CommentError.parentDeleted(top.id)) {
                _ = try await store.addComment(paper: paper, userID: bob.id, parentID: top.id, body: "Too late", at: now)
            }
            #expect(try await store.comments(on: paper).map(\.id) == [top.id, reply.id], "a deleted comment keeps its place")
            #expect(try await store.paper(paper)?.numComments == 3)

            // Bans: curators ban users, not their peers; an admin outranks a curator.
            try await store.setBan(userID: bob.id, moderatorID: curator.id, reason: "spam links", at: now + 9)
            #expect(try await store.ban(userID: bob.id) == UserBan(reason: "spam links", moderator: "cora", at: now + 9))
            await #expect(throws: CommentError.banned(UserBan(reason: "spam links", moderator: "cora", at: now + 9))) {
                _ = try await store.addComment(paper: paper, userID: bob.id, parentID: nil, body: "Still here", at: now)
            }
            await #expect(throws: CommentError.outranked("ada")) {
                try await store.setBan(userID: admin.id, moderatorID: curator.id, reason: "no", at: now)
            }
            await #expect(throws: CommentError.userNotFound(admin.id + 100)) {
                try await store.setBan(userID: admin.id + 100, moderatorID: admin.id, reason: "no", at: now)
            }
            try await store.setBan(userID: bob.id, moderatorID: admin.id, reason: nil, at: now)
            #expect(try await store.ban(userID: bob.id) == nil)
            _ = try await store.addComment(paper: paper, userID: bob.id, parentID: nil, body: "Back", at: now + 10)
            #expect(try await store.paper(paper)?.numComments == 4)
            #expect(try await store.comment(id: reply.id)?.body == "A reply")
        }
    }

    /// Comments on one paper from two instances at once: the count shown is exact.
    @Test(arguments: Backend.available)
    func concurrentCommentsKeepTheCountExact(backend: Backend) async throws {
        try await backend.withCatalog { catalog, openAnother in
            let store = try Self.store(catalog, backend)
            let paper = ArxivID("2611.00001")!
            _ = try await store.apply([Records.paper(paper.value)], checkpoint: nil)
            let ann = try await account(store, "ann")
            try await openAnother { other in
                let second = try Self.store(other, backend)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for n in 0..<30 {
                        let target = n % 2 == 0 ? store : second
                        group.addTask { _ = try await target.addComment(paper: paper, userID: ann.id, parentID: nil, body: "Note \(n)", at: now) }
                    }
                    try await group.waitForAll()
                }
            }
            #expect(try await store.paper(paper)?.numComments == 30)
            #expect(try await store.comments(on: paper).count == 30)
        }
    }

    /// The daily cap holds when one user's submissions arrive on two instances at once.
    @Test(arguments: Backend.available)
    func submissionsHoldTheDailyCapAcrossInstances(backend: Backend) async throws {
        try await backend.withCatalog { catalog, openAnother in
            let store = try Self.store(catalog, backend)
            let today = 20_413.5  // 2025-11-21, noon (days since 1970)
            let published = "2025-11-19"
            let ids = (1...8).map { ArxivID(String(format: "2511.%05d", $0))! }
            _ = try await store.apply(ids.map { Records.paper($0.value, published: published) }, checkpoint: nil)
            let ann = try await account(store, "ann")
            let rules = SubmissionRules(maxAgeDays: 7, notFeaturedBefore: true, dailyCapPerUser: 3)
            var outcomes: [SubmissionOutcome] = []
            try await openAnother { other in
                let second = try Self.store(other, backend)
                outcomes = try await withThrowingTaskGroup(of: SubmissionOutcome.self) { group in
                    for (n, id) in ids.enumerated() {
                        let target = n % 2 == 0 ? store : second
                        let request = SubmissionRequest(paper: id, user: ann, comment: "see \(n)", override: false, now: today)
                        group.addTask { try await target.submit(request, metadata: nil, rules: rules) }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
            }
            var submitted: [Paper] = []
            var refusals: [SubmissionRefusal.Rule] = []
            for outcome in outcomes {
                switch outcome {
                case .submitted(let paper): submitted.append(paper)
                case .refused(let refusal): refusals.append(refusal.rule)
                case .unknownPaper: Issue.record("every paper is in the catalog")
                }
            }
            #expect(submitted.count == 3)
            #expect(refusals.count == 5 && Set(refusals).count == 1)
            #expect(submitted.allSatisfy { $0.featuredDate == "2025-11-21" && $0.submittedBy == "ann" })
            let first = try #require(submitted.first)
            #expect(try await store.submissions(paper: first.id).map(\.username) == ["ann"])

            // Featured once: a second submission names the rule; a paper nobody has is unknown;
            // metadata given for a paper the catalog lacks is stored with the submission.
            let bob = try await account(store, "bob")
            let again = try await store.submit(
                SubmissionRequest(paper: first.id, user: bob, comment: nil, override: false, now: today), metadata: nil, rules: rules)
            guard case .refused = again else { Issue.record("a featured paper is refused: \(again)"); return }
            let missing = ArxivID("2511.09999")!
            guard case .unknownPaper = try await store.submit(
                SubmissionRequest(paper: missing, user: bob, comment: nil, override: false, now: today), metadata: nil, rules: rules)
            else { Issue.record("no metadata, no paper"); return }
            var record = PaperRecord(id: missing)
            record.title = "Fetched from arXiv"
            record.abstract = "An abstract."
            record.published = published
            guard case .submitted(let fetched) = try await store.submit(
                SubmissionRequest(paper: missing, user: bob, comment: nil, override: false, now: today), metadata: record, rules: rules)
            else { Issue.record("metadata makes the paper"); return }
            #expect(fetched.title == "Fetched from arXiv" && fetched.submittedBy == "bob")
            #expect(try await store.paper(missing)?.featuredDate == "2025-11-21")
        }
    }

    @Test(arguments: Backend.available)
    func collectionsKeepOwnershipCapsAndOrder(backend: Backend) async throws {
        try await backend.withCatalog { catalog, openAnother in
            let store = try Self.store(catalog, backend)
            let ids = (1...6).map { ArxivID("2611.0000\($0)")! }
            _ = try await store.apply(ids.map { Records.paper($0.value, title: "Paper \($0.value)") }, checkpoint: nil)
            let ann = try await account(store, "ann"), bob = try await account(store, "bob")
            let limits = CollectionLimits(maxCollectionsPerUser: 2, maxPapersPerCollection: 4)

            let reading = try await store.createCollection(
                ownerID: ann.id, try CollectionDraft(name: "Reading", description: "later", isPublic: false), firstPaper: ids[0],
                limits: limits, at: now)
            #expect(reading.paperCount == 1 && reading.owner == "ann" && !reading.isPublic)
            let shared = try await store.createCollection(
                ownerID: ann.id, try CollectionDraft(name: "Shared", description: nil, isPublic: true), firstPaper: nil, limits: limits,
                at: now + 1)
            await #expect(throws: CollectionError.tooManyCollections(limit: 2)) {
                _ = try await store.createCollection(
                    ownerID: ann.id, try CollectionDraft(name: "Third", description: nil, isPublic: false), firstPaper: nil, limits: limits, at: now)
            }
            // Someone else's private collection does not exist for them; a public one is not theirs.
            await #expect(throws: CollectionError.collectionNotFound(reading.id)) {
                _ = try await store.addPaper(ids[1], toCollection: reading.id, ownerID: bob.id, limits: limits, at: now)
            }
            await #expect(throws: CollectionError.notYours(shared.id)) {
                _ = try await store.addPaper(ids[1], toCollection: shared.id, ownerID: bob.id, limits: limits, at: now)
            }
            await #expect(throws: CollectionError.paperNotFound(ArxivID("2611.09999")!)) {
                _ = try await store.addPaper(ArxivID("2611.09999")!, toCollection: shared.id, ownerID: ann.id, limits: limits, at: now)
            }

            // Saves from two instances at once stop at the cap; saving twice keeps one entry.
            try await openAnother { other in
                let second = try Self.store(other, backend)
                await withTaskGroup(of: Void.self) { group in
                    for (n, id) in ids.enumerated() {
                        for target in [store, second] {
                            group.addTask { _ = try? await target.addPaper(id, toCollection: shared.id, ownerID: ann.id, limits: limits, at: now + 10 + Double(n)) }
                        }
                    }
                }
            }
            #expect(try await store.collection(id: shared.id)?.paperCount == 4)
            #expect(try await store.papers(inCollection: shared.id, limit: 10, offset: 0).count == 4)

            let removed = try await store.removePaper(ids[0], fromCollection: reading.id, ownerID: ann.id, at: now + 50)
            #expect(removed.paperCount == 0 && removed.updatedAt == now + 50)
            _ = try await store.addPaper(ids[5], toCollection: reading.id, ownerID: ann.id, limits: limits, at: now + 60)
            _ = try await store.addPaper(ids[4], toCollection: reading.id, ownerID: ann.id, limits: limits, at: now + 60)
            #expect(try await store.papers(inCollection: reading.id, limit: 10, offset: 0).map(\.paper.id) == [ids[4], ids[5]],
                    "newest first, and in the order saved within one second")
            let renamed = try await store.updateCollection(
                id: reading.id, ownerID: ann.id, try CollectionUpdate(name: "Read soon", description: .some(nil), isPublic: true), at: now + 70)
            #expect(renamed.name == "Read soon" && renamed.description == nil && renamed.isPublic)

            let choices = try await store.collections(ownerID: ann.id, marking: ids[5])
            #expect(choices.map(\.collection.id) == [reading.id, shared.id])
            let sharedHolds = try await store.papers(inCollection: shared.id, limit: 10, offset: 0).contains { $0.paper.id == ids[5] }
            #expect(choices.map(\.holdsPaper) == [true, sharedHolds])
            #expect(try await store.publicCollections(username: "ANN")?.map(\.id) == [reading.id, shared.id])
            #expect(try await store.publicCollections(username: "nobody") == nil)
            try await store.deleteCollection(id: shared.id, ownerID: ann.id)
            #expect(try await store.collection(id: shared.id) == nil)
            #expect(try await store.publicCollections(username: "ann")?.map(\.id) == [reading.id])
        }
    }
}
