import Foundation
import Testing

@Suite(.serialized) struct CLITests {
    @Test func helpNamesEveryCommand() throws {
        let help = try CLI().run("--help")
        #expect(help.status == 0)
        for command in ["import", "ingest", "embed", "papers", "db", "serve"] { #expect(help.output.contains(command)) }
        let importHelp = try CLI().run("import", "--help")
        #expect(importHelp.output.contains("hf-api") && importHelp.output.contains("resumes"))
        let ingestHelp = try CLI().run("ingest", "oai", "--help")
        #expect(ingestHelp.output.contains("--set") && ingestHelp.output.contains("--from"))
    }

    @Test func migrateImportListAndShow() throws {
        let cli = CLI()
        let migrate = try cli.run("db", "migrate")
        #expect(migrate.status == 0 && migrate.stdout.contains("001-papers"))
        let sample = CLI.shared.appendingPathComponent("formats/hf_api_daily_papers_date-2026-08-21.json").path
        let imported = try cli.run("import", sample)
        #expect(imported.status == 0)
        #expect(imported.stdout.contains("inserted 17, updated 0, unchanged 0, deleted 0, rejected 0"))
        let again = try cli.run("import", sample)
        #expect(again.stdout.contains("inserted 0, updated 0, unchanged 17"))
        let list = try cli.run("papers", "list", "--date", "2026-08-21", "--limit", "3")
        #expect(list.status == 0)
        #expect(list.stdout.split(separator: "\n").count == 3)
        #expect(list.stdout.split(separator: "\n").first?.contains("163 ▲") == true)
        let show = try cli.run("papers", "show", "https://arxiv.org/abs/2608.19880v1")
        #expect(show.stdout.contains("EnvHarness: Awakening Static Worlds for Agent Learning"))
        #expect(show.stdout.contains("https://github.com/google-research/envharness"))
        let json = try cli.run("papers", "show", "2608.19880", "--json")
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(object?["upvotes"] as? Int == 163)
    }

    @Test func badInputsExitWithClearMessages() throws {
        let cli = CLI()
        let partly = try temporaryFile("{\"arxiv_id\": \"2501.00001\", \"title\": \"ok\"}\n{\"arxiv_id\": \"1234\", \"title\": \"bad\"}\n")
        let partial = try cli.run("import", partly)
        #expect(partial.status == 0, "a partly bad file is imported; rejections are listed")
        #expect(partial.stdout.contains("inserted 1") && partial.stdout.contains("rejected line 2: '1234' in 'arxiv_id' is not an arXiv id"))

        let unusable = try temporaryFile("this is not a paper file\n", name: "notes.txt")
        let refused = try cli.run("import", unusable)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("notes.txt") && refused.stderr.contains("unknown format"))

        let bomb = try temporaryFile("<!DOCTYPE x [<!ENTITY a \"aaaa\">]><feed xmlns=\"http://www.w3.org/2005/Atom\">&a;</feed>", name: "bomb.xml")
        let bombResult = try cli.run("import", bomb)
        #expect(bombResult.status == 1 && bombResult.output.contains("DTD"))

        let missing = try cli.run("import", "/nonexistent/file.jsonl")
        #expect(missing.status == 1 && missing.stderr.contains("/nonexistent/file.jsonl"))

        let notID = try cli.run("papers", "show", "not-an-id")
        #expect(notID.status != 0 && notID.stderr.contains("not-an-id") && notID.stderr.contains("not an arXiv id"))
        let absent = try cli.run("papers", "show", "2501.99999")
        #expect(absent.status == 1 && absent.stderr.contains("2501.99999 is not in the catalog"))
        let badIngest = try cli.run("ingest", "arxiv", "--id", "2501.1")
        #expect(badIngest.status != 0 && badIngest.stderr.contains("--id 2501.1: not an arXiv id"))
        let badDay = try cli.run("ingest", "oai", "--from", "2026-13-01")
        #expect(badDay.status != 0 && badDay.stderr.contains("2026-13-01"))
    }

    @Test func liveIngestFailsCleanlyWhenTheServerIsDown() throws {
        // Port 9 on loopback: nothing listens there, the connection is refused at once.
        let result = try CLI().run(["ingest", "arxiv", "--id", "2501.00001", "--endpoint", "http://127.0.0.1:9/api/query",
                                    "--attempts", "2", "--backoff", "0.1", "--interval", "0"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("gave up after 2 attempts"))
    }

    /// SIGKILL in the middle of a large import loses at most the batch in flight; the next run
    /// resumes from the checkpoint and finishes with every record.
    @Test func killedImportResumesAndFinishes() async throws {
        let cli = CLI()
        let listings = CLI.shared.appendingPathComponent("data/arxiv_listings.jsonl.gz").path
        let (process, _, _) = try cli.start(["import", "--batch-size", "500", listings])
        // Wait until some batches are committed, then kill.
        var waited = 0
        while waited < 120 {
            try await Task.sleep(for: .milliseconds(250))
            waited += 1
            let count = try cli.run("papers", "list", "--limit", "1000", "--sort", "published").stdout.split(separator: "\n").count
            if count >= 1000 { break }
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)

        let resumed = try cli.run("import", listings)
        #expect(resumed.status == 0)
        #expect(resumed.stdout.contains("resumed an interrupted import after record"))
        let final = try cli.run("import", listings)
        #expect(final.stdout.contains("inserted 0, updated 0, unchanged 46670"))
    }
}
