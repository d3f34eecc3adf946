import Catalog

/// An OAI-PMH `ListRecords` response (https://www.openarchives.org/OAI/openarchivesprotocol.html)
/// from arXiv, with `arXiv` or `arXivRaw` metadata. Deleted records become deletions; the
/// `resumptionToken` is kept for the harvester to ask for the next page.
public final class OAIPMHReader: RecordReader {
    private let parser: XMLPullParser
    private let name: String
    private var records = 0
    /// The token for the next page; nil or empty when the list is complete.
    public private(set) var resumptionToken: String?
    /// `completeListSize` of the resumption token, when the server tells it.
    public private(set) var completeListSize: Int?
    /// The server's `responseDate`: where the next incremental harvest can start.
    public private(set) var responseDate: String?
    /// Set when the server answered `noRecordsMatch`: an empty result, not a failure.
    public private(set) var noRecordsMatch = false

    public init(_ reader: ByteReader) {
        parser = XMLPullParser(reader: reader)
        name = reader.name
    }

    public func next() throws -> RecordItem? {
        while let (element, attributes) = try parser.nextStartTag(insideRoot: "OAI-PMH") {
            switch element.local {
            case "responseDate":
                responseDate = try parser.readElement(element, attributes: attributes).text
            case "error":
                let node = try parser.readElement(element, attributes: attributes)
                let code = node.attributes["code"] ?? "unknown"
                if code == "noRecordsMatch" { noRecordsMatch = true; continue }
                throw ImportError.remote(input: name, reason: "OAI-PMH error \(code): \(node.text)")
            case "resumptionToken":
                let node = try parser.readElement(element, attributes: attributes)
                resumptionToken = node.text.isEmpty ? nil : node.text
                completeListSize = node.attributes["completeListSize"].flatMap { Int($0) }
            case "record":
                records += 1
                let line = parser.line
                let node = try parser.readElement(element, attributes: attributes)
                return RecordItem(
                    kind: Self.record(node), position: "record \(records) (line \(line))", recordNumber: records,
                    byteOffset: 0)
            default:
                continue
            }
        }
        return nil
    }

    static func record(_ node: XMLNode) -> RecordItem.Kind {
        guard let header = node.child("header"), let identifier = header.childText("identifier") else {
            return .rejected(reason: "record without <header><identifier>")
        }
        guard let (id, _) = ArxivID.parse(identifier) else {
            return .rejected(reason: "'\(identifier.prefix(80))' is not an arXiv identifier")
        }
        if header.attributes["status"] == "deleted" { return .change(.delete(id)) }
        guard let metadata = node.child("metadata")?.children.first else {
            return .rejected(reason: "record \(id) has no <metadata>")
        }
        let record: PaperRecord
        switch metadata.name.local {
        case "arXivRaw": record = arXivRaw(metadata, id: id)
        case "arXiv": record = arXiv(metadata, id: id)
        default: return .rejected(reason: "record \(id): unsupported metadata format <\(metadata.name.local)>")
        }
        if record.title == nil { return .rejected(reason: "record \(id) has no <title>") }
        return .change(.upsert(record))
    }

    /// `arXivRaw`: authors as one line, every version with its date.
    static func arXivRaw(_ m: XMLNode, id: ArxivID) -> PaperRecord {
        var r = common(m, id: id)
        r.authors = RecordFields.splitAuthors(m.childText("authors") ?? "")
        let versions = m.children("version").compactMap { v -> (Int, String?)? in
            guard let label = v.attributes["version"], label.hasPrefix("v"), let n = Int(label.dropFirst()) else { return nil }
            return (n, v.childText("date").flatMap(DateText.timestamp))
        }.sorted { $0.0 < $1.0 }
        r.version = versions.last?.0
        r.published = versions.first?.1
        r.updated = versions.last?.1
        return r
    }

    /// `arXiv`: structured authors, first and last version dates but no version numbers.
    static func arXiv(_ m: XMLNode, id: ArxivID) -> PaperRecord {
        var r = common(m, id: id)
        r.authors = m.child("authors")?.children("author").compactMap { a -> String? in
            guard let keyname = a.childText("keyname") else { return nil }
            return RecordFields.name(keyname: keyname, forenames: a.childText("forenames"), suffix: a.childText("suffix"))
        } ?? []
        r.published = m.childText("created").flatMap(DateText.timestamp)
        r.updated = m.childText("updated").flatMap(DateText.timestamp) ?? r.published
        return r
    }

    private static func common(_ m: XMLNode, id: ArxivID) -> PaperRecord {
        var r = PaperRecord(id: id)
        r.title = m.childText("title")
        r.abstract = m.childText("abstract")
        r.categories = RecordFields.categories(primary: nil, all: (m.childText("categories") ?? "").split(separator: " ").map(String.init))
        r.comment = m.childText("comments")
        r.journalRef = m.childText("journal-ref")
        r.doi = m.childText("doi")
        r.license = m.childText("license")
        return r
    }
}
