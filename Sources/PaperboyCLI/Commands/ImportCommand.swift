import ArgumentParser
import Catalog
import Foundation
import Importers

/// `paperboy import FILE...`: loads papers from files in any supported format.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import papers from files (plain or .gz), streaming, idempotent and resumable.",
        discussion: """
            Formats (detected from the content; --format overrides):
              jsonl    JSON Lines: the Daily Papers or arXiv listings files, the Kaggle arXiv
                       metadata snapshot, or Hugging Face API items one per line
              hf-api   a Hugging Face GET /api/daily_papers response (a JSON array)
              atom     an arXiv API response
              oai      an OAI-PMH ListRecords response (arXiv or arXivRaw metadata)

            Importing the same file twice changes nothing; a newer arXiv version replaces an
            older one and never the reverse. An interrupted import resumes where its last
            committed batch ended. Each file ends with a summary: inserted, updated, unchanged,
            deleted and rejected records, with the position and reason of the first rejections.

            Exit status: 0 when every file was read to its end (rejected records are listed,
            not fatal); 1 when a file could not be read or stopped early (its good records are kept).
            """
    )

    @OptionGroup var database: DatabaseOptions

    @Option(help: ArgumentHelp("Input format: \(InputFormat.allCases.map(\.rawValue).joined(separator: ", ")); detected when omitted."))
    var format: InputFormat?

    @Option(help: "Records per transaction.")
    var batchSize = 2_000

    @Flag(help: "Ignore the checkpoint of an interrupted import and read the file from the start.")
    var restart = false

    @Flag(help: "Leave the new papers out of the search index for now: `paperboy serve` indexes them in the background, and the next import does too.")
    var noSearchIndex = false

    @OptionGroup var embedding: EmbeddingOptions

    @Argument(help: ArgumentHelp("Files to import; - reads standard input.", valueName: "file"))
    var files: [String]

    func validate() throws {
        guard batchSize > 0 else { throw ValidationError("--batch-size must be at least 1") }
    }

    func run() async throws {
        try await database.withCatalog { catalog in
            let runner = ImportRunner(store: catalog, batchSize: batchSize)
            var failed = false
            for file in files {
                do {
                    let summary = try await Self.importFile(file, format: format, runner: runner, restart: restart)
                    print(summary.report)
                    if !summary.completed { failed = true }
                } catch let error as ImportError {
                    printError(error.description)
                    failed = true
                }
            }
            if !noSearchIndex { try await updateSearchIndex(catalog) }
            try await embedding.embedNewPapers(catalog)
            if failed { throw ExitCode(1) }
        }
    }

    static func importFile(_ file: String, format: InputFormat?, runner: ImportRunner, restart: Bool) async throws -> ImportSummary {
        let input = try ByteReader.open(path: file)
        let chosen = try format ?? InputFormat.detect(start: input.peekStart(), name: file)
        let reader = chosen.makeReader(input)
        let key = checkpointKey(file)
        if restart, let key { try await runner.store.clearCheckpoint(source: key) }
        let progress = ProgressReporter(label: (file as NSString).lastPathComponent, totalBytes: input.totalBytes)
        let summary = try await runner.run(reader, input: file, checkpointKey: key) { records in
            progress.update(records: records, bytes: input.rawBytesRead)
        }
        progress.finish()
        return summary
    }

    /// Identifies a regular file by path, size and modification time; a changed file starts over.
    /// Standard input cannot be resumed.
    static func checkpointKey(_ file: String) -> String? {
        guard file != "-", let attributes = try? FileManager.default.attributesOfItem(atPath: file) else { return nil }
        let size = (attributes[.size] as? NSNumber)?.int64Value ?? 0
        let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        let absolute = URL(fileURLWithPath: file).standardizedFileURL.path
        return "file:\(absolute):\(size):\(Int(modified))"
    }
}

extension InputFormat: ExpressibleByArgument {}

func printError(_ message: String) {
    FileHandle.standardError.write(Data(("error: " + message + "\n").utf8))
}
