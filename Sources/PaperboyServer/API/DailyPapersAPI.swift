import Catalog
import Foundation
import HTTPTypes
import Hummingbird
import SemanticSearch

/// The Hub-compatible JSON API: `GET /api/daily_papers`, `/api/papers/search`, `/api/papers/{id}`
/// and (Paperboy's own) `/api/papers/{id}/similar`.
/// Parameters and answers follow the Hub's, so `HF_ENDPOINT=http://host:port` clients work.
struct DailyPapersAPI: Sendable {
    let catalog: any CatalogStore
    let listing: FeedListing
    let search: PaperSearch
    let baseURL: String

    static let maxLimit = 100
    static let defaultLimit = 50

    /// A 400 answer naming the parameter and what was expected.
    struct BadRequest: Error { let message: String }

    /// The period a request asks for, as an inclusive range of featured days.
    func period(_ query: [String: String]) throws -> (from: String, through: String)? {
        let given = ["date", "week", "month"].filter { query[$0] != nil }
        guard given.count <= 1 else { throw BadRequest(message: "give only one of date, week and month (got \(given.joined(separator: ", ")))") }
        if let date = query["date"] {
            guard let period = FeedPeriod(.day, date) else { throw BadRequest(message: "date '\(date.prefix(40))' is not a day: expected YYYY-MM-DD") }
            return period.range
        }
        if let week = query["week"] {
            guard let period = FeedPeriod(.week, week) else {
                throw BadRequest(message: "week '\(week.prefix(40))' is not an ISO week: expected YYYY-Www, e.g. 2026-W34")
            }
            return period.range
        }
        if let month = query["month"] {
            guard let period = FeedPeriod(.month, month) else { throw BadRequest(message: "month '\(month.prefix(40))' is not a month: expected YYYY-MM") }
            return period.range
        }
        return nil
    }

    /// `GET /api/daily_papers`.
    func dailyPapers(_ request: Request) async throws -> BufferedResponse {
        do {
            let query = Self.parameters(request)
            let limit = try Self.integer(query["limit"], name: "limit", default: Self.defaultLimit, range: 1...Self.maxLimit)
            let page = try Self.integer(query["p"], name: "p", default: 0, range: 0...100_000)
            let sort: FeedSort
            switch query["sort"] ?? "upvotes" {
            case "publishedAt", "newest": sort = .newest
            case "trending": sort = .trending
            case "upvotes": sort = .upvotes
            case let other: throw BadRequest(message: "sort '\(other.prefix(40))' is not one of publishedAt, trending")
            }
            var range = try period(query)
            if range == nil, query["submitter"] == nil, let latest = try await listing.latestDay() {
                range = (latest, latest)  // like the Hub: without a period, the latest day with papers
            }
            let papers = try await listing.papers(
                from: range?.from, through: range?.through, submitter: query["submitter"], sort: sort, limit: limit, offset: page * limit)
            return Self.json(HubJSON.dailyItems(papers, baseURL: baseURL))
        } catch let bad as BadRequest {
            return Self.error(bad.message, status: .badRequest)
        }
    }

    /// `GET /api/papers/search?q=&limit=&p=&mode=`: hybrid search by default, best match first,
    /// in the shape of `/api/daily_papers` items, as the Hub answers it. The mode that ran, and
    /// why when it is not the one asked, travel in headers: the body stays the Hub's.
    func search(_ request: Request) async throws -> BufferedResponse {
        do {
            let query = Self.parameters(request)
            let limit = try Self.integer(query["limit"], name: "limit", default: Self.defaultLimit, range: 1...Self.maxLimit)
            let page = try Self.integer(query["p"], name: "p", default: 0, range: 0...10_000)
            let mode = try Self.mode(query["mode"])
            let results = try await search.search(query["q"] ?? "", mode: mode, limit: limit, offset: page * limit)
            var response = Self.json(HubJSON.dailyItems(results.hits.map(\.paper), baseURL: baseURL))
            response.headers[.searchMode] = results.mode.rawValue
            if let notice = results.notice { response.headers[.searchNotice] = notice }
            return response
        } catch let bad as BadRequest {
            return Self.error(bad.message, status: .badRequest)
        }
    }

    static func mode(_ text: String?) throws -> SearchMode {
        guard let text else { return .hybrid }
        guard let mode = SearchMode(rawValue: text) else {
            throw BadRequest(message: "mode '\(text.prefix(40))' is not one of keyword, semantic, hybrid")
        }
        return mode
    }

    /// `GET /api/papers/{id}/similar?limit=`: the papers nearest in meaning, most similar first.
    func similar(_ text: String, _ request: Request) async throws -> BufferedResponse {
        do {
            let limit = try Self.integer(Self.parameters(request)["limit"], name: "limit", default: 10, range: 1...Self.maxLimit)
            guard let id = ArxivID(text) else { return Self.error("'\(text.prefix(80))' is not an arXiv id", status: .badRequest) }
            guard let paper = try await catalog.paper(id), !paper.deleted else { return Self.error("Paper not found", status: .notFound) }
            return Self.json(HubJSON.dailyItems(try await search.similar(to: paper, limit: limit), baseURL: baseURL))
        } catch let bad as BadRequest {
            return Self.error(bad.message, status: .badRequest)
        }
    }

    func paper(_ text: String) async throws -> BufferedResponse {
        guard let id = ArxivID(text) else { return Self.error("'\(text.prefix(80))' is not an arXiv id", status: .badRequest) }
        guard let paper = try await catalog.paper(id), !paper.deleted else { return Self.error("Paper not found", status: .notFound) }
        var json = JSONWriter()
        HubJSON.paper(paper, into: &json)
        return Self.json(json.bytes)
    }

    static func parameters(_ request: Request) -> [String: String] {
        QueryString(request).all
    }

    static func integer(_ text: String?, name: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text else { return value }
        guard let n = Int(text), range.contains(n) else {
            throw BadRequest(message: "\(name) '\(text.prefix(40))' must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return n
    }

    static func json(_ bytes: [UInt8], status: HTTPResponse.Status = .ok) -> BufferedResponse {
        BufferedResponse(status: status, contentType: "application/json; charset=utf-8", body: ByteBuffer(bytes: bytes))
    }

    static func error(_ message: String, status: HTTPResponse.Status) -> BufferedResponse {
        var json = JSONWriter(capacity: 128)
        json.object { $0.field("error", message) }
        return Self.json(json.bytes, status: status)
    }
}

extension HTTPField.Name {
    /// The search mode that ran (`/api/papers/search`).
    static let searchMode = Self("X-Search-Mode")!
    /// Why the mode that ran is not the one asked.
    static let searchNotice = Self("X-Search-Notice")!
}
