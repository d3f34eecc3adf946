import Catalog

/// Maps one JSON object to a `PaperRecord`, whichever of the JSON shapes it has:
/// - the normalized files of `shared/data` (`arxiv_id`, `featured_date`, `listing_dates`, …);
/// - a Kaggle/Cornell snapshot line (`id`, `versions`, `authors_parsed`, …);
/// - a Hugging Face Hub `daily_papers` item (`paper: {id, authors[{name}], …}`).
enum JSONRecords {
    struct Rejection: Error { var reason: String }

    static func record(from value: JSONValue) throws(Rejection) -> PaperRecord {
        guard value.isObject else { throw Rejection(reason: "expected a JSON object, found \(value.typeName)") }
        if let paper = value["paper"], paper.isObject { return try hubItem(value, paper: paper) }
        if value["arxiv_id"] != nil { return try normalized(value) }
        if value["id"] != nil { return try kaggle(value) }
        throw Rejection(reason: "no arXiv id: the object has neither 'arxiv_id', 'id' nor 'paper'")
    }

    // MARK: Field access with type checks

    private static func string(_ object: JSONValue, _ key: String) throws(Rejection) -> String? {
        guard let value = object[key] else { return nil }
        switch value {
        case .null: return nil
        case .string(let s): return s
        default: throw Rejection(reason: "field '\(key)' should be a string, found \(value.typeName)")
        }
    }

    private static func int(_ object: JSONValue, _ key: String) throws(Rejection) -> Int? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let n = value.int, n >= 0 else { throw Rejection(reason: "field '\(key)' should be a whole number ≥ 0, found \(value.typeName)") }
        return n
    }

    private static func strings(_ object: JSONValue, _ key: String) throws(Rejection) -> [String] {
        guard let value = object[key], !value.isNull else { return [] }
        guard let array = value.array else { throw Rejection(reason: "field '\(key)' should be an array, found \(value.typeName)") }
        var out: [String] = []
        for element in array {
            guard let s = element.string else { throw Rejection(reason: "field '\(key)' should hold strings, found \(element.typeName)") }
            out.append(s)
        }
        return out
    }

    private static func id(_ text: String?, field: String) throws(Rejection) -> (ArxivID, Int?) {
        guard let text, !text.isEmpty else { throw Rejection(reason: "missing '\(field)'") }
        guard let parsed = ArxivID.parse(text) else {
            throw Rejection(reason: "'\(text.prefix(60))' in '\(field)' is not an arXiv id")
        }
        return parsed
    }

    private static func day(_ text: String?, field: String) throws(Rejection) -> String? {
        guard let text = RecordFields.text(text) else { return nil }
        guard let day = DateText.day(text) else { throw Rejection(reason: "'\(text.prefix(40))' in '\(field)' is not a date") }
        return day
    }

    private static func timestamp(_ text: String?, field: String) throws(Rejection) -> String? {
        guard let text = RecordFields.text(text) else { return nil }
        guard let t = DateText.timestamp(text) else { throw Rejection(reason: "'\(text.prefix(40))' in '\(field)' is not a date") }
        return t
    }

    // MARK: Shapes

    private static func normalized(_ o: JSONValue) throws(Rejection) -> PaperRecord {
        let (id, version) = try id(try string(o, "arxiv_id"), field: "arxiv_id")
        var r = PaperRecord(id: id)
        r.version = version
        r.title = RecordFields.text(try string(o, "title"))
        r.abstract = RecordFields.text(try string(o, "abstract"))
        r.authors = try strings(o, "authors").map { $0.collapsingWhitespace() }.filter { !$0.isEmpty }
        r.categories = RecordFields.categories(primary: try string(o, "primary_category"), all: try strings(o, "categories"))
        r.published = try timestamp(try string(o, "published"), field: "published")
        r.comment = RecordFields.text(try string(o, "comment"))
        r.githubRepo = RecordFields.url(try string(o, "github"))
        r.projectPage = RecordFields.url(try string(o, "project_page"))
        var featured = try day(try string(o, "featured_date"), field: "featured_date")
        for text in try strings(o, "featured_dates") {
            if let d = try day(text, field: "featured_dates") { featured = min(featured ?? d, d) }
        }
        r.featuredDate = featured
        r.submittedBy = RecordFields.text(try string(o, "submitted_by"))
        r.upvotes = try int(o, "upvotes")
        r.numComments = try int(o, "num_comments")
        r.githubStars = try int(o, "github_stars")
        r.organization = RecordFields.text(try string(o, "organization"))
        return r
    }

    private static func kaggle(_ o: JSONValue) throws(Rejection) -> PaperRecord {
        let (id, _) = try id(try string(o, "id"), field: "id")
        var r = PaperRecord(id: id)
        r.title = RecordFields.text(try string(o, "title"))
        r.abstract = RecordFields.text(try string(o, "abstract"))
        if let parsed = o["authors_parsed"]?.array, !parsed.isEmpty {
            r.authors = parsed.compactMap { entry -> String? in
                guard let parts = entry.array, let keyname = parts.first?.string else { return nil }
                let forenames = parts.count > 1 ? parts[1].string : nil
                let suffix = parts.count > 2 ? parts[2].string : nil
                let name = RecordFields.name(keyname: keyname, forenames: forenames, suffix: suffix)
                return name.isEmpty ? nil : name
            }
        } else if let line = try string(o, "authors") {
            r.authors = RecordFields.splitAuthors(line)
        }
        r.categories = RecordFields.categories(
            primary: nil, all: (try string(o, "categories") ?? "").split(separator: " ").map(String.init))
        r.comment = RecordFields.text(try string(o, "comments"))
        r.journalRef = RecordFields.text(try string(o, "journal-ref"))
        r.doi = RecordFields.text(try string(o, "doi"))
        r.license = RecordFields.text(try string(o, "license"))
        if let versions = o["versions"]?.array, !versions.isEmpty {
            var numbers: [(Int, String?)] = []
            for v in versions {
                guard let label = v["version"]?.string, label.hasPrefix("v"), let n = Int(label.dropFirst()) else {
                    throw Rejection(reason: "field 'versions' holds an entry without a 'vN' version")
                }
                numbers.append((n, try timestamp(try string(v, "created"), field: "versions.created")))
            }
            numbers.sort { $0.0 < $1.0 }
            r.version = numbers.last?.0
            r.published = numbers.first?.1
            r.updated = numbers.last?.1
        }
        return r
    }

    private static func hubItem(_ item: JSONValue, paper p: JSONValue) throws(Rejection) -> PaperRecord {
        let (id, version) = try id(try string(p, "id"), field: "paper.id")
        var r = PaperRecord(id: id)
        r.version = version
        let title = try string(p, "title")
        let itemTitle = try string(item, "title")
        r.title = RecordFields.text(title ?? itemTitle)
        let summary = try string(p, "summary")
        let itemSummary = try string(item, "summary")
        r.abstract = RecordFields.text(summary ?? itemSummary)
        if let authors = p["authors"]?.array {
            r.authors = authors.compactMap { $0["name"]?.string?.collapsingWhitespace() }.filter { !$0.isEmpty }
        }
        r.published = try timestamp(try string(p, "publishedAt"), field: "paper.publishedAt")
        r.featuredDate = try day(try string(p, "submittedOnDailyAt"), field: "paper.submittedOnDailyAt")
        r.upvotes = try int(p, "upvotes")
        r.githubRepo = RecordFields.url(try string(p, "githubRepo"))
        r.projectPage = RecordFields.url(try string(p, "projectPage"))
        r.githubStars = try int(p, "githubStars")
        if let organization = p["organization"] ?? item["organization"], organization.isObject {
            let fullname = try string(organization, "fullname")
            let shortName = try string(organization, "name")
            r.organization = RecordFields.text(fullname ?? shortName)
        }
        if let by = p["submittedOnDailyBy"], by.isObject {
            let user = try string(by, "user")
            let displayName = try string(by, "name")
            r.submittedBy = RecordFields.text(user ?? displayName)
        } else if let by = item["submittedBy"], by.isObject {
            r.submittedBy = RecordFields.text(try string(by, "name"))
        }
        r.numComments = try int(item, "numComments")
        return r
    }
}

