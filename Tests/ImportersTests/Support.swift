import Catalog
import CatalogSQLite
import Foundation
import Importers
import Testing

/// `../shared` beside the project root, where the real samples and data live.
let sharedDirectory: URL = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }  // Tests/ImportersTests/Support.swift → project root
    return url.deletingLastPathComponent().appendingPathComponent("shared")
}()

func sample(_ name: String) -> String { sharedDirectory.appendingPathComponent("formats/\(name)").path }
func dataFile(_ name: String) -> String { sharedDirectory.appendingPathComponent("data/\(name)").path }

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
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("paperboy-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let path = dir.appendingPathComponent(name).path
    FileManager.default.createFile(atPath: path, contents: Data(bytes))
    return path
}

func freshCatalog() async throws -> SQLiteCatalog {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("paperboy-tests-\(UUID().uuidString)")
    let catalog = try SQLiteCatalog(path: dir.appendingPathComponent("catalog.sqlite").path)
    try await catalog.migrate()
    return catalog
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
