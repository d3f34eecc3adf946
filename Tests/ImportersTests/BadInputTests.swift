import Catalog
import Foundation
import Importers
import Testing

/// Each kind of bad input gets a clear message naming the input and the position, and the
/// good records around it are kept.
@Suite struct BadInputTests {
    let good = "{\"arxiv_id\": \"2501.00001\", \"title\": \"Good\"}"

    @Test func malformedLineIsRejectedAndOthersKept() throws {
        let result = try read(text: [good, "{\"arxiv_id\": \"2501.00002\", \"title\": }", good.replacingOccurrences(of: "00001", with: "00003")].joined(separator: "\n"))
        #expect(result.records.map(\.id.value) == ["2501.00001", "2501.00003"])
        #expect(result.rejections.count == 1)
        #expect(result.rejections.first?.position == "line 2")
        #expect(result.rejections.first?.reason.contains("invalid JSON") == true)
    }

    @Test func truncatedLastLineIsNamed() throws {
        let result = try read(text: good + "\n{\"arxiv_id\": \"2501.00002\", \"tit")
        #expect(result.records.count == 1)
        #expect(result.rejections.first?.position == "line 2")
        #expect(result.rejections.first?.reason.contains("truncated") == true || result.rejections.first?.reason.contains("unterminated") == true)
    }

    @Test func wrongEncodingIsNamed() throws {
        // "Balázs" in Latin-1: 0xE1 is not valid UTF-8 here.
        var bytes = Array("{\"arxiv_id\": \"2501.00002\", \"title\": \"Bal".utf8) + [0xE1] + Array("zs\"}\n".utf8)
        bytes = Array((good + "\n").utf8) + bytes
        let result = try read(bytes: bytes)
        #expect(result.records.count == 1)
        #expect(result.rejections.first?.position == "line 2")
        #expect(result.rejections.first?.reason.contains("UTF-8") == true)
    }

    @Test func utf16InputIsRefusedAsAWhole() {
        let bytes: [UInt8] = [0xFF, 0xFE] + Array("{".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
        #expect(throws: ImportError.self) { try read(bytes: bytes) }
    }

    @Test func notAnArxivIDIsRejectedByName() throws {
        let result = try read(text: "{\"arxiv_id\": \"../../etc/passwd\", \"title\": \"x\"}\n{\"id\": 42}\n{\"title\": \"no id\"}")
        #expect(result.records.isEmpty)
        #expect(result.rejections.count == 3)
        #expect(result.rejections[0].reason.contains("'../../etc/passwd' in 'arxiv_id' is not an arXiv id"))
        #expect(result.rejections[1].reason.contains("field 'id' should be a string"))
        #expect(result.rejections[2].reason.contains("no arXiv id"))
    }

    @Test func wrongFieldTypesAreNamed() throws {
        let result = try read(text: "{\"arxiv_id\": \"2501.00001\", \"title\": \"t\", \"upvotes\": \"many\"}\n[1,2]")
        #expect(result.rejections.count == 2)
        #expect(result.rejections[0].reason.contains("'upvotes'"))
    }

    @Test func xmlEntityExpansionBombIsRefused() throws {
        let bomb = """
            <?xml version="1.0"?>
            <!DOCTYPE lolz [
              <!ENTITY lol "lol">
              <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
              <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
            ]>
            <feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/abs/2501.00001v1</id><title>&lol3;</title></entry></feed>
            """
        let result = try read(text: bomb)
        #expect(result.records.isEmpty)
        let message = try #require(result.error).description
        #expect(message.contains("DTD") && message.contains("line"))
    }

    @Test func undefinedEntityIsAnError() throws {
        let result = try read(text: "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><id>x</id><title>&xxe;</title></entry></feed>")
        #expect(result.error?.description.contains("undefined entity '&xxe;'") == true)
    }

    @Test func truncatedXMLKeepsEarlierRecordsAndNamesTheLine() throws {
        let text = try String(contentsOfFile: sample("oai_pmh_arXivRaw_ListRecords_2016-10-21.xml"), encoding: .utf8)
        let cut = String(text.prefix(text.count / 2))
        let result = try read(text: cut)
        #expect(result.records.count > 100 && result.records.count < 387)
        let message = try #require(result.error).description
        #expect(message.contains("truncated") && message.contains("line"))
    }

    @Test func mismatchedTagsNameTheLine() throws {
        let result = try read(text: "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n<entry>\n<title>x</entry></feed>")
        #expect(result.error?.description.contains("line 3") == true)
        #expect(result.error?.description.contains("</entry> does not match <title>") == true)
    }

    @Test func fiftyMegabyteLineIsSkippedAndReadingGoesOn() throws {
        var bytes = Array((good + "\n").utf8)
        bytes += Array("{\"arxiv_id\": \"2501.00002\", \"title\": \"".utf8)
        bytes += [UInt8](repeating: UInt8(ascii: "a"), count: 50 << 20)
        bytes += Array("\"}\n".utf8)
        bytes += Array(good.replacingOccurrences(of: "00001", with: "00003").utf8)
        let path = try writeTemporaryFile(bytes)
        let result = try readFile(path)
        #expect(result.records.map(\.id.value) == ["2501.00001", "2501.00003"])
        #expect(result.rejections.count == 1)
        #expect(result.rejections.first?.position == "line 2")
        #expect(result.rejections.first?.reason.contains("exceeds the 16 MiB record limit") == true)
    }

    @Test func truncatedGzipIsReported() throws {
        let zipped = try gzip(Array(String(repeating: good + "\n", count: 2000).utf8))
        let path = try writeTemporaryFile(Array(zipped.prefix(zipped.count / 2)))
        let result = try readFile(path)
        #expect(!result.records.isEmpty)
        #expect(result.error?.description.contains("truncated") == true)
    }

    @Test func hfArrayThatIsNotAnArrayOrIsTruncated() throws {
        #expect(try read(text: "[{\"paper\": {\"id\": \"2501.00001\", \"title\": \"t\"}}, {\"paper\":", as: .hfAPI).error?.description.contains("truncated") == true)
        #expect(try read(text: "{\"a\": 1}", as: .hfAPI).error?.description.contains("expected a JSON array") == true)
    }

    @Test func unknownFormatsAreRefusedWithAReason() {
        #expect(throws: ImportError.self) { try read(text: "id,title\n1,2") }
        #expect(throws: ImportError.self) { try read(text: "") }
        #expect(throws: ImportError.self) { try read(text: "<html><body></body></html>") }
    }

    @Test func missingFileNamesThePath() {
        #expect {
            _ = try ByteReader.open(path: "/nonexistent/papers.jsonl")
        } throws: { error in
            "\(error)".contains("/nonexistent/papers.jsonl") && "\(error)".contains("No such file")
        }
    }
}
