import Catalog

/// Maps one JSON object to a `PaperRecord`, whichever of the JSON shapes it has:
/// - the normalized files of `shared/data` (`arxiv_id`, `featured_date`, `listing_dates`, …);
/// - a Kaggle/Cornell snapshot line (`id`, `versions`, `authors_parsed`, …);
/// - a Hugging Face Hub `daily_papers` item (`paper: {id, authors[{name}], …}`).
enum JSONRecords {
    struct Rejection: Error { var reason: String }

    /// Parses one JSON text and maps it; every problem becomes a `Rejection` with a reason.
    static func record(fromJSON bytes: some Collection<UInt8>) throws(Rejection) -> PaperRecord {
        do {
            return try JSONObjectView.parse(bytes) { parsed in
                switch parsed {
                case .success(let object): return try record(from: object)
                case .failure(let notObject): throw Rejection(reason: "expected a JSON object, found \(notObject.typeName)")
                }
            }
        } catch let rejection as Rejection {
            throw rejection
        } catch let error as JSONParser.SyntaxError {
            let truncated = error.offset >= bytes.count - 1 && (error.message.contains("end of JSON") || error.message.contains("unterminated"))
            throw Rejection(reason: truncated ? "truncated JSON (\(error.message))" : "invalid JSON: \(error)")
        } catch let wrong as JSONObjectView.WrongType {
            throw Rejection(reason: "field '\(wrong.key)' should be \(wrong.expected), found \(wrong.found)")
        } catch {
            throw Rejection(reason: "\(error)")
        }
    }

    static func record(from o: JSONObjectView) throws -> PaperRecord {
        if let paper = try o.object("paper") { return try hubItem(o, paper: paper) }
        if o.has("arxiv_id") { return try normalized(o) }
        if o.has("id") { return try kaggle(o) }
        throw Rejection(reason: "no arXiv id: the object has neither 'arxiv_id', 'id' nor 'paper'")
    }

    // MARK: Field access with type checks

    private static func int(_ o: JSONObjectView, _ key: StaticString) throws -> Int? {
        guard !o.isNull(key), let value = try o.value(key) else { return nil }
        guard let n = value.int, n >= 0 else { throw Rejection(reason: "field '\(key)' should be a whole number ≥ 0, found \(value.typeName)") }
        return n
    }

    private static func strings(_ o: JSONObjectView, _ key: StaticString) throws -> [String] {
        guard !o.isNull(key), let value = try o.value(key) else { return [] }
        guard let array = value.array else { throw Rejection(reason: "field '\(key)' should be an array, found \(value.typeName)") }
        var out: [String] = []
        for element in array {
            guard let s = element.string else { throw Rejection(reason: "field '\(key)' should hold strings, found \(element.typeName)") }
            out.append(s)
        }
        return out
    }

    private static func id(_ text: String?, field: String) throws -> (ArxivID, Int?) {
        guard let text, !text.isEmpty else { throw Rejection(reason: "missing '\(field)'") }
        guard let parsed = ArxivID.parse(text) else {
            throw Rejection(reason: "'\(text.prefix(60))' in '\(field)' is not an arXiv id")
        }
        return parsed
    }

    private static func day(_ text: String?, field: String) throws -> String? {
        guard let text = RecordFields.text(text) else { return nil }
        guard let day = DateText.day(text) else { throw Rejection(reason: "'\(text.prefix(40))' in '\(field)' is not a date") }
        return day
    }

    private static func timestamp(_ text: String?, field: String) throws -> String? {
        guard let text, !text.isEmpty else { return nil }
        guard let t = DateText.timestamp(text) else { throw Rejection(reason: "'\(text.prefix(40))' in '\(field)' is not a date") }
        return t
    }

    private static func text(_ o: JSONObjectView, _ key: StaticString) throws -> String? {
        guard let t = try o.string(key, collapsing: true), !t.isEmpty else { return nil }
        return t
    }

    // MARK: Shapes

