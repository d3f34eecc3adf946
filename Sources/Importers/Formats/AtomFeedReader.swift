import Catalog

/// An arXiv API response (https://info.arxiv.org/help/api/user-manual.html): an Atom feed with
/// OpenSearch paging totals and one `<entry>` per paper.
public final class AtomFeedReader: RecordReader {
    static let atom = "http://www.w3.org/2005/Atom"
    static let arxiv = "http://arxiv.org/schemas/atom"

    private let parser: XMLPullParser
    private let name: String
    private var entries = 0
    /// `opensearch:totalResults`: how many entries the whole query has (for paging).
    public private(set) var totalResults: Int?
    /// `opensearch:startIndex` of this page.
    public private(set) var startIndex: Int?

    public init(_ reader: ByteReader) {
        parser = XMLPullParser(reader: reader)
        name = reader.name
    }

    public func next() throws -> RecordItem? {
        while let (element, attributes) = try parser.nextStartTag(insideRoot: "feed") {
            switch element.local {
            case "totalResults": totalResults = Int(try parser.readElement(element, attributes: attributes).text)
            case "startIndex": startIndex = Int(try parser.readElement(element, attributes: attributes).text)
            case "entry":
                entries += 1
                let line = parser.line
                let node = try parser.readElement(element, attributes: attributes)
                return RecordItem(
                    kind: try Self.entry(node, input: name), position: "entry \(entries) (line \(line))",
                    recordNumber: entries, byteOffset: 0)
            default:
                continue
            }
        }
        return nil
    }

    /// One `<entry>` as a record; the API reports errors as an entry whose id is an error URL.
    static func entry(_ e: XMLNode, input: String) throws -> RecordItem.Kind {
        guard let idURL = e.childText("id") else { return .rejected(reason: "entry without <id>") }
        if idURL.contains("/api/errors") {
            throw ImportError.remote(input: input, reason: "arXiv API error: \(e.childText("summary") ?? idURL)")
        }
        guard let (id, version) = ArxivID.parse(idURL) else {
            return .rejected(reason: "'\(idURL.prefix(80))' is not an arXiv id")
        }
        var r = PaperRecord(id: id)
        r.version = version
        r.title = e.childText("title")
        r.abstract = e.childText("summary")
        r.authors = e.children("author").compactMap { $0.childText("name") }
        r.published = e.childText("published").flatMap(DateText.timestamp)
        r.updated = e.childText("updated").flatMap(DateText.timestamp)
        r.comment = e.childText("comment")
        r.journalRef = e.childText("journal_ref")
        r.doi = e.childText("doi")
        r.categories = RecordFields.categories(
            primary: e.child("primary_category")?.attributes["term"],
            all: e.children("category").compactMap { $0.attributes["term"] })
        if r.title == nil { return .rejected(reason: "entry \(id) has no <title>") }
        return .change(.upsert(r))
    }
}
