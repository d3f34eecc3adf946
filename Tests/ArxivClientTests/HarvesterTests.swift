import ArxivClient
import Catalog
import CatalogSQLite
import Foundation
import Importers
import NIOHTTP1
import Testing

/// The live arXiv API and OAI-PMH code, run against a local server that plays recorded responses.
@Suite struct HarvesterTests {
    /// Fast settings for tests: the same code paths, shorter waits. The time-out stays long: a
    /// fully loaded CI run can keep even a local answer waiting for seconds.
    func policy(interval: Duration = .milliseconds(200), attempts: Int = 3, timeout: Duration = .seconds(60)) -> PoliteHTTPClient.Policy {
        var p = PoliteHTTPClient.Policy()
        p.minimumInterval = interval
        p.maxAttempts = attempts
        p.initialBackoff = .milliseconds(50)
        p.timeout = timeout
        return p
    }

    /// An Atom page of `entries` (ids 2501.0000N) reporting `total` results.
    func atomPage(total: Int, start: Int, ids: [Int]) -> String {
        let entries = ids.map { n in
            """
            <entry><id>http://arxiv.org/abs/2501.\(String(format: "%05d", n))v1</id><updated>2025-01-02T00:00:00Z</updated>
            <published>2025-01-02T00:00:00Z</published><title>Paper \(n)</title><summary>About \(n).</summary>
            <author><name>Author \(n)</name></author><category term="cs.CL" scheme="http://arxiv.org/schemas/atom"/></entry>
            """
        }.joined()
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <feed xmlns="http://www.w3.org/2005/Atom">
            <opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">\(total)</opensearch:totalResults>
            <opensearch:startIndex xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">\(start)</opensearch:startIndex>
            \(entries)</feed>
            """
    }

    @Test func arxivAPIPagesWithStartAndMaxResultsAndKeepsItsDistance() async throws {
        let server = try await RecordedResponseServer { uri, _ in
            if uri.contains("start=0") { return .ok(self.atomPage(total: 5, start: 0, ids: [1, 2])) }
            if uri.contains("start=2") { return .ok(self.atomPage(total: 5, start: 2, ids: [3, 4])) }
            return .ok(self.atomPage(total: 5, start: 4, ids: [5]))
        }
        let catalog = try await freshCatalog()
        let client = PoliteHTTPClient(policy: policy())
        let harvester = ArxivAPIHarvester(endpoint: server.baseURL + "/api/query", pageSize: 2, client: client, runner: ImportRunner(store: catalog))
        let summary = try await harvester.harvest(.recent(category: "cs.CL", days: 3, until: "2025-01-03"))
        try await client.shutdown()
        try await server.stop()

        #expect(summary.counts.inserted == 5)
        #expect(try await catalog.paperCount() == 5)
        let uris = server.requestedURIs
        #expect(uris.count == 3)
        #expect(uris[0].contains("search_query=cat:cs.CL%20AND%20submittedDate:%5B202501010000%20TO%20202501032359%5D"))
        #expect(uris.map { $0.contains("max_results=2") } == [true, true, true])
        #expect(uris[1].contains("start=2") && uris[2].contains("start=4"))
        let times = server.requestTimes
        for (a, b) in zip(times, times.dropFirst()) { #expect(b - a >= .milliseconds(190), "requests keep the minimum interval") }
    }

    @Test func idQueryAndSamplePage() async throws {
        let body = try recorded("arxiv_api_atom_query_cat-cs.RO_2025-10-17.xml")
        let server = try await RecordedResponseServer { _, _ in .ok(body) }
        let catalog = try await freshCatalog()
        let client = PoliteHTTPClient(policy: policy())
        let harvester = ArxivAPIHarvester(endpoint: server.baseURL + "/api/query", client: client, runner: ImportRunner(store: catalog))
        let summary = try await harvester.harvest(.ids([ArxivID("2510.14968")!, ArxivID("2510.14827")!]))
        try await client.shutdown()
        try await server.stop()
        #expect(server.requestedURIs.first?.contains("id_list=2510.14968,2510.14827") == true)
        #expect(summary.counts.inserted == 2)
        #expect(try await catalog.paper(ArxivID("2510.14968")!)?.projectPage == "https://rdd-neurips.github.io")
    }

    @Test func serverErrorsAreRetriedAndRetryAfterIsHonoured() async throws {
        let server = try await RecordedResponseServer { _, index in
            switch index {
            case 0: RecordedResponseServer.Reply(status: .internalServerError, body: Array("oops".utf8))
            case 1: RecordedResponseServer.Reply(status: .serviceUnavailable, headers: [("Retry-After", "1")])
            default: .ok(self.atomPage(total: 1, start: 0, ids: [1]))
            }
        }
        let client = PoliteHTTPClient(policy: policy(interval: .zero, attempts: 4))
        let body = try await client.get(server.baseURL + "/api/query?id_list=2501.00001")
        try await client.shutdown()
        try await server.stop()
        #expect(String(decoding: body, as: UTF8.self).contains("Paper 1"))
        let times = server.requestTimes
        #expect(times.count == 3)
        #expect(times[2] - times[1] >= .milliseconds(990), "Retry-After: 1 waits a second")
    }

    @Test func clientErrorsAreNotRetriedAndPersistentFailuresGiveUp() async throws {
        let server = try await RecordedResponseServer { uri, _ in
            uri.contains("missing") ? RecordedResponseServer.Reply(status: .notFound, body: Array("no such page".utf8))
                : RecordedResponseServer.Reply(status: .badGateway)
        }
        let client = PoliteHTTPClient(policy: policy(interval: .zero, attempts: 3))
        await #expect {
            _ = try await client.get(server.baseURL + "/missing")
        } throws: { error in
            "\(error)".contains("HTTP 404") && "\(error)".contains("/missing")
        }
        #expect(server.requestedURIs.count == 1)
        await #expect {
            _ = try await client.get(server.baseURL + "/flaky")
        } throws: { error in
            "\(error)".contains("gave up after 3 attempts") && "\(error)".contains("HTTP 502")
        }
        #expect(server.requestedURIs.count == 4)
        try await client.shutdown()
        try await server.stop()
    }

    @Test func timeOutsAreRetriedThenReported() async throws {
        let server = try await RecordedResponseServer { _, _ in RecordedResponseServer.Reply(hang: true) }
        let client = PoliteHTTPClient(policy: policy(interval: .zero, attempts: 2, timeout: .seconds(1)))
        await #expect {
            _ = try await client.get(server.baseURL + "/slow")
        } throws: { error in
            "\(error)".contains("gave up after 2 attempts")
        }
        #expect(server.requestedURIs.count == 2)
        try await client.shutdown()
        try await server.stop()
    }

    func oaiPage(records: String, token: String?, responseDate: String = "2026-11-03T08:00:00Z") -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>\(responseDate)</responseDate>
        <request verb="ListRecords">x</request><ListRecords>\(records)
        <resumptionToken completeListSize="3" cursor="0">\(token ?? "")</resumptionToken></ListRecords></OAI-PMH>
        """
    }

