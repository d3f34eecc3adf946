import Foundation
import Testing

/// `paperboy embed` with the real all-MiniLM-L6-v2 model that scripts/setup.sh installs.
@Suite struct EmbedCommandTests {
    static let model = CLI.projectRoot.appendingPathComponent("models/all-MiniLM-L6-v2").path

    @Test func embedsTheQueueThenHasNothingLeft() throws {
        try #require(FileManager.default.fileExists(atPath: Self.model + "/config.json"),
                     "the embedding model is not installed at \(Self.model): run scripts/setup.sh --tests")
        let cli = CLI()
        let sample = CLI.shared.appendingPathComponent("formats/hf_api_daily_papers_date-2026-08-21.json").path
        let imported = try cli.run("import", sample)
        #expect(imported.status == 0)
        #expect(imported.stdout.contains("embeddings: no model at \(CLI.noModel)"), "the import says why it embedded nothing")
        let part = try cli.run("embed", "--model", Self.model, "--limit", "5", "--batch-size", "2")
        #expect(part.status == 0)
        #expect(part.stdout.contains("embed: 5 papers embedded with all-MiniLM-L6-v2 (384 dimensions)"), "\(part.output)")
        let rest = try cli.run("embed", "--model", Self.model)
        #expect(rest.stdout.contains("embed: 12 papers embedded"), "a second run goes on where the first stopped")
        let none = try cli.run("embed", "--model", Self.model)
        #expect(none.status == 0 && none.stdout.contains("every paper has a vector"))
    }

    /// With a model, an import embeds what it wrote; `--no-embed` leaves that to later.
    @Test func importsEmbedWhatTheyWrite() throws {
        try #require(FileManager.default.fileExists(atPath: Self.model + "/config.json"))
        let cli = CLI()
        let sample = CLI.shared.appendingPathComponent("formats/hf_api_daily_papers_date-2026-08-21.json").path
        let skipped = try cli.run("import", sample, "--model", Self.model, "--no-embed")
        #expect(skipped.status == 0 && !skipped.stdout.contains("embed:"), "\(skipped.output)")
        let imported = try cli.run("import", sample, "--model", Self.model)
        #expect(imported.status == 0)
        #expect(imported.stdout.contains("embed: 17 papers embedded with all-MiniLM-L6-v2"), "\(imported.output)")
        let none = try cli.run("embed", "--model", Self.model)
        #expect(none.stdout.contains("every paper has a vector"))
    }

    @Test func aMissingModelIsAClearError() throws {
        let missing = TestSupportPaths.scratch("no-model")
        let result = try CLI().run("embed", "--model", missing)
        #expect(result.status == 1)
        #expect(result.stderr.contains(missing), "\(result.stderr)")
    }
}

enum TestSupportPaths {
    /// A path in a new scratch folder that does not exist.
    static func scratch(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("paperboy-\(UUID().uuidString)/\(name)").path
    }
}
