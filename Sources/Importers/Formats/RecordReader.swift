import Catalog

/// One thing a format reader found in its input.
public struct RecordItem: Sendable {
    public enum Kind: Sendable {
        case change(CatalogChange)
        /// The record could not be used; the rest of the input goes on.
        case rejected(reason: String)
    }

    public var kind: Kind
    /// Where in the input, for messages: "line 12", "record 5 (line 340)".
    public var position: String
    /// Ordinal of the record (or line) in the input, 1-based.
    public var recordNumber: Int
    /// Decompressed bytes consumed once this record is done (for resuming).
    public var byteOffset: Int64
}

/// Reads one input format record by record. `next()` throws only when the input cannot be read
/// any further (broken structure, unreadable file); bad single records come back as `.rejected`.
public protocol RecordReader: AnyObject {
    func next() throws -> RecordItem?
    /// Skips records up to a checkpoint, when the format can resume (JSON Lines can).
    func skip(to checkpoint: ImportCheckpoint) throws -> Bool
}

extension RecordReader {
    public func skip(to checkpoint: ImportCheckpoint) throws -> Bool { false }
}

/// The formats Paperboy reads.
public enum InputFormat: String, CaseIterable, Sendable {
    /// JSON Lines: the normalized Daily Papers and arXiv listings files, the Kaggle dump, or
    /// Hub API items one per line; the shape of each line decides.
    case jsonl
    /// A Hugging Face `GET /api/daily_papers` response: a JSON array of items.
    case hfAPI = "hf-api"
    /// An arXiv API response (Atom).
    case atom
    /// An OAI-PMH `ListRecords` response, `arXiv` or `arXivRaw` metadata.
    case oai

    /// Guesses the format from the first bytes (after decompression).
    public static func detect(start: [UInt8], name: String) throws -> InputFormat {
        var bytes = start[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            throw ImportError.unknownFormat(input: name, reason: "the input is UTF-16; convert it to UTF-8")
        }
        guard let first = bytes.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) else {
            throw ImportError.unknownFormat(input: name, reason: "the input is empty")
        }
        switch first {
        case UInt8(ascii: "["): return .hfAPI
        case UInt8(ascii: "{"): return .jsonl
        case UInt8(ascii: "<"):
            let head = String(decoding: bytes.prefix(4096), as: UTF8.self)
            // Root element names, with or without a namespace prefix.
            if head.contains("<OAI-PMH") || head.contains(":OAI-PMH") { return .oai }
            if head.contains("<feed") || head.contains(":feed ") || head.contains(":feed>") { return .atom }
            throw ImportError.unknownFormat(input: name, reason: "XML, but neither an Atom <feed> nor an <OAI-PMH> response")
        default:
            throw ImportError.unknownFormat(
                input: name, reason: "expected JSON Lines, a JSON array or XML; the input starts with byte 0x\(String(first, radix: 16))")
        }
    }

    /// A reader of this format over `reader`.
    public func makeReader(_ reader: ByteReader) -> any RecordReader {
        switch self {
        case .jsonl: JSONLinesReader(reader)
        case .hfAPI: HFDailyPapersArrayReader(reader)
        case .atom: AtomFeedReader(reader)
        case .oai: OAIPMHReader(reader)
        }
    }
}
