import ArgumentParser
import Catalog
import CatalogSQLite
import Foundation

/// `paperboy papers list|show`: reads the catalog from the terminal.
struct PapersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "papers",
        abstract: "List or show papers in the catalog.",
        subcommands: [List.self, Show.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List papers, most upvoted first by default.",
            discussion: """
                Examples:
                  paperboy papers list --date 2026-08-21
                  paperboy papers list --category cs.CL --sort published --limit 20
                """
        )

        @OptionGroup var database: DatabaseOptions

        @Option(help: "Only papers featured on this day (YYYY-MM-DD).")
        var date: String?

        @Option(help: "Only papers whose categories include this one, e.g. cs.CL.")
        var category: String?

        @Option(help: "Order: upvotes, featured (newest featured day first) or published (newest first).")
        var sort: PaperQuery.Order = .upvotes

        @Option(help: "How many papers to show.")
        var limit = 20

        @Option(help: "How many papers to skip first.")
        var offset = 0

        @Flag(help: "Print JSON (one object per paper, as an array).")
        var json = false

        func validate() throws {
            if let date, !DateText.isDay(date) { throw ValidationError("--date \(date): expected a day as YYYY-MM-DD") }
            guard (1...10_000).contains(limit) else { throw ValidationError("--limit must be between 1 and 10000") }
            guard offset >= 0 else { throw ValidationError("--offset must not be negative") }
        }

        func run() async throws {
            try await database.withCatalog { catalog in
                let papers = try await catalog.papers(
                    PaperQuery(featuredOn: date, category: category, order: sort, limit: limit, offset: offset))
                if json {
                    print(try encodeJSON(papers))
                    return
                }
                if papers.isEmpty { print("No papers match."); return }
                for paper in papers {
                    let day = paper.featuredDate ?? paper.published.map { String($0.prefix(10)) } ?? "          "
                    let votes = String(paper.upvotes).leftPadded(to: 4)
                    print("\(votes) ▲  \(day)  \(paper.id.value.rightPadded(to: 16)) \(paper.title.truncated(to: 90))")
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one paper in full.")

        @OptionGroup var database: DatabaseOptions

        @Argument(help: "An arXiv id, e.g. 2501.01234 or https://arxiv.org/abs/2501.01234v2.")
        var id: String

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            guard let arxivID = ArxivID(id) else {
                throw ValidationError("\(id): not an arXiv id (expected e.g. 2501.01234 or hep-th/9901001)")
            }
            try await database.withCatalog { catalog in
                guard let paper = try await catalog.paper(arxivID) else {
                    printError("\(arxivID) is not in the catalog at \(database.displayName)")
                    throw ExitCode(1)
                }
                if json { print(try encodeJSON(paper)); return }
                print(Self.render(paper))
            }
        }

        static func render(_ p: Paper) -> String {
            var lines = [p.title, String(repeating: "=", count: min(p.title.count, 80)), ""]
            func field(_ name: String, _ value: String?) {
                if let value, !value.isEmpty { lines.append("\(name.rightPadded(to: 14))\(value)") }
            }
            field("arXiv", "https://arxiv.org/abs/\(p.id.value)" + (p.version > 0 ? "v\(p.version)" : ""))
            field("Authors", p.authors.joined(separator: ", "))
            field("Categories", p.categories.joined(separator: " "))
            field("Published", p.published)
            field("Updated", p.updated)
            field("Featured", p.featuredDate)
            field("Submitted by", p.submittedBy)
            field("Upvotes", p.featuredDate == nil && p.upvotes == 0 ? nil : String(p.upvotes))
            field("Comment", p.comment)
            field("Journal ref", p.journalRef)
            field("DOI", p.doi)
            field("License", p.license)
            field("GitHub", p.githubRepo)
            field("Project page", p.projectPage)
            if p.deleted { lines.append("(withdrawn from arXiv's OAI-PMH listing)") }
            lines += ["", p.abstract]
            return lines.joined(separator: "\n")
        }
    }
}

extension PaperQuery.Order: ExpressibleByArgument {}

func encodeJSON(_ value: some Encodable) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}

extension String {
    func leftPadded(to width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
    func rightPadded(to width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
    func truncated(to width: Int) -> String { count <= width ? self : String(prefix(width - 1)) + "…" }
}
