import ArgumentParser
import ArxivClient
import Catalog
import Foundation
import Importers
import Logging

/// `paperboy ingest arxiv|oai`: live harvesting from arXiv's services.
struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Fetch papers live from the arXiv API or arXiv's OAI-PMH interface.",
        subcommands: [ArxivAPI.self, OAI.self]
    )

    /// Politeness settings shared by both harvesters.
    struct PolitenessOptions: ParsableArguments {
        @Option(help: "Seconds between two requests (arXiv asks for at least 3).")
        var interval: Double = 3

        @Option(help: "Attempts per page on server errors and time-outs before giving up.")
        var attempts = 5

        @Option(help: "Seconds to wait after the first failure; doubles with each retry.")
        var backoff: Double = 5

        @Option(help: "Seconds before a request times out.")
        var timeout: Double = 60

        func validate() throws {
            guard interval >= 0, backoff >= 0, timeout > 0 else { throw ValidationError("--interval, --backoff and --timeout must not be negative") }
            guard attempts >= 1 else { throw ValidationError("--attempts must be at least 1") }
        }

        var policy: PoliteHTTPClient.Policy {
            var policy = PoliteHTTPClient.Policy()
            policy.minimumInterval = .milliseconds(Int(interval * 1000))
            policy.maxAttempts = attempts
            policy.initialBackoff = .milliseconds(Int(backoff * 1000))
            policy.timeout = .milliseconds(Int(timeout * 1000))
            return policy
        }
    }

    struct ArxivAPI: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "arxiv",
            abstract: "Fetch recent papers of a category, or given ids, from the arXiv API.",
            discussion: """
                Examples:
                  paperboy ingest arxiv --category cs.CL --days 3
                  paperboy ingest arxiv --id 2501.01234 --id hep-th/9901001
                """
        )

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var politeness: PolitenessOptions
        @OptionGroup var embedding: EmbeddingOptions

        @Option(help: "An arXiv category, e.g. cs.CL.")
        var category: String?

        @Option(help: "How many days back from today (UTC) to fetch, today included.")
        var days = 1

        @Option(name: .customLong("id"), help: "An arXiv id (repeatable); instead of --category.")
        var ids: [String] = []

        @Option(help: "Entries per request (max_results).")
        var pageSize = 200

        @Option(help: "The API's address.")
        var endpoint = "https://export.arxiv.org/api/query"

        func validate() throws {
            if category == nil && ids.isEmpty { throw ValidationError("give --category (with --days) or at least one --id") }
            if category != nil && !ids.isEmpty { throw ValidationError("give either --category or --id, not both") }
            for id in ids where ArxivID(id) == nil {
                throw ValidationError("--id \(id): not an arXiv id (expected e.g. 2501.01234 or hep-th/9901001)")
            }
            guard (1...365).contains(days) else { throw ValidationError("--days must be between 1 and 365") }
            guard (1...2000).contains(pageSize) else { throw ValidationError("--page-size must be between 1 and 2000") }
        }

        func run() async throws {
            try await database.withCatalog { catalog in
                let client = PoliteHTTPClient(policy: politeness.policy)
                let harvester = ArxivAPIHarvester(
                    endpoint: endpoint, pageSize: pageSize, client: client, runner: ImportRunner(store: catalog))
                let query: ArxivAPIHarvester.Query =
                    if let category {
                        .recent(category: category, days: days, until: String(ISO8601DateFormatter().string(from: Date()).prefix(10)))
                    } else {
                        .ids(ids.compactMap { ArxivID($0) })
                    }
                try await finish(client, catalog, embedding, job: "ingest arxiv " + (category ?? ids.joined(separator: ","))) { try await harvester.harvest(query) }
            }
        }
    }

    struct OAI: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "oai",
            abstract: "Harvest arXiv's OAI-PMH interface (ListRecords), incrementally.",
            discussion: """
                Without --from, a harvest starts where the last complete one of the same set and
                format stopped (or from the beginning the first time). Deleted records are marked
                deleted in the catalog.

                Example:
                  paperboy ingest oai --set cs --from 2026-11-01
                """
        )

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var politeness: PolitenessOptions
        @OptionGroup var embedding: EmbeddingOptions

        @Option(help: "An OAI set, e.g. cs, math, physics:hep-th.")
        var set: String?

        @Option(help: "First day (YYYY-MM-DD) of changes to harvest.")
        var from: String?

        @Option(help: "Last day (YYYY-MM-DD) of changes to harvest.")
        var until: String?

        @Option(help: "Metadata format: arXiv or arXivRaw.")
        var metadata: OAIHarvester.MetadataFormat = .arXiv

        @Option(help: "The OAI-PMH base URL.")
        var endpoint = "https://oaipmh.arxiv.org/oai"

        func validate() throws {
            for (name, value) in [("--from", from), ("--until", until)] {
                if let value, !DateText.isDay(value) { throw ValidationError("\(name) \(value): expected a day as YYYY-MM-DD") }
            }
        }

        func run() async throws {
            try await database.withCatalog { catalog in
                let client = PoliteHTTPClient(policy: politeness.policy)
                let harvester = OAIHarvester(
                    endpoint: endpoint, set: set, format: metadata, client: client, runner: ImportRunner(store: catalog))
                try await finish(client, catalog, embedding, job: "ingest oai --set \(set ?? "(all)")") { try await harvester.harvest(from: from, until: until) }
            }
        }
    }
}

extension OAIHarvester.MetadataFormat: ExpressibleByArgument {}

/// Runs a harvest, prints its summary, closes the client, indexes and embeds what it wrote, and
/// turns failures into exit 1.
private func finish(
    _ client: PoliteHTTPClient, _ catalog: any CatalogStore, _ embedding: EmbeddingOptions, job: String,
    _ harvest: () async throws -> ImportSummary
) async throws {
    do {
        // Every instance's cron may start the same harvest: on a shared database one runs it.
        guard let summary = try await catalog.exclusively(job, { try await harvest() }) else {
            try await client.shutdown()
            print("\(job): another process is running this harvest on the same catalog; nothing to do")
            return
        }
        try await client.shutdown()
        print(summary.report)
        try await updateSearchIndex(catalog)
        try await embedding.embedNewPapers(catalog)
        if !summary.completed { throw ExitCode(1) }
    } catch let error as ExitCode {
        throw error
    } catch {
        try? await client.shutdown()
        printError("\(error)")
        throw ExitCode(1)
    }
}
