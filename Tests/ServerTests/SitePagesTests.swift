import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The HTML pages, through the real router over a real SQLite catalog of real papers.
@Suite struct SitePagesTests {
    /// What every page carries: the search box, the subscribe box, feed autodiscovery.
    func expectLayout(_ body: String, _ uri: String) {
        #expect(body.contains("<form class=\"search\" action=\"/search\""), "\(uri): search box")
        #expect(body.contains("<form class=\"subscribe\""), "\(uri): subscribe box")
        #expect(body.contains("Get trending papers in your email inbox"), "\(uri)")
        #expect(body.contains("type=\"application/rss+xml\""), "\(uri): RSS autodiscovery")
        #expect(body.contains("type=\"application/atom+xml\""), "\(uri): Atom autodiscovery")
        #expect(body.contains("prefers-color-scheme:dark"), "\(uri): dark mode")
    }

    @Test func feedPagesListTheRightPapersWithNavigation() async throws {
        try await TestSite.with { client in
            let latest = try await client.get("/papers")
            #expect(latest.status == .ok)
            #expect(latest.body.contains("<h1>Friday, 21 August 2026</h1>"))
            #expect(latest.body.occurrences(of: "<article class=\"card\">") == 18, "17 real papers and the hostile one")
            #expect(latest.body.contains("rel=\"prev\" href=\"/papers/date/2026-08-20\""))
            #expect(!latest.body.contains("rel=\"next\""), "nothing after the latest day")
            self.expectLayout(latest.body, "/papers")

            let day = try await client.get("/papers/date/2026-08-17")
            #expect(day.body.contains("rel=\"prev\" href=\"/papers/date/2026-08-14\""), "the weekend has no papers: skip it")
            #expect(day.body.contains("rel=\"next\" href=\"/papers/date/2026-08-18\""))
            #expect(day.body.occurrences(of: "<article class=\"card\">") == 23)

            let week = try await client.get("/papers/week/2026-W34")
            #expect(week.body.contains("<h1>Week 34 of 2026</h1>"))
            #expect(week.body.occurrences(of: "<article class=\"card\">") == 50, "a page of 50")
            #expect(week.body.contains("href=\"/papers/week/2026-W34?p=1\""), "more on the next page")
            #expect(week.body.contains("<svg class=\"chart\""), "papers per day, as a picture")
            #expect(week.body.contains("rel=\"prev\" href=\"/papers/week/2026-W33\""))
            let weekEnd = try await client.get("/papers/week/2026-W34?p=2")
            #expect(weekEnd.body.occurrences(of: "<article class=\"card\">") == 109 - 100, "17 to 23 August: 109 papers")
            #expect(!weekEnd.body.contains("Next page"))

            let first = try await client.get("/papers/week/2026-W31")
            #expect(!first.body.contains("rel=\"prev\""), "the demo starts on Monday of week 31")
            let month = try await client.get("/papers/month/2026-07")
            #expect(month.body.contains("<h1>July 2026</h1>"))
            #expect(month.body.occurrences(of: "<article class=\"card\">") == 50)
            #expect(month.body.contains("rel=\"next\" href=\"/papers/month/2026-08\""))
            let empty = try await client.get("/papers/month/2020-01")
            #expect(empty.status == .ok)
            #expect(empty.body.contains("No papers were featured in this month."))
            #expect(empty.body.contains("rel=\"next\" href=\"/papers/month/2026-07\""))

            #expect(try await client.get("/papers/week").headers[.location] == "/papers/week/2026-W34")
            #expect(try await client.get("/papers/month").headers[.location] == "/papers/month/2026-08")
        }
    }

    /// The upvote counts of the cards, in page order.
    func votes(_ body: String) -> [Int] {
        body.components(separatedBy: "<div class=\"votes\">").dropFirst().compactMap { Int($0.prefix { $0.isNumber }) }
    }

    @Test func sortingByUpvotesTrendingAndNewest() async throws {
        try await TestSite.with { client in
            let byVotes = try await client.get("/papers/week/2026-W34")
            #expect(self.votes(byVotes.body) == self.votes(byVotes.body).sorted(by: >))
            #expect(byVotes.body.contains("<strong>Most upvoted</strong>"))
            let trending = try await client.get("/papers/week/2026-W34?sort=trending")
            #expect(trending.body.contains("<strong>Trending</strong>"))
            #expect(self.votes(trending.body) != self.votes(byVotes.body), "age discounts the older days' votes")
            let newest = try await client.get("/papers/date/2026-08-21?sort=newest")
            #expect(newest.status == .ok && newest.body.contains("<strong>Newest</strong>"))
            let page = try await client.get("/papers/trending")
            #expect(page.body.contains("<h1>Trending papers</h1>"))
            #expect(page.body.occurrences(of: "<article class=\"card\">") == 50)
        }
    }

