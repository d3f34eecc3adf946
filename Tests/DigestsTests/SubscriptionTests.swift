import Catalog
import Community
import CatalogSQLite
import Digests
import Foundation
import Testing
import TestSupport

@Suite struct SubscriptionRulesTests {
    @Test func refusesAddressesThatCouldInjectHeaders() {
        for bad in ["reader@example.org\r\nBcc: victim@example.org", "a@b.org\nX: y", "no-at-sign", "two@@example.org", "", "   ",
                    "<reader@example.org>", "reader@example.org, other@example.org"] {
            #expect(throws: SubscriptionError.self, "\(bad.debugDescription)") {
                try SubscriptionRequest.make(email: bad, frequency: "daily", topics: nil)
            }
        }
        let error = try? #require(throws: SubscriptionError.self) { try SubscriptionRequest.make(email: "x@y.org\r\nBcc: z@y.org", frequency: nil, topics: nil) }
        #expect(error?.field == "email")
    }

    @Test func normalisesTheDomainOnly() throws {
        let request = try SubscriptionRequest.make(email: "  Ann.Reader@Example.ORG ", frequency: "WEEKLY", topics: "")
        #expect(request.email == "Ann.Reader@example.org")
        #expect(request.frequency == .weekly)
    }

    @Test func refusesUnknownFrequencyAndForMeWithoutAccount() {
        #expect(throws: SubscriptionError.invalid(field: "frequency", "must be daily or weekly, not 'hourly'")) {
            try SubscriptionRequest.make(email: "a@example.org", frequency: "hourly", topics: nil)
        }
        #expect(throws: SubscriptionError.self) { try SubscriptionRequest.make(email: "a@example.org", frequency: "daily", topics: nil, forMe: true) }
    }

    @Test func topicsSplitIntoCategoriesAndKeywords() throws {
        let topics = try DigestTopics(parsing: "cs.cl, diffusion; \"State Space\"\nhep-th, cs.CL, Diffusion")
        #expect(topics.categories == ["cs.CL", "hep-th"])
        #expect(topics.keywords == ["diffusion", "State Space"])
        #expect(topics.text == "cs.CL, hep-th, diffusion, State Space")
        #expect(try DigestTopics(parsing: topics.text) == topics)
        #expect(throws: SubscriptionError.self) { try DigestTopics(parsing: Array(repeating: "word", count: 21).enumerated().map { "\($1)\($0)" }.joined(separator: ",")) }
        #expect(throws: SubscriptionError.self) { try DigestTopics(parsing: String(repeating: "x", count: 61)) }
    }

    @Test func topicsAdmitByCategoryOrWholeWord() throws {
        func paper(_ title: String, _ categories: [String]) -> Paper {
            Paper(id: ArxivID("2611.00001")!, version: 1, title: title, abstract: "An abstract.", authors: [], categories: categories)
        }
        let topics = try DigestTopics(parsing: "cs.CL, GAN")
        #expect(topics.admits(paper("Anything", ["cs.CL", "cs.AI"])))
        #expect(topics.admits(paper("Training GANs faster", ["cs.CV"])))
        #expect(!topics.admits(paper("An organ atlas", ["q-bio.TO"])))
        #expect(topics.admits(paper("On “GANs” and their critics", ["cs.CV"])), "a curly quote is a word boundary")
        #expect(!topics.admits(paper("The ÉGAN dialect", ["cs.SD"])), "an accented letter is not")
        #expect(try DigestTopics(parsing: "électron").admits(paper("Electron transport", ["cond-mat"])), "accents fold")
        #expect(try DigestTopics(parsing: "cs").admits(paper("X", ["cs.LG"])))
        #expect(DigestTopics().admits(paper("X", ["math.AG"])))
    }
}

@Suite struct SubscriptionLinksTests {
    let links = SubscriptionLinks(secret: Array(repeating: 7, count: 32), baseURL: "https://papers.example.org/")
    let now = Date(timeIntervalSince1970: 1_764_000_000)

