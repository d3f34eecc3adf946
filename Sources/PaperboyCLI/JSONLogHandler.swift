import Catalog
import Foundation
import Logging

/// Writes each log event as one JSON object per line on standard error, for log collectors:
/// `{"ts":"…","level":"info","logger":"paperboy.server","msg":"request","status":200,…}`.
/// Chosen with PAPERBOY_LOG_FORMAT=json.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields: [(String, String)] = [
            ("ts", Self.quoted(Self.timestamp())), ("level", Self.quoted(event.level.rawValue)),
            ("logger", Self.quoted(label)), ("msg", Self.quoted(event.message.description)),
        ]
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) where !["ts", "level", "logger", "msg"].contains(key) {
            fields.append((key, Self.json(value)))
        }
        let line = "{" + fields.map { "\(Self.quoted($0.0)):\($0.1)" }.joined(separator: ",") + "}\n"
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// Numbers stay numbers, so a collector can sum durations; everything else is a string.
    static func json(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let s): isNumber(s) ? s : quoted(s)
        case .stringConvertible(let c): isNumber(c.description) ? c.description : quoted(c.description)
        case .array(let values): "[" + values.map(json).joined(separator: ",") + "]"
        case .dictionary(let d): "{" + d.sorted { $0.key < $1.key }.map { "\(quoted($0.key)):\(json($0.value))" }.joined(separator: ",") + "}"
        }
    }

    /// Plain decimal numbers only (`12`, `-3.25`): never `inf`, `nan` or `0x10`.
    static func isNumber(_ s: String) -> Bool {
        let body = s.hasPrefix("-") ? s.dropFirst() : Substring(s)
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        return (1...2).contains(parts.count) && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }
    }

    static func quoted(_ text: String) -> String { JSONString.quoted(text) }

    static func timestamp() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date())
    }
}
