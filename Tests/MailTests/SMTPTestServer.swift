import Foundation
import Mail
import NIOSSL
import Testing

/// Whether the real SMTP server can run here: python3 with aiosmtpd (scripts/setup.sh --tests
/// installs it). Tests that need it are skipped, saying so, when it is missing.
///
/// Child processes here never write to pipes: tests start processes at the same moment, a
/// child can inherit another's pipe, and a read to the end of it then never ends. Output goes
/// through files, and completion is the process's exit.
enum SMTPTestEnvironment {
    static let hasAiosmtpd: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import aiosmtpd"]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    static let skipMessage: Comment = "needs python3 with aiosmtpd (pip install aiosmtpd, or scripts/setup.sh --tests)"

    static let testsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()

    /// Runs `command` (looked up on PATH) to its end without blocking a thread; its standard
    /// error goes to the test's, its standard output nowhere.
    static func run(_ command: [String]) async throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.standardError
        return try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
    }

    static func temporaryFolder(_ prefix: String) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }
}

/// A certificate and key made with the openssl command line for one test run.
struct TestCertificate: Sendable {
    let certificatePath: String
    let keyPath: String

    /// Self-signed for the DNS name "localhost" only. No IP address in it on purpose: NIOSSL
    /// accepts a certificate whose IP entry matches the peer whatever name was asked for, and
    /// the tests want to see a wrong name refused.
    static func make(commonName: String = "localhost") async throws -> TestCertificate {
        let folder = try SMTPTestEnvironment.temporaryFolder("paperboy-mail-cert")
        let cert = folder.appendingPathComponent("cert.pem").path
        let key = folder.appendingPathComponent("key.pem").path
        let status = try await SMTPTestEnvironment.run([
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=\(commonName)",
            "-addext", "subjectAltName=DNS:\(commonName)",
        ])
        guard status == 0 else { throw TestServerError.failed("openssl req failed with status \(status)") }
        return TestCertificate(certificatePath: cert, keyPath: key)
    }

    func remove() {
        try? FileManager.default.removeItem(at: URL(fileURLWithPath: certificatePath).deletingLastPathComponent())
    }

    /// A client TLS configuration that trusts this certificate and nothing else.
    func trustingClientConfiguration() throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(certificatePath))
        return tls
    }
}

enum TestServerError: Error, CustomStringConvertible {
    case failed(String)
    var description: String {
        switch self {
        case .failed(let message): message
        }
    }
}

/// `smtp_server.py` running for one test: its port, and what it received.
final class SMTPTestServer: Sendable {
    let port: Int
    let folder: URL
    private let process: Process

    /// Starts the server with the given options (see smtp_server.py) and waits until it listens.
    static func start(_ options: [String] = []) async throws -> SMTPTestServer {
        let folder = try SMTPTestEnvironment.temporaryFolder("paperboy-smtp")
        let readyFile = folder.appendingPathComponent("port")
        let script = SMTPTestEnvironment.testsFolder.appendingPathComponent("smtp_server.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, "--out", folder.path, "--ready-file", readyFile.path] + options
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.standardError
        process.standardError = FileHandle.standardError
        try process.run()
        // Generous: the whole suite runs at once, and on a loaded 2-core CI machine a score of
        // Python servers importing aiosmtpd beside the embedder's tests once took over 20 s.
        let deadline = ContinuousClock.now + .seconds(90)
        while ContinuousClock.now < deadline && process.isRunning {
            if let text = try? String(contentsOf: readyFile, encoding: .utf8), let port = Int(text) {
                return SMTPTestServer(port: port, folder: folder, process: process)
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        if process.isRunning { process.terminate() }
        throw TestServerError.failed("smtp_server.py \(options.joined(separator: " ")) did not start listening")
    }

    private init(port: Int, folder: URL, process: Process) {
        self.port = port
        self.folder = folder
        self.process = process
    }

    func stop() {
        // smtp_server.py exits at once on SIGTERM, open connections or not; SIGKILL is for a
        // server that does not (it would otherwise hold this test's thread in waitUntilExit).
        process.terminate()
        let deadline = ContinuousClock.now + .seconds(5)
        while process.isRunning && ContinuousClock.now < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: folder)
    }

    /// A configuration for this server: plain text unless changed.
    func configuration(replyTimeout: Duration = .seconds(60)) -> SMTPConfiguration {
        SMTPConfiguration(
            host: "127.0.0.1", port: port, transportSecurity: .never,
            clientName: "client.test.invalid", connectTimeout: .seconds(30), replyTimeout: replyTimeout
        )
    }

    /// The received messages as Python's email package reads them (read_messages.py).
    func messages() async throws -> [ReceivedMessage] {
        let script = SMTPTestEnvironment.testsFolder.appendingPathComponent("read_messages.py").path
        let result = folder.appendingPathComponent("messages-\(UUID().uuidString).json")
        let status = try await SMTPTestEnvironment.run(["python3", script, folder.path, result.path])
        guard status == 0 else { throw TestServerError.failed("read_messages.py failed with status \(status)") }
        defer { try? FileManager.default.removeItem(at: result) }
        return try JSONDecoder().decode([ReceivedMessage].self, from: Data(contentsOf: result))
    }

    /// What the server recorded: connections and the chunks of bytes as they arrived.
    func events() throws -> [ServerEvent] {
        let text = try String(contentsOf: folder.appendingPathComponent("events.jsonl"), encoding: .utf8)
        return try text.split(separator: "\n").map { try JSONDecoder().decode(ServerEvent.self, from: Data($0.utf8)) }
    }

    var connectionCount: Int { ((try? events()) ?? []).filter { $0.event == "connect" }.count }

    /// The chunks that carried a client command starting with `verb`.
    func chunks(containing verb: String) -> [String] {
        ((try? events()) ?? []).compactMap { $0.event == "chunk" ? $0.data : nil }
            .filter { $0.uppercased().contains(verb.uppercased()) }
    }
}

struct ServerEvent: Decodable {
    let event: String
    let connection: Int?
    let tls: Bool?
    let data: String?
}

struct ReceivedMessage: Decodable {
    struct Envelope: Decodable {
        let mail_from: String
        let mail_options: [String]
        let rcpt_tos: [String]
        let tls: Bool
        let authenticated: Bool
        let connection: Int
    }

    struct Part: Decodable {
        let content_type: String
        let charset: String?
        let transfer_encoding: String?
        let text: String
        let defects: [String]
    }

    let file: String
    let envelope: Envelope
    let content_type: String
    let headers: [String: String]
    let raw_header_block: String
    let parts: [Part]
    let defects: [String]
    let longest_line: Int
    let bare_line_feeds: Int
    let bare_carriage_returns: Int
    let is_7bit: Bool
}