    @Test func roundTripsAndNamesEachRefusal() throws {
        let token = links.token(.confirm, subscription: 42, now: now)
        #expect(try links.verify(token, for: .confirm, now: now) == 42)
        #expect(links.url(.unsubscribe, subscription: 42, now: now).hasPrefix("https://papers.example.org/digest/unsubscribe/u42-"))
        #expect(throws: SubscriptionLinks.Refusal.wrongPurpose) {
            // Same secret, same id: a preferences link cannot confirm.
            try links.verify(links.token(.preferences, subscription: 42, now: now), for: .confirm, now: now)
        }
        #expect(throws: SubscriptionLinks.Refusal.self) { try links.verify(token, for: .confirm, now: now.addingTimeInterval(4 * 86_400)) }
        // Another subscription's id with the old signature.
        let forged = token.replacingOccurrences(of: "c42-", with: "c43-")
        #expect(throws: SubscriptionLinks.Refusal.badSignature) { try links.verify(forged, for: .confirm, now: now) }
        // A later expiry with the old signature.
        let parts = token.split(separator: ".")
        let extended = "c42-9999999999." + parts[1]
        #expect(throws: SubscriptionLinks.Refusal.badSignature) { try links.verify(extended, for: .confirm, now: now) }
        for broken in ["", "abc", "c42-1.", ".AAAA", String(repeating: "a", count: 300), "c42-1.!!!!"] {
            #expect(throws: SubscriptionLinks.Refusal.self) { try links.verify(broken, for: .confirm, now: now) }
        }
        let otherSecret = SubscriptionLinks(secret: Array(repeating: 8, count: 32), baseURL: "https://papers.example.org")
        #expect(throws: SubscriptionLinks.Refusal.badSignature) { try otherSecret.verify(token, for: .confirm, now: now) }
    }
}

@Suite struct DigestScheduleTests {
    func date(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    @Test func weekdaysSendThePreviousWeekdayAndMondaysTheWeek() throws {
        let schedule = try DigestSchedule(time: "08:00", timeZone: "UTC")
        #expect(schedule.duePeriods(at: date("2026-11-24T07:59:00Z")).isEmpty)
        #expect(schedule.duePeriods(at: date("2026-11-24T08:00:00Z")).map(\.key) == ["daily:2026-11-23"])
        #expect(schedule.duePeriods(at: date("2026-11-23T09:00:00Z")).map(\.key) == ["daily:2026-11-20", "weekly:2026-W47"])
        #expect(schedule.duePeriods(at: date("2026-11-28T12:00:00Z")).isEmpty)
        #expect(schedule.latestPeriods(at: date("2026-11-29T12:00:00Z")).map(\.key) == ["daily:2026-11-26"])
    }

    @Test func theTimeIsLocal() throws {
        let schedule = try DigestSchedule(time: "08:00", timeZone: "Asia/Tokyo")
        // 23:30 UTC on Monday is 08:30 on Tuesday in Tokyo.
        #expect(schedule.duePeriods(at: date("2026-11-23T23:30:00Z")).map(\.key) == ["daily:2026-11-23"])
        #expect(throws: SubscriptionError.self) { try DigestSchedule(time: "8am", timeZone: "UTC") }
        #expect(throws: SubscriptionError.self) { try DigestSchedule(time: "24:00", timeZone: "UTC") }
        #expect(throws: SubscriptionError.self) { try DigestSchedule(time: "08:00", timeZone: "Mars/Olympus") }
    }
}

@Suite struct SubscriptionStoreTests {
    let now = Date(timeIntervalSince1970: 1_764_000_000)

