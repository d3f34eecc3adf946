import Catalog
import CatalogSQLite
import Foundation
import Importers
import TestSupport
import Testing

func sample(_ name: String) -> String { TestSupport.sample(name) }
func dataFile(_ name: String) -> String { TestSupport.dataFile(name) }
func freshCatalog() async throws -> SQLiteCatalog { try await TestSupport.freshCatalog() }

/// Everything a reader yields, until it ends or throws.
struct ReadResult {
    var records: [PaperRecord] = []
    var deletions: [ArxivID] = []
    var rejections: [(position: String, reason: String)] = []
    var error: ImportError?
}

func readAll(_ reader: any RecordReader) -> ReadResult {
    var result = ReadResult()
    do {
        while let item = try reader.next() {
            switch item.kind {
            case .change(.upsert(let r)): result.records.append(r)
            case .change(.delete(let id)): result.deletions.append(id)
            case .rejected(let reason): result.rejections.append((item.position, reason))
            }
        }
    } catch let error as ImportError {
        result.error = error
    } catch {
        Issue.record("unexpected error \(error)")
    }
    return result
}

func read(text: String, as format: InputFormat? = nil) throws -> ReadResult {
    try read(bytes: Array(text.utf8), as: format)
}

func read(bytes: [UInt8], as format: InputFormat? = nil) throws -> ReadResult {
    let reader = ByteReader.bytes(bytes, name: "input")
    let chosen = try format ?? InputFormat.detect(start: reader.peekStart(), name: "input")
    return readAll(chosen.makeReader(reader))
}

func readFile(_ path: String) throws -> ReadResult {
    let reader = try ByteReader.open(path: path)
    return readAll(try InputFormat.detect(start: reader.peekStart(), name: path).makeReader(reader))
}

func writeTemporaryFile(_ bytes: [UInt8], name: String = "input") throws -> String {
    let path = TestSupport.scratchDirectory().appendingPathComponent(name).path
    FileManager.default.createFile(atPath: path, contents: Data(bytes))
    return path
}

func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
    let path = try writeTemporaryFile(bytes)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/gzip")
    process.arguments = ["-kf", path]
    try process.run()
    process.waitUntilExit()
    return Array(try Data(contentsOf: URL(fileURLWithPath: path + ".gz")))
}
