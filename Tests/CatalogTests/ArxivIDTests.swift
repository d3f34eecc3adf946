import Catalog
import Testing

@Suite struct ArxivIDTests {
    @Test(arguments: [
        ("2501.01234", "2501.01234", nil),
        ("2501.01234v3", "2501.01234", 3),
        ("arXiv:2501.01234v2", "2501.01234", 2),
        ("https://arxiv.org/abs/2501.01234v2", "2501.01234", 2),
        ("http://arxiv.org/pdf/2510.14968v1", "2510.14968", 1),
        ("https://arxiv.org/pdf/2510.14968.pdf", "2510.14968", nil),
        ("oai:arXiv.org:0803.4354", "0803.4354", nil),
        ("0704.0001", "0704.0001", nil),
        ("1412.9999", "1412.9999", nil),
        ("hep-th/9901001", "hep-th/9901001", nil),
        ("hep-th/9901001v2", "hep-th/9901001", 2),
        ("math.AG/0601001", "math/0601001", nil),
        ("  2501.01234 \n", "2501.01234", nil),
    ] as [(String, String, Int?)])
    func parsesValidIDs(input: String, canonical: String, version: Int?) throws {
        let parsed = try #require(ArxivID.parse(input))
        #expect(parsed.id.value == canonical)
        #expect(parsed.version == version)
    }

    @Test(arguments: [
        "", "hello", "2501.1234", "1412.12345", "0703.0001", "2513.01234", "2501.01234v", "2501.012345",
        "../../etc/passwd", "hep-th/990100", "hep-th/99010011", "HEP-TH/9901001", "2501.01234/../x",
        "<script>alert(1)</script>", "2501.01234v0", "cs/0013001",
    ])
    func rejectsNonIDs(input: String) {
        #expect(ArxivID(input) == nil)
    }
}