    @Test func doubleOptInAndLeaving() async throws {
        let store = try await TestSupport.freshCatalog()
        let request = try SubscriptionRequest.make(email: "ann@example.org", frequency: "weekly", topics: "cs.CL")
        guard case .needsConfirmation(let pending) = try await store.subscribe(request, at: now, limit: (3, 86_400)) else {
            Issue.record("expected a pending subscription"); return
        }
        #expect(pending.status == .pending && pending.frequency == .weekly && pending.topics.categories == ["cs.CL"])
        // Pending subscribers get no digest.
        #expect(try await store.planDigests(for: DigestPeriod("weekly:2026-W48")!, at: now) == 0)
        let active = try #require(try await store.confirmSubscription(id: pending.id, at: now))
        #expect(active.status == .active && active.confirmedAt != nil)
        // Someone else asking for the same address (any case) changes nothing.
        let stranger = try SubscriptionRequest.make(email: "ann@EXAMPLE.org", frequency: "daily", topics: "")
        #expect(try await store.subscribe(stranger, at: now, limit: (3, 86_400)) == .alreadyActive(active))
        #expect(try await store.subscription(id: pending.id)?.frequency == .weekly)
        #expect(try await store.unsubscribe(id: pending.id, at: now)?.status == .unsubscribed)
        // A confirmation link opened after leaving does not bring the subscription back.
        #expect(try await store.confirmSubscription(id: pending.id, at: now) == nil)
        #expect(try await store.subscriptionCounts()[.unsubscribed] == 1)
    }

    @Test func aThousandRequestsForOneAddressStoreOnlyTheAllowed() async throws {
        let store = try await TestSupport.freshCatalog()
        let request = try SubscriptionRequest.make(email: "flood@example.org", frequency: "daily", topics: "")
        var refused = 0, retryAfter = 0
        for i in 0..<1_000 {
            if case .tooManyRequests(let wait) = try await store.subscribe(request, at: now.addingTimeInterval(Double(i)), limit: (3, 86_400)) {
                refused += 1
                retryAfter = wait
            }
        }
        #expect(refused == 997)
        #expect(retryAfter > 80_000)
        #expect(try await store.subscriptionCounts()[.pending] == 1)
        // The window moves on.
        if case .tooManyRequests = try await store.subscribe(request, at: now.addingTimeInterval(86_401), limit: (3, 86_400)) {
            Issue.record("a day later the address may ask again")
        }
    }

    @Test func aReaderLikesWhatTheyUpvotedAndSaved() async throws {
        let store = try await TestSupport.freshCatalog()
        var changes: [CatalogChange] = []
        for n in 1...3 {
            var record = PaperRecord(id: ArxivID("2611.0000\(n)")!)
            record.title = "Paper \(n)"
            changes.append(.upsert(record))
        }
        _ = try await store.apply(changes, checkpoint: nil)
        let user = try await store.createUser(NewUser(username: "reader", email: "reader@example.org", passwordHash: "x"), at: now)
        let other = try await store.createUser(NewUser(username: "other", email: "other@example.org", passwordHash: "x"), at: now)
        _ = try await store.setVote(userID: user.id, paper: ArxivID("2611.00001")!, voted: true, at: now)
        _ = try await store.setVote(userID: other.id, paper: ArxivID("2611.00003")!, voted: true, at: now)
        _ = try await store.createCollection(
            ownerID: user.id, try CollectionDraft(name: "Later", description: nil, isPublic: false), firstPaper: ArxivID("2611.00002")!,
            limits: CollectionLimits(), at: now.addingTimeInterval(60))
        // Voted and saved too: listed once.
        _ = try await store.createCollection(
            ownerID: user.id, try CollectionDraft(name: "Best", description: nil, isPublic: true), firstPaper: ArxivID("2611.00001")!,
            limits: CollectionLimits(), at: now.addingTimeInterval(30))
        #expect(try await store.papersLiked(byUser: user.id, limit: 10).map(\.description) == ["2611.00002", "2611.00001"])
        #expect(try await store.papersLiked(byUser: other.id, limit: 10).map(\.description) == ["2611.00003"])
    }

    @Test func theSecretIsMadeOnceAndShared() async throws {
        let store = try await TestSupport.freshCatalog()
        let first = try await store.linkSigningSecret()
        #expect(first.count == 32)
        let reopened = try SQLiteCatalog(path: store.path)
        #expect(try await reopened.linkSigningSecret() == first)
    }
}
