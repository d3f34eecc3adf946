import Catalog
import Foundation
import Importers
import Logging

/// Harvests arXiv's OAI-PMH interface (`ListRecords`), following resumption tokens and
/// remembering in the catalog where the last complete harvest stopped, so that the next run
/// asks only for what changed since.
public struct OAIHarvester: Sendable {
    public enum MetadataFormat: String, Sendable, CaseIterable {
        case arXiv
        case arXivRaw
    }

    public var endpoint: String
    public var set: String?
    public var format: MetadataFormat
    public var client: PoliteHTTPClient
    public var runner: ImportRunner
    public var logger: Logger

    public init(endpoint: String = "https://oaipmh.arxiv.org/oai", set: String?, format: MetadataFormat = .arXiv,
                client: PoliteHTTPClient, runner: ImportRunner, logger: Logger = Logger(label: "paperboy.oai")) {
        self.endpoint = endpoint
        self.set = set
        self.format = format
        self.client = client
        self.runner = runner
        self.logger = logger
    }

    /// The catalog state key under which this harvest's progress is kept.
    public var stateKey: String { "oai|\(endpoint)|\(set ?? "*")|\(format.rawValue)" }

    /// The `from` day the next harvest would use when none is given.
    public func rememberedFrom() async throws -> String? {
        try await runner.store.state(stateKey + "|from")
    }

    /// Harvests records changed from `from` (a `YYYY-MM-DD` day; default: where the last
    /// harvest stopped, else everything) through `until`. An interrupted harvest resumes
    /// from its last resumption token when the server still accepts it.
    public func harvest(from: String? = nil, until: String? = nil) async throws -> ImportSummary {
        let store = runner.store
        var summary = ImportSummary(input: endpoint)
        let remembered = try await rememberedFrom()
        let start = from ?? remembered
        var token = try await store.state(stateKey + "|token")
        if from != nil { token = nil }
        var latestResponseDate: String?
        var page = 0
        while true {
            page += 1
            let url = token.map { pageURL(token: $0) } ?? firstPageURL(from: start, until: until)
            let body: [UInt8]
            do {
                body = try await client.get(url)
            } catch let error as PoliteHTTPClient.FetchError {
                if token != nil, case .status(_, let code, _) = error, code == 400 || code == 422 {
                    // A stale token from an interrupted harvest: start the range again.
                    logger.warning("resumption token refused; restarting the harvest from \(start ?? "the beginning")")
                    token = nil
                    try await store.setState(stateKey + "|token", to: nil)
                    continue
                }
                throw error
            }
            let reader = OAIPMHReader(ByteReader.bytes(body, name: url))
            let result = try await runner.run(reader, input: url)
            summary.absorb(result)
            if let stop = result.stoppedBy {
                if case .remote(_, let reason) = stop, reason.contains("badResumptionToken"), token != nil {
                    logger.warning("resumption token expired; restarting the harvest from \(start ?? "the beginning")")
                    token = nil
                    try await store.setState(stateKey + "|token", to: nil)
                    continue
                }
                summary.stoppedBy = stop
                return summary
            }
            latestResponseDate = reader.responseDate ?? latestResponseDate
            token = reader.resumptionToken
            // Saved after the page is committed: a crash resumes at the next page.
            try await store.setState(stateKey + "|token", to: token)
            let size = reader.completeListSize.map { " of \($0)" } ?? ""
            logger.info("OAI-PMH page \(page): \(summary.counts.inserted + summary.counts.updated + summary.counts.unchanged + summary.counts.deleted)\(size) records")
            if token == nil { break }
        }
        // The next harvest starts at the day of this one's response (OAI datestamps are days).
        if let day = latestResponseDate.flatMap(DateText.day) {
            try await store.setState(stateKey + "|from", to: day)
        }
        return summary
    }

    func firstPageURL(from: String?, until: String?) -> String {
        var items = [("verb", "ListRecords"), ("metadataPrefix", format.rawValue)]
        if let set { items.append(("set", set)) }
        if let from { items.append(("from", from)) }
        if let until { items.append(("until", until)) }
        return endpoint + "?" + items.map { "\($0.0)=\(ArxivAPIHarvester.encode($0.1))" }.joined(separator: "&")
    }

    func pageURL(token: String) -> String {
        endpoint + "?verb=ListRecords&resumptionToken=" + ArxivAPIHarvester.encode(token)
    }
}
