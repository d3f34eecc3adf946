import Catalog
import Importers
import Testing

/// Every parser against the real samples in shared/formats.
@Suite struct RealSampleTests {
    @Test func arxivAPIAtomSample() throws {
        let result = try readFile(sample("arxiv_api_atom_query_cat-cs.RO_2025-10-17.xml"))
        #expect(result.error == nil)
        #expect(result.records.count == 2)
        let first = try #require(result.records.first)
        #expect(first.id.value == "2510.14968")
        #expect(first.version == 1)
        #expect(first.title == "RDD: Retrieval-Based Demonstration Decomposer for Planner Alignment in Long-Horizon Tasks")
        #expect(first.authors == ["Mingxuan Yan", "Yuping Wang", "Zechun Liu", "Jiachen Li"])
        #expect(first.categories == ["cs.RO", "cs.AI", "cs.CV", "cs.LG", "cs.SY", "eess.SY"])
        #expect(first.published == "2025-10-16T17:59:37Z")
        #expect(first.comment?.hasPrefix("39th Conference on Neural Information Processing Systems (NeurIPS 2025)") == true)
        #expect(first.abstract?.hasPrefix("To tackle long-horizon tasks") == true)
        #expect(result.records[1].comment == nil)
    }

    @Test func atomPagingTotalsAreRead() throws {
        let reader = AtomFeedReader(try ByteReader.open(path: sample("arxiv_api_atom_query_cat-cs.RO_2025-10-17.xml")))
        _ = readAll(reader)
        #expect(reader.totalResults == 5619)
        #expect(reader.startIndex == 0)
    }

    @Test func huggingFaceDailyPapersSample() throws {
        let result = try readFile(sample("hf_api_daily_papers_date-2026-08-21.json"))
        #expect(result.error == nil)
        #expect(result.rejections.isEmpty)
        #expect(result.records.count == 17)
        let first = try #require(result.records.first)
        #expect(first.id.value == "2608.19880")
        #expect(first.title == "EnvHarness: Awakening Static Worlds for Agent Learning")
        #expect(first.authors.count == 17)
        #expect(first.authors.first == "Chengsong Huang")
        #expect(first.upvotes == 163)
        #expect(first.featuredDate == "2026-08-21")
        #expect(first.submittedBy == "taesiri")
        #expect(first.githubRepo == "https://github.com/google-research/envharness")
        #expect(first.projectPage == "https://envharness.com/")
        #expect(first.organization == "Google")
        #expect(first.numComments == 1)
        #expect(first.published == "2026-08-20T00:00:00Z")
    }

    @Test func kaggleSnapshotSample() throws {
        let result = try readFile(sample("kaggle_arxiv-metadata-oai-snapshot_head.jsonl"))
        #expect(result.error == nil)
        #expect(result.rejections.isEmpty)
        #expect(result.records.count == 200)
        let first = try #require(result.records.first)
        #expect(first.id.value == "0704.0001")
        #expect(first.version == 2)
        #expect(first.authors == ["C. Balázs", "E. L. Berger", "P. M. Nadolsky", "C. -P. Yuan"])
        #expect(first.title == "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies")
        #expect(first.published == "2007-04-02T19:18:42Z")
        #expect(first.updated == "2007-07-24T20:10:27Z")
        #expect(first.journalRef == "Phys.Rev.D76:013009,2007")
        #expect(first.doi == "10.1103/PhysRevD.76.013009")
        #expect(first.categories == ["hep-ph"])
        #expect(result.records[1].categories == ["math.CO", "cs.CG"])
        #expect(result.records[1].license == "http://arxiv.org/licenses/nonexclusive-distrib/1.0/")
    }

    @Test func oaiPMHArXivRawSample() throws {
        let path = sample("oai_pmh_arXivRaw_ListRecords_2016-10-21.xml")
        let reader = OAIPMHReader(try ByteReader.open(path: path))
        let result = readAll(reader)
        #expect(result.error == nil)
        #expect(result.rejections.isEmpty)
        #expect(result.records.count == 387)
        let first = try #require(result.records.first)
        #expect(first.id.value == "0803.4354")
        #expect(first.version == 6)
        #expect(first.title == "A O(n^8) X O(n^7) Linear Programming Model of the Traveling Salesman Problem")
        #expect(first.authors == ["Moustapha Diaby"])
        #expect(first.published == "2008-03-30T23:26:50Z")
        #expect(first.updated == "2016-10-20T16:58:38Z")
        #expect(first.categories == ["cs.DM"])
        #expect(first.comment?.contains("9-dimensional variables") == true)
        #expect(reader.resumptionToken == "1403493|1001")
        #expect(reader.completeListSize == 1440)
        #expect(reader.responseDate == "2016-10-21T04:36:53Z")
    }
}