/// JSON Lines: one object a line. A bad line is rejected and reading goes on; a line over the
/// size limit is skipped without being buffered.
final class JSONLinesReader: RecordReader {
    private let lines: LineReader

    init(_ reader: ByteReader) { lines = LineReader(reader: reader) }

    func next() throws -> RecordItem? {
        while let line = try lines.next() {
            let position = "line \(lines.lineNumber)"
            func item(_ kind: RecordItem.Kind) -> RecordItem {
                RecordItem(kind: kind, position: position, recordNumber: lines.lineNumber, byteOffset: lines.byteOffset)
            }
            switch line {
            case .tooLong(let length):
                return item(.rejected(reason: "line of \(length) bytes exceeds the 16 MiB record limit, skipped"))
            case .text(let bytes):
                if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
                do {
                    let value = try JSONParser.parse(bytes)
                    return item(.change(.upsert(try JSONRecords.record(from: value))))
                } catch let error as JSONParser.SyntaxError {
                    let truncated = error.offset >= bytes.count - 1 && error.message.contains("end of JSON")
                    return item(.rejected(reason: truncated ? "truncated JSON (\(error.message))" : "invalid JSON: \(error)"))
                } catch let rejection as JSONRecords.Rejection {
                    return item(.rejected(reason: rejection.reason))
                }
            }
        }
        return nil
    }

    func skip(to checkpoint: ImportCheckpoint) throws -> Bool {
        try lines.skip(toByteOffset: checkpoint.byteOffset, lines: checkpoint.recordNumber)
        return lines.lineNumber == checkpoint.recordNumber
    }
}

/// A Hub `daily_papers` response: a JSON array of items, streamed element by element.
final class HFDailyPapersArrayReader: RecordReader {
    private let stream: JSONArrayStream

    init(_ reader: ByteReader) { stream = JSONArrayStream(reader: reader) }

    func next() throws -> RecordItem? {
        let element: JSONArrayStream.Element
        do {
            guard let next = try stream.next() else { return nil }
            element = next
        } catch ImportError.recordTooLarge(let limit) {
            return RecordItem(
                kind: .rejected(reason: "item larger than \(limit >> 20) MiB, skipped"), position: "an item",
                recordNumber: 0, byteOffset: stream.byteOffset)
        }
        let position = "item \(element.index) (line \(element.line))"
        let kind: RecordItem.Kind
        do {
            kind = .change(.upsert(try JSONRecords.record(from: try JSONParser.parse(element.bytes))))
        } catch let error as JSONParser.SyntaxError {
            kind = .rejected(reason: "invalid JSON: \(error)")
        } catch let rejection as JSONRecords.Rejection {
            kind = .rejected(reason: rejection.reason)
        }
        return RecordItem(kind: kind, position: position, recordNumber: element.index, byteOffset: stream.byteOffset)
    }
}
