import ArgumentParser
import Foundation
import Logging

/// `paperboy`: the root command. Every subcommand is a thin layer over the libraries.
public struct PaperboyCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "paperboy",
        abstract: "A self-hosted Daily Papers service: a catalog of arXiv papers, a feed, search and digests.",
        discussion: """
            Start with:
              paperboy import demo/daily_papers_demo.jsonl.gz      load papers from a file
              paperboy serve                                        run the site on http://127.0.0.1:8080

            The catalog lives in one SQLite file (--database, or PAPERBOY_DATABASE; default var/paperboy.sqlite).
            """,
        subcommands: [
            ImportCommand.self, IngestCommand.self, EmbedCommand.self, PapersCommand.self, DatabaseCommand.self, ServeCommand.self,
            UserCommand.self, DigestCommand.self,
        ]
    )

    public init() {}
}

/// The entry point the executable calls.
public enum PaperboyMain {
    public static func run() async {
        // Logs go to standard error, so standard output carries only results (summaries,
        // listings, JSON) and can be piped.
        // PAPERBOY_LOG_FORMAT=json: one JSON object per line, for log collectors.
        let environment = ProcessInfo.processInfo.environment
        let level = environment["PAPERBOY_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        let json = environment["PAPERBOY_LOG_FORMAT"] == "json"
        LoggingSystem.bootstrap { label in
            if json { return JSONLogHandler(label: label, logLevel: level) }
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        await PaperboyCommand.main()
    }
}
