import Catalog
import Foundation
import Hummingbird

/// The Hub-compatible JSON API: `GET /api/daily_papers` and `GET /api/papers/{id}`.
/// Parameters and answers follow the Hub's, so `HF_ENDPOINT=http://host:port` clients work.
struct DailyPapersAPI: Sendable {
    let catalog: any CatalogStore
    let baseURL: String
    /// The current time as days since 1970-01-01, for trending; injectable for tests.
    let now: @Sendable () -> Double

    static let maxLimit = 100
    static let defaultLimit = 50

    /// A 400 answer naming the parameter and what was expected.
    struct BadRequest: Error { let message: String }

    /// The period a request asks for, as an inclusive range of featured days.
    func period(_ query: [String: String]) async throws -> (from: String, through: String)? {
        let given = ["date", "week", "month"].filter { query[$0] != nil }
        guard given.count <= 1 else { throw BadRequest(message: "give only one of date, week and month (got \(given.joined(separator: ", ")))") }
        if let date = query["date"] {
            guard DateText.isDay(date) else { throw BadRequest(message: "date '\(date)' is not a day: expected YYYY-MM-DD") }
            return (date, date)
        }
        if let week = query["week"] {
            guard let range = Self.isoWeek(week) else { throw BadRequest(message: "week '\(week)' is not an ISO week: expected YYYY-Www, e.g. 2026-W34") }
            return range
        }
        if let month = query["month"] {
            guard month.count == 7, DateText.isDay(month + "-01"), let y = Int(month.prefix(4)), let m = Int(month.suffix(2)) else {
                throw BadRequest(message: "month '\(month)' is not a month: expected YYYY-MM")
            }
            return (month + "-01", month + "-" + String(format: "%02d", DateText.daysIn(m, y)))
        }
        return nil
    }

    /// Monday to Sunday of ISO week `YYYY-Www` (week 1 holds January 4th).
    static func isoWeek(_ text: String) -> (String, String)? {
        let parts = text.split(separator: "-")
        guard parts.count == 2, parts[0].count == 4, let year = Int(parts[0]), (1000...9999).contains(year),
              parts[1].count == 3, parts[1].first == "W", let week = Int(parts[1].dropFirst()), week >= 1 else { return nil }
        func mondayOfWeekOne(_ y: Int) -> Int {
            let jan4 = DateText.daysFromCivil(y, 1, 4)
            let weekday = ((jan4 + 3) % 7 + 7) % 7  // 0 = Monday; 1970-01-01 was a Thursday
            return jan4 - weekday
        }
        let weeksInYear = (mondayOfWeekOne(year + 1) - mondayOfWeekOne(year)) / 7
        guard week <= weeksInYear else { return nil }
        let monday = mondayOfWeekOne(year) + (week - 1) * 7
        func day(_ n: Int) -> String {
            let (y, m, d) = DateText.civilFromDays(n)
            return String(format: "%04d-%02d-%02d", y, m, d)
        }
        return (day(monday), day(monday + 6))
    }

    func dailyPapers(_ request: Request) async throws -> Response {
        do {
            let query = Self.parameters(request)
            let limit = try Self.integer(query["limit"], name: "limit", default: Self.defaultLimit, range: 1...Self.maxLimit)
            let page = try Self.integer(query["p"], name: "p", default: 0, range: 0...100_000)
            let sort = query["sort"] ?? "upvotes"
            guard ["publishedAt", "trending", "upvotes"].contains(sort) else {
                throw BadRequest(message: "sort '\(sort)' is not one of publishedAt, trending")
            }
            var range = try await period(query)
            if range == nil, query["submitter"] == nil {
                // Like the Hub: without a period, the latest day with papers.
                if let latest = try await catalog.papers(PaperQuery(order: .featured, limit: 1)).first?.featuredDate {
                    range = (latest, latest)
                }
            }
            var base = PaperQuery(
                featuredFrom: range?.from, featuredThrough: range?.through, submittedBy: query["submitter"],
                order: sort == "publishedAt" ? .featured : .upvotes, limit: limit, offset: page * limit)
            if range == nil { base.featuredFrom = "0000-01-01" }  // a submitter's papers: featured ones only
            let papers: [Paper]
            if sort == "trending" {
                var all = base
                all.limit = 5_000
                all.offset = 0
                let now = now()
                let ranked = try await catalog.papers(all).sorted {
                    TrendingScore.score(upvotes: $0.upvotes, featuredDay: $0.featuredDate, now: now)
                        > TrendingScore.score(upvotes: $1.upvotes, featuredDay: $1.featuredDate, now: now)
                }
                papers = Array(ranked.dropFirst(page * limit).prefix(limit))
            } else {
                papers = try await catalog.papers(base)
            }
            return try Self.json(papers.map { HubJSON.dailyItem($0, baseURL: baseURL) })
        } catch let bad as BadRequest {
            return Self.error(bad.message, status: .badRequest)
        }
    }

    func paper(_ text: String) async throws -> Response {
        guard let id = ArxivID(text) else { return Self.error("'\(text.prefix(80))' is not an arXiv id", status: .badRequest) }
        guard let paper = try await catalog.paper(id), !paper.deleted else { return Self.error("Paper not found", status: .notFound) }
        return try Self.json(HubJSON.paper(paper))
    }

    static func parameters(_ request: Request) -> [String: String] {
        var out: [String: String] = [:]
        for (key, value) in request.uri.queryParameters { out[String(key)] = String(value) }
        return out
    }

    static func integer(_ text: String?, name: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text else { return value }
        guard let n = Int(text), range.contains(n) else {
            throw BadRequest(message: "\(name) '\(text.prefix(40))' must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return n
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let data = try encoder.encode(value)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func error(_ message: String, status: HTTPResponse.Status) -> Response {
        (try? json(["error": message], status: status)) ?? Response(status: status)
    }
}
