import Catalog
import Foundation
import Importers
import Logging

/// Pulls papers from the arXiv API (`/api/query`): the last days of a category, or given ids,
/// page by page with `start` and `max_results`.
public struct ArxivAPIHarvester: Sendable {
    public enum Query: Sendable, Equatable {
        /// Papers of `category` submitted in the `days` days up to `until` (a `YYYY-MM-DD` day).
        case recent(category: String, days: Int, until: String)
        case ids([ArxivID])
    }

    public var endpoint: String
    public var pageSize: Int
    public var client: PoliteHTTPClient
    public var runner: ImportRunner
    public var logger: Logger

    public init(endpoint: String = "https://export.arxiv.org/api/query", pageSize: Int = 200, client: PoliteHTTPClient,
                runner: ImportRunner, logger: Logger = Logger(label: "paperboy.arxiv")) {
        self.endpoint = endpoint
        self.pageSize = max(1, min(pageSize, 2000))
        self.client = client
        self.runner = runner
        self.logger = logger
    }

    /// The URL of one page of `query`.
    public func url(for query: Query, start: Int) -> String {
        Self.url(endpoint: endpoint, query: query, start: start, pageSize: pageSize)
    }

    /// The URL of one page of `query` at `endpoint`, `pageSize` entries from `start`.
    public static func url(endpoint: String, query: Query, start: Int, pageSize: Int) -> String {
        var items: [(String, String)]
        switch query {
        case .recent(let category, let days, let until):
            let from = DateText.day(until, plus: -(max(1, days) - 1)) ?? until
            let compact = { (day: String) in day.replacingOccurrences(of: "-", with: "") }
            items = [
                ("search_query", "cat:\(category) AND submittedDate:[\(compact(from))0000 TO \(compact(until))2359]"),
                ("sortBy", "submittedDate"), ("sortOrder", "descending"),
            ]
        case .ids(let ids):
            items = [("id_list", ids.map(\.value).joined(separator: ","))]
        }
        items += [("start", String(start)), ("max_results", String(pageSize))]
        return endpoint + (endpoint.contains("?") ? "&" : "?") + items.map { "\($0.0)=\(encode($0.1))" }.joined(separator: "&")
    }

    /// Harvests every page of `query`, importing each as it arrives.
    public func harvest(_ query: Query) async throws -> ImportSummary {
        var total = ImportSummary(input: endpoint)
        var start = 0
        while true {
            let pageURL = url(for: query, start: start)
            let body = try await client.get(pageURL)
            let reader = AtomFeedReader(ByteReader.bytes(body, name: pageURL))
            let page = try await runner.run(reader, input: pageURL)
            total.absorb(page)
            if let stop = page.stoppedBy { total.stoppedBy = stop; break }
            let received = page.counts.inserted + page.counts.updated + page.counts.unchanged + page.rejected
            let totalResults = reader.totalResults ?? 0
            logger.info("arXiv API: \(start + received) of \(totalResults) entries")
            start += received
            if received == 0 || start >= totalResults { break }
            if case .ids = query { break }
        }
        return total
    }

    static func encode(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~:,")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}

extension ImportSummary {
    /// Adds a page's summary to a harvest's.
    public mutating func absorb(_ page: ImportSummary) {
        counts += page.counts
        for r in page.firstRejections where firstRejections.count < ImportRunner.rejectionsKept {
            firstRejections.append(Rejection(position: "\(page.input) \(r.position)", reason: r.reason))
        }
        rejected += page.rejected
    }
}