    @Test func paperPageShowsEverything() async throws {
        try await TestSite.with { client in
            let page = try await client.get("/papers/2608.19880")
            #expect(page.status == .ok)
            for fragment in [
                "<h1>EnvHarness: Awakening Static Worlds for Agent Learning</h1>", "Chengsong Huang",
                "href=\"https://arxiv.org/abs/2608.19880\"", "href=\"https://arxiv.org/pdf/2608.19880\"",
                "href=\"https://github.com/google-research/envharness\"", "href=\"/papers/date/2026-08-21\"",
                "href=\"/users/taesiri\"", "163<small>upvotes</small>", "<h2>Abstract</h2>",
            ] { #expect(page.body.contains(fragment), "\(fragment)") }
            self.expectLayout(page.body, "/papers/2608.19880")

            let plain = try await client.get("/papers/\(TestSite.plainID)")
            #expect(plain.status == .ok, "every paper of the catalog has a page, featured or not")
            for fragment in ["<h1>A Paper Nobody Featured</h1>", "(v3)", "<span class=\"chip\">math.AG</span>",
                             "href=\"https://doi.org/10.1000/xyz123\"", "href=\"https://arxiv.org/pdf/hep-th/9901001\""] {
                #expect(plain.body.contains(fragment), "\(fragment)")
            }
            #expect(!plain.body.contains("Featured</dt>"))
            #expect(try await client.get("/api/papers/\(TestSite.plainID)").status == .ok)
        }
    }

    @Test func submitterSearchAndSubscribePages() async throws {
        try await TestSite.with { client in
            let user = try await client.get("/users/taesiri")
            #expect(user.status == .ok && user.body.contains("<h1>Papers submitted by taesiri</h1>"))
            #expect(user.body.occurrences(of: "<article class=\"card\">") > 0)
            #expect(try await client.get("/users/nobody-at-all").status == .notFound)

            let search = try await client.get("/search?q=agent+memory")
            #expect(search.status == .ok)
            #expect(search.body.contains("<mark>Memory</mark>"))
            #expect(search.body.contains("href=\"/feeds/search.rss?q=agent%20memory\""), "a feed of this search")
            #expect(try await client.get("/search?q=zzzqqqxxx").body.contains("No results"))
            #expect(try await client.get("/search").body.contains("Type words"))

            let subscribe = try await client.get("/subscribe?email=a%40b.org")
            #expect(subscribe.status == .ok && subscribe.body.contains("/feeds/daily.rss"))
        }
    }

    @Test func markupInPapersIsEscapedEverywhere() async throws {
        try await TestSite.with { client in
            for uri in ["/papers", "/papers/\(TestSite.hostileID)", "/search?q=script+alert", "/users/%3Cevil%3E",
                        "/search?q=%3Cscript%3Ealert(1)%3C/script%3E", "/papers/%3Cscript%3E"] {
                let page = try await client.get(uri)
                #expect(!page.body.contains("<script"), "\(uri)")
                #expect(!page.body.contains("<img src=x"), "\(uri)")
                #expect(!page.body.contains("<b>Bold"), "\(uri)")
                #expect(!page.body.contains("<evil>"), "\(uri)")
            }
            let paper = try await client.get("/papers/\(TestSite.hostileID)")
            #expect(paper.body.contains("&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt; &amp; &quot;Quotes&quot;"))
            #expect(paper.body.contains("href=\"/users/%3Cevil%3E\""))
        }
    }

    @Test(arguments: [
        ("/nothing/here", HTTPResponse.Status.notFound), ("/papers/date/2026-02-30", .badRequest), ("/papers/date/yesterday", .badRequest),
        ("/papers/week/2026-W60", .badRequest), ("/papers/week/2026-34", .badRequest), ("/papers/month/2026-13", .badRequest),
        ("/papers?sort=random", .badRequest), ("/papers?p=-1", .badRequest), ("/papers/week/2026-W34?p=99999999999999999999", .badRequest),
        ("/papers/..%2F..%2Fetc%2Fpasswd", .notFound), ("/papers/2501.99999", .notFound), ("/papers/hep-th/9901002", .notFound),
        ("/papers/%00", .notFound), ("/search?q=x&p=-3", .badRequest), ("/feeds/nothing.rss", .notFound), ("/feeds/daily.json", .notFound),
        ("/feeds/search.rss", .badRequest), ("/users/" + String(repeating: "x", count: 300), .notFound),
    ])
    func badAddressesGetAClearPageNeverA5xx(uri: String, status: HTTPResponse.Status) async throws {
        try await TestSite.with { client in
            let page = try await client.get(uri)
            #expect(page.status == status, "\(uri)")
            if page.headers[.contentType]?.hasPrefix("text/html") == true { self.expectLayout(page.body, uri) }
        }
    }
}
