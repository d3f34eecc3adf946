import Foundation
import TestSupport
import Testing

/// Runs the built `paperboy` executable, as a user would.
struct CLI {
    static let projectRoot = TestSupport.projectRoot
    static let shared = TestSupport.shared

    /// The executable next to the test bundle (SwiftPM puts all products in one folder).
    static let binary: URL = {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("paperboy")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
        return projectRoot.appendingPathComponent(".build/debug/paperboy")
    }()

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var output: String { stdout + stderr }
    }

    let database: String
    /// A model folder that does not exist.
    static let noModel = FileManager.default.temporaryDirectory.appendingPathComponent("paperboy-no-model").path

    init() {
        database = TestSupport.scratchDirectory().appendingPathComponent("catalog.sqlite").path
    }

    func start(_ arguments: [String], withDatabase: Bool = true) throws -> (Process, Pipe, Pipe) {
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        if withDatabase { environment["PAPERBOY_DATABASE"] = database }
        // No embedding model unless a test names one with --model: imports of the big shared
        // files would otherwise embed every paper, which takes hours in a debug build.
        environment["PAPERBOY_MODEL_DIR"] = CLI.noModel
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        return (process, out, err)
    }

    @discardableResult
    func run(_ arguments: String...) throws -> Result { try run(arguments) }

    func run(_ arguments: [String], withDatabase: Bool = true) throws -> Result {
        let (process, out, err) = try start(arguments, withDatabase: withDatabase)
        // Read before waiting so a large output cannot fill the pipe and block the child.
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }
}

func temporaryFile(_ text: String, name: String = "input.jsonl") throws -> String {
    let path = TestSupport.scratchDirectory().appendingPathComponent(name).path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}