    func oaiRecord(_ id: String, title: String) -> String {
        """
        <record><header><identifier>oai:arXiv.org:\(id)</identifier><datestamp>2026-11-02</datestamp></header>
        <metadata><arXiv xmlns="http://arxiv.org/OAI/arXiv/"><id>\(id)</id><created>2026-11-01</created>
        <authors><author><keyname>Noether</keyname><forenames>Emmy</forenames></author></authors>
        <title>\(title)</title><categories>cs.LG</categories><abstract>Text.</abstract></arXiv></metadata></record>
        """
    }

    @Test func oaiFollowsResumptionTokensHonoursDeletionsAndRemembersWhereItStopped() async throws {
        let catalog = try await freshCatalog()
        _ = try await catalog.apply([.upsert({ var r = PaperRecord(id: ArxivID("2511.00009")!); r.title = "Gone soon"; return r }())], checkpoint: nil)
        let server = try await RecordedResponseServer { uri, _ in
            if uri.contains("resumptionToken=tok%7C2") {
                return .ok(self.oaiPage(records: """
                    <record><header status="deleted"><identifier>oai:arXiv.org:2511.00009</identifier></header></record>
                    """ + self.oaiRecord("2511.00003", title: "Third"), token: nil))
            }
            if uri.contains("from=2026-11-01") {
                return .ok(self.oaiPage(records: self.oaiRecord("2511.00001", title: "First") + self.oaiRecord("2511.00002", title: "Second"), token: "tok|2"))
            }
            if uri.contains("from=2026-11-03") {
                return .ok("<OAI-PMH xmlns=\"http://www.openarchives.org/OAI/2.0/\"><responseDate>2026-11-04T08:00:00Z</responseDate><error code=\"noRecordsMatch\"/></OAI-PMH>")
            }
            return RecordedResponseServer.Reply(status: .badRequest)
        }
        let client = PoliteHTTPClient(policy: policy(interval: .milliseconds(100)))
        let harvester = OAIHarvester(endpoint: server.baseURL + "/oai", set: "cs", client: client, runner: ImportRunner(store: catalog))
        let first = try await harvester.harvest(from: "2026-11-01")
        #expect(first.counts.inserted == 3 && first.counts.deleted == 1)
        #expect(server.requestedURIs[0] == "/oai?verb=ListRecords&metadataPrefix=arXiv&set=cs&from=2026-11-01")
        #expect(server.requestedURIs[1] == "/oai?verb=ListRecords&resumptionToken=tok%7C2")
        #expect(try await catalog.paper(ArxivID("2511.00009")!)?.deleted == true)
        #expect(try await catalog.paper(ArxivID("2511.00001")!)?.authors == ["Emmy Noether"])
        #expect(try await harvester.rememberedFrom() == "2026-11-03")

        // The next run, given no --from, continues from the remembered day.
        let second = try await harvester.harvest()
        #expect(second.completed && second.counts.inserted == 0)
        #expect(server.requestedURIs.last == "/oai?verb=ListRecords&metadataPrefix=arXiv&set=cs&from=2026-11-03")
        #expect(try await harvester.rememberedFrom() == "2026-11-04")
        try await client.shutdown()
        try await server.stop()
    }

