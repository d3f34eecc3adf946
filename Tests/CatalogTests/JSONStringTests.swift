import Catalog
import Foundation
import Testing

@Suite struct JSONStringTests {
    @Test(arguments: ["", "plain", "quote \" and backslash \\", "line\nbreak\ttab\rreturn", "\u{01}\u{1F}control", "ünïcödé 日本 🚀", "</script>"])
    func writesLiteralsThatJSONParsersReadBack(text: String) throws {
        let literal = JSONString.quoted(text)
        let parsed = try JSONSerialization.jsonObject(with: Data("[\(literal)]".utf8)) as? [String]
        #expect(parsed == [text], "\(literal)")
        #expect(!literal.dropFirst().dropLast().contains("\n"), "control characters are escaped")
    }
}
