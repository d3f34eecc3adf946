import ArgumentParser
import Foundation
import Hummingbird
import PaperboyServer

/// `paperboy serve`: the web site over the catalog.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the Daily Papers site over the catalog (stops cleanly on SIGTERM or Ctrl-C)."
    )

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Address to listen on. Default: $PAPERBOY_HOST, else 127.0.0.1.")
    var host: String?

    @Option(help: "Port to listen on. Default: $PAPERBOY_PORT, else 8080.")
    var port: Int?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let configuration = ServerConfiguration(
            host: host ?? environment["PAPERBOY_HOST"] ?? "127.0.0.1",
            port: port ?? environment["PAPERBOY_PORT"].flatMap { Int($0) } ?? 8080)
        let catalog = try await database.openCatalog()
        print("Paperboy: serving \(database.resolvedPath) on http://\(configuration.host):\(configuration.port)/papers")
        let app = buildApplication(configuration: configuration, catalog: catalog)
        try await app.runService()
    }
}