    @Test func oaiHarvestOfTheRealArXivRawSample() async throws {
        let body = try recorded("oai_pmh_arXivRaw_ListRecords_2016-10-21.xml")
        let final = oaiPage(records: "", token: nil)
        let server = try await RecordedResponseServer { uri, _ in uri.contains("resumptionToken") ? .ok(final) : .ok(body) }
        let catalog = try await freshCatalog()
        let client = PoliteHTTPClient(policy: policy(interval: .milliseconds(50)))
        let harvester = OAIHarvester(endpoint: server.baseURL + "/oai", set: "cs", format: .arXivRaw, client: client, runner: ImportRunner(store: catalog))
        let summary = try await harvester.harvest(from: "2016-10-20")
        try await client.shutdown()
        try await server.stop()
        #expect(summary.counts.inserted == 387)
        #expect(server.requestedURIs.last == "/oai?verb=ListRecords&resumptionToken=1403493%7C1001")
        #expect(try await catalog.paper(ArxivID("0803.4354")!)?.version == 6)
    }

    @Test func oaiErrorsStopTheHarvestWithTheirMessage() async throws {
        let server = try await RecordedResponseServer { _, _ in
            .ok("<OAI-PMH xmlns=\"http://www.openarchives.org/OAI/2.0/\"><error code=\"badArgument\">Unknown set 'zz'</error></OAI-PMH>")
        }
        let catalog = try await freshCatalog()
        let client = PoliteHTTPClient(policy: policy(interval: .zero))
        let harvester = OAIHarvester(endpoint: server.baseURL + "/oai", set: "zz", client: client, runner: ImportRunner(store: catalog))
        let summary = try await harvester.harvest(from: "2026-11-01")
        try await client.shutdown()
        try await server.stop()
        #expect(!summary.completed)
        #expect(summary.report.contains("badArgument") && summary.report.contains("Unknown set 'zz'"))
        #expect(try await harvester.rememberedFrom() == nil, "a failed harvest does not move the start")
    }
}