    private static func normalized(_ o: JSONObjectView) throws -> PaperRecord {
        let (id, version) = try id(try o.string("arxiv_id"), field: "arxiv_id")
        var r = PaperRecord(id: id)
        r.version = version
        r.title = try text(o, "title")
        r.abstract = try text(o, "abstract")
        r.authors = try strings(o, "authors").map { $0.collapsingWhitespace() }.filter { !$0.isEmpty }
        r.categories = RecordFields.categories(primary: try o.string("primary_category"), all: try strings(o, "categories"))
        r.published = try timestamp(try o.string("published"), field: "published")
        r.comment = try text(o, "comment")
        r.githubRepo = RecordFields.url(try o.string("github"))
        r.projectPage = RecordFields.url(try o.string("project_page"))
        var featured = try day(try o.string("featured_date"), field: "featured_date")
        for text in try strings(o, "featured_dates") {
            if let d = try day(text, field: "featured_dates") { featured = min(featured ?? d, d) }
        }
        r.featuredDate = featured
        r.submittedBy = try text(o, "submitted_by")
        r.upvotes = try int(o, "upvotes")
        r.numComments = try int(o, "num_comments")
        r.githubStars = try int(o, "github_stars")
        r.organization = try text(o, "organization")
        return r
    }

    private static func kaggle(_ o: JSONObjectView) throws -> PaperRecord {
        let (id, _) = try id(try o.string("id"), field: "id")
        var r = PaperRecord(id: id)
        r.title = try text(o, "title")
        r.abstract = try text(o, "abstract")
        if let parsed = try o.value("authors_parsed")?.array, !parsed.isEmpty {
            r.authors = parsed.compactMap { entry -> String? in
                guard let parts = entry.array, let keyname = parts.first?.string else { return nil }
                let forenames = parts.count > 1 ? parts[1].string : nil
                let suffix = parts.count > 2 ? parts[2].string : nil
                let name = RecordFields.name(keyname: keyname, forenames: forenames, suffix: suffix)
                return name.isEmpty ? nil : name
            }
        } else if let line = try o.string("authors") {
            r.authors = RecordFields.splitAuthors(line)
        }
        r.categories = RecordFields.categories(
            primary: nil, all: (try o.string("categories") ?? "").split(separator: " ").map(String.init))
        r.comment = try text(o, "comments")
        r.journalRef = try text(o, "journal-ref")
        r.doi = try text(o, "doi")
        r.license = try text(o, "license")
        if let versions = try o.value("versions")?.array, !versions.isEmpty {
            var numbers: [(Int, String?)] = []
            for v in versions {
                guard let label = v["version"]?.string, label.hasPrefix("v"), let n = Int(label.dropFirst()) else {
                    throw Rejection(reason: "field 'versions' holds an entry without a 'vN' version")
                }
                numbers.append((n, try timestamp(v["created"]?.string, field: "versions.created")))
            }
            numbers.sort { $0.0 < $1.0 }
            r.version = numbers.last?.0
            r.published = numbers.first?.1
            r.updated = numbers.last?.1
        }
        return r
    }

    private static func hubItem(_ item: JSONObjectView, paper p: JSONObjectView) throws -> PaperRecord {
        let (id, version) = try id(try p.string("id"), field: "paper.id")
        var r = PaperRecord(id: id)
        r.version = version
        r.title = try text(p, "title") ?? text(item, "title")
        r.abstract = try text(p, "summary") ?? text(item, "summary")
        if let authors = try p.value("authors")?.array {
            r.authors = authors.compactMap { $0["name"]?.string?.collapsingWhitespace() }.filter { !$0.isEmpty }
        }
        r.published = try timestamp(try p.string("publishedAt"), field: "paper.publishedAt")
        r.featuredDate = try day(try p.string("submittedOnDailyAt"), field: "paper.submittedOnDailyAt")
        r.upvotes = try int(p, "upvotes")
        r.githubRepo = RecordFields.url(try p.string("githubRepo"))
        r.projectPage = RecordFields.url(try p.string("projectPage"))
        r.githubStars = try int(p, "githubStars")
        if let organization = try p.object("organization") ?? item.object("organization") {
            r.organization = try text(organization, "fullname") ?? text(organization, "name")
        }
        if let by = try p.object("submittedOnDailyBy") {
            r.submittedBy = try text(by, "user") ?? text(by, "name")
        } else if let by = try item.object("submittedBy") {
            r.submittedBy = try text(by, "name")
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
                    return item(.change(.upsert(try JSONRecords.record(fromJSON: bytes))))
                } catch {
                    return item(.rejected(reason: error.reason))
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
            kind = .change(.upsert(try JSONRecords.record(fromJSON: element.bytes)))
        } catch {
            kind = .rejected(reason: error.reason)
        }
        return RecordItem(kind: kind, position: position, recordNumber: element.index, byteOffset: stream.byteOffset)
    }
}
