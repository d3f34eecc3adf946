import Catalog
import Importers
import Testing

/// Hand-made inputs: variations real feeds have that the samples do not show.
@Suite struct EdgeCaseTests {
    @Test func oaiArXivFormatWithDeletedRecordAndNamespacesOnElements() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <o:OAI-PMH xmlns:o="http://www.openarchives.org/OAI/2.0/">
              <o:responseDate>2026-11-02T10:00:00Z</o:responseDate>
              <o:ListRecords>
                <o:record><o:header status="deleted"><o:identifier>oai:arXiv.org:2501.00007</o:identifier>
                  <o:datestamp>2026-11-01</o:datestamp></o:header></o:record>
                <o:record>
                  <o:header><o:identifier>oai:arXiv.org:hep-th/9901001</o:identifier></o:header>
                  <o:metadata>
                    <arXiv xmlns="http://arxiv.org/OAI/arXiv/">
                      <id>hep-th/9901001</id><created>1999-01-04</created><updated>2001-05-06</updated>
                      <authors>
                        <author><keyname>Witten</keyname><forenames>Edward</forenames></author>
                        <author><keyname>Doe</keyname><forenames>John</forenames><suffix>Jr</suffix><affiliation>MIT</affiliation></author>
                      </authors>
                      <title>On $\\mathcal{N}=4$ &amp; strings</title>
                      <categories>hep-th math-ph math.MP</categories>
                      <abstract>  We show that &lt;x&gt; holds. Code: https://github.com/ew/strings  </abstract>
                    </arXiv>
                  </o:metadata>
                </o:record>
                <o:resumptionToken completeListSize="2" cursor="0"/>
              </o:ListRecords>
            </o:OAI-PMH>
            """
        let reader = OAIPMHReader(ByteReader.bytes(Array(xml.utf8), name: "oai"))
        let result = readAll(reader)
        #expect(result.error == nil)
        #expect(result.deletions.map(\.value) == ["2501.00007"])
        let r = try #require(result.records.first)
        #expect(r.id.value == "hep-th/9901001")
        #expect(r.version == nil)
        #expect(r.title == "On $\\mathcal{N}=4$ & strings")
        #expect(r.authors == ["Edward Witten", "John Doe Jr"])
        #expect(r.categories == ["hep-th", "math-ph", "math.MP"])
        #expect(r.abstract == "We show that <x> holds. Code: https://github.com/ew/strings")
        #expect(r.published == "1999-01-04T00:00:00Z")
        #expect(r.updated == "2001-05-06T00:00:00Z")
        #expect(reader.resumptionToken == nil, "an empty token ends the list")
    }

    @Test func oaiNoRecordsMatchIsEmptyNotAnError() throws {
        let xml = """
            <OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2026-11-02T10:00:00Z</responseDate>
            <error code="noRecordsMatch">No records</error></OAI-PMH>
            """
        let reader = OAIPMHReader(ByteReader.bytes(Array(xml.utf8), name: "oai"))
        let result = readAll(reader)
        #expect(result.error == nil && result.records.isEmpty && reader.noRecordsMatch)
    }

    @Test func oaiErrorIsReportedWithItsCode() throws {
        let xml = "<OAI-PMH xmlns=\"http://www.openarchives.org/OAI/2.0/\"><error code=\"badArgument\">Illegal set</error></OAI-PMH>"
        let result = try read(text: xml)
        #expect(result.error.map { "\($0)".contains("badArgument") && "\($0)".contains("Illegal set") } == true)
    }

    @Test func atomWithPrefixedNamespaceAndAPIError() throws {
        let feed = """
            <a:feed xmlns:a="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">
              <a:entry><a:id>http://arxiv.org/abs/hep-th/9901001v3</a:id><a:title>T</a:title><a:summary>S</a:summary>
                <a:author><a:name>A. B.</a:name></a:author><arxiv:doi>10.1/x</arxiv:doi><arxiv:journal_ref>J. 1</arxiv:journal_ref>
                <a:category term="hep-th"/><arxiv:primary_category term="hep-th"/></a:entry>
            </a:feed>
            """
        let result = try read(text: feed)
        let r = try #require(result.records.first)
        #expect(r.id.value == "hep-th/9901001" && r.version == 3 && r.doi == "10.1/x" && r.journalRef == "J. 1")
        let error = """
            <feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/api/errors#incorrect_id_format_for_1234</id>
            <title>Error</title><summary>incorrect id format for 1234</summary></entry></feed>
            """
        #expect(try read(text: error).error.map { "\($0)".contains("incorrect id format") } == true)
    }

    @Test func normalizedJSONLinesBothShapes() throws {
        let lines = """
            {"arxiv_id": "2405.13729", "title": "T  one", "abstract": "A", "authors": ["X Y"], "published": "2026-04-29T00:00:00.000Z", "featured_date": "2026-05-05", "featured_dates": ["2026-05-07", "2026-05-05"], "upvotes": 5, "github": "https://github.com/a/b", "submitted_by": "u", "num_comments": 1, "github_stars": 31, "project_page": null, "organization": "Org"}
            {"arxiv_id": "1812.06145", "title": "T2", "abstract": "B", "authors": [], "published": "2025-10-13", "categories": ["cs.CV", "cs.AI", "68T45, 62H30", "I.5.3; I.2.10"], "primary_category": "cs.CV", "comment": null, "listing_dates": ["2025-10-13"]}
            """
        let result = try read(text: lines)
        #expect(result.rejections.isEmpty)
        #expect(result.records.count == 2)
        let hf = result.records[0]
        #expect(hf.title == "T one" && hf.upvotes == 5 && hf.featuredDate == "2026-05-05" && hf.githubStars == 31)
        #expect(result.records[1].categories == ["cs.CV", "cs.AI"])
    }

    @Test func gzipIsDetectedByContent() throws {
        let text = "{\"arxiv_id\": \"2501.00001\", \"title\": \"Zipped\"}\n"
        let result = try read(bytes: try gzip(Array(text.utf8)))
        #expect(result.records.first?.title == "Zipped")
    }
}

@Suite struct RootElementTests {
    @Test func eachXMLReaderRefusesTheOtherFormat() {
        let oai = "<OAI-PMH xmlns=\"http://www.openarchives.org/OAI/2.0/\"><ListRecords/></OAI-PMH>"
        let atom = "<feed xmlns=\"http://www.w3.org/2005/Atom\"></feed>"
        #expect(readAll(AtomFeedReader(ByteReader.bytes(Array(oai.utf8), name: "x"))).error?.description.contains("expected <feed>, found <OAI-PMH>") == true)
        #expect(readAll(OAIPMHReader(ByteReader.bytes(Array(atom.utf8), name: "x"))).error?.description.contains("expected <OAI-PMH>, found <feed>") == true)
    }
}
