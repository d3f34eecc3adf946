import Catalog
import Foundation
import PostgresNIO

/// Where the catalog's PostgreSQL database is, read from a `postgres://` URL:
///
///     postgres://user:password@host:port/database?sslmode=disable
///     postgresql://user@/database?host=/var/run/postgresql     (a Unix socket folder, as libpq reads it)
///
/// Defaults follow libpq: port 5432, user `postgres`, database named like the user, and
/// `sslmode=prefer` (TLS when the server offers it, certificate not checked). `require` insists on
/// TLS without checking the certificate; `verify-full` checks it against the system's roots and
/// the host name. The password never appears in `description` or in errors.
public struct PostgresLocation: Sendable, CustomStringConvertible {
    public enum TLSMode: String, Sendable {
        case disable, prefer, require
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    /// A Unix socket folder; when set, the connection goes there instead of `host:port`.
    public var socketDirectory: String?
    public var username: String
    public var password: String?
    public var database: String
    public var tls: TLSMode

    /// True for the URLs this backend takes, so a caller can tell them from file paths.
    public static func isPostgresURL(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    public init(url text: String) throws {
        guard Self.isPostgresURL(text), let url = URLComponents(string: text) else {
            throw PostgresCatalogError.invalidURL(Self.redacted(text), reason: "expected postgres://user:password@host:port/database")
        }
        let query = Dictionary((url.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { _, last in last })
        for name in query.keys where !["sslmode", "host"].contains(name) {
            throw PostgresCatalogError.invalidURL(Self.redacted(text), reason: "unknown parameter '\(name)' (known: sslmode, host)")
        }
        if let port = url.port, !(1...65_535).contains(port) {
            throw PostgresCatalogError.invalidURL(Self.redacted(text), reason: "port \(port) is out of range")
        }
        host = url.host.flatMap { $0.isEmpty ? nil : $0 } ?? "localhost"
        port = url.port ?? 5432
        socketDirectory = query["host"].flatMap { $0.hasPrefix("/") ? $0 : nil }
        if let hostParameter = query["host"], socketDirectory == nil {
            throw PostgresCatalogError.invalidURL(Self.redacted(text), reason: "host=\(hostParameter): give a Unix socket folder (an absolute path), or put the host name before the database")
        }
        username = url.user.flatMap { $0.isEmpty ? nil : $0 } ?? "postgres"
        password = url.password
        let path = url.path.hasPrefix("/") ? String(url.path.dropFirst()) : url.path
        database = path.isEmpty ? username : path
        let mode = query["sslmode"] ?? "prefer"
        // libpq's `allow` is near enough `prefer`, and `verify-ca` checks more than it asks for.
        let aliases = ["allow": "prefer", "verify-ca": "verify-full"]
        guard let tls = TLSMode(rawValue: aliases[mode] ?? mode) else {
            throw PostgresCatalogError.invalidURL(Self.redacted(text), reason: "sslmode=\(mode) (use disable, prefer, require or verify-full)")
        }
        self.tls = tls
    }

    /// `user@host:port/database`, without the password.
    public var description: String {
        let place = socketDirectory.map { "\($0)/.s.PGSQL.\(port)" } ?? "\(host):\(port)"
        return "\(username)@\(place)/\(database)"
    }

    /// `host:port`, or the socket's path: what a "cannot reach" message names.
    public var address: String { socketDirectory.map { "\($0)/.s.PGSQL.\(port)" } ?? "\(host):\(port)" }

    /// The pool's configuration: a handful of connections per process, since several processes
    /// (servers, importers) share one database, whose `max_connections` is usually 100.
    func clientConfiguration(maximumConnections: Int) -> PostgresClient.Configuration {
        var configuration: PostgresClient.Configuration
        if let socketDirectory {
            configuration = .init(unixSocketPath: "\(socketDirectory)/.s.PGSQL.\(port)", username: username, password: password, database: database)
        } else {
            configuration = .init(host: host, port: port, username: username, password: password, database: database, tls: clientTLS)
        }
        configuration.options.maximumConnections = maximumConnections
        configuration.options.connectTimeout = .seconds(10)
        return configuration
    }

    /// One connection's configuration: for the check at start, which must fail fast and clearly
    /// (the pool would instead keep retrying for a minute before giving up).
    public var connectionConfiguration: PostgresConnection.Configuration {
        var configuration: PostgresConnection.Configuration
        if let socketDirectory {
            configuration = .init(unixSocketPath: "\(socketDirectory)/.s.PGSQL.\(port)", username: username, password: password, database: database)
        } else {
            configuration = .init(host: host, port: port, username: username, password: password, database: database, tls: connectionTLS)
        }
        configuration.options.connectTimeout = .seconds(10)
        return configuration
    }

    private var tlsConfiguration: TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if tls != .verifyFull { configuration.certificateVerification = .none }
        return configuration
    }

    private var clientTLS: PostgresClient.Configuration.TLS {
        switch tls {
        case .disable: .disable
        case .prefer: .prefer(tlsConfiguration)
        case .require, .verifyFull: .require(tlsConfiguration)
        }
    }

    private var connectionTLS: PostgresConnection.Configuration.TLS {
        do {
            switch tls {
            case .disable: return .disable
            case .prefer: return .prefer(try NIOSSLContext(configuration: tlsConfiguration))
            case .require, .verifyFull: return .require(try NIOSSLContext(configuration: tlsConfiguration))
            }
        } catch {
            // Making a client context from the default configuration does not fail in practice;
            // if it did, the connection attempt says so with TLS refused.
            return .disable
        }
    }

    /// The URL with its password replaced, for messages.
    static func redacted(_ text: String) -> String {
        guard var url = URLComponents(string: text), url.password != nil else { return text }
        url.password = "***"
        return url.string ?? text
    }
}

/// What went wrong with the PostgreSQL catalog, in words a user can act on.
public enum PostgresCatalogError: Error, CustomStringConvertible {
    case invalidURL(String, reason: String)
    /// The server could not be reached, or refused the login, when the catalog was opened.
    case unreachable(PostgresLocation, reason: String)
    /// The connection was lost during an operation and retrying did not bring it back.
    case connectionLost(PostgresLocation, reason: String)
    /// The database answered with an error.
    case failed(PostgresLocation, reason: String)

    public var description: String {
        switch self {
        case .invalidURL(let url, let reason):
            "--database \(url): \(reason)"
        case .unreachable(let location, let reason):
            "cannot open the PostgreSQL catalog at \(location.address) (database \(location.database), user \(location.username)): \(reason). "
                + "Check that the server is running and that the URL names the right host, port, user and password."
        case .connectionLost(let location, let reason):
            "lost the connection to PostgreSQL at \(location.address) (database \(location.database)) and could not get it back: \(reason)"
        case .failed(let location, let reason):
            "PostgreSQL at \(location.address) (database \(location.database)): \(reason)"
        }
    }
}

extension PostgresCatalogError: DatabaseAvailabilityError {
    /// Unreachable and lost connections pass once the server is back; `failed` is an answer.
    public var isDatabaseUnavailable: Bool {
        switch self {
        case .unreachable, .connectionLost: true
        case .invalidURL, .failed: false
        }
    }
}
