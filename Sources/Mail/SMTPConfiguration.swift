import NIOSSL

/// Where and how to reach the SMTP relay.
public struct SMTPConfiguration: Sendable {
    public var host: String
    /// 587 is the submission port (RFC 6409), where relays expect STARTTLS and AUTH.
    public var port: Int
    public var transportSecurity: SMTPTransportSecurity
    /// Trust roots, certificate checks and protocol versions for STARTTLS. The default trusts the
    /// system's roots; tests trust one self-signed certificate (`trustRoots = .certificates([cert])`).
    public var tls: TLSConfiguration
    /// The name the certificate must carry, and the SNI sent; `host` unless `host` is an IP
    /// address, in which case the certificate must name that address.
    public var tlsServerName: String?
    public var credentials: SMTPCredentials?
    /// Off by default: credentials are sent only over TLS.
    public var allowsAuthenticationWithoutTLS: Bool
    /// The domain this client names in EHLO/HELO; relays may check it against DNS.
    public var clientName: String
    /// Limit on making the TCP connection.
    public var connectTimeout: Duration
    /// Limit on each reply: the greeting, each command's answer, the answer after the message.
    /// RFC 5321 section 4.5.3.2 suggests minutes; a relay that is that slow is better retried later.
    public var replyTimeout: Duration
    /// Send MAIL, RCPT and DATA together when the server offers PIPELINING (RFC 2920).
    public var usesPipelining: Bool

    public init(
        host: String,
        port: Int = 587,
        transportSecurity: SMTPTransportSecurity = .required,
        tls: TLSConfiguration = .makeClientConfiguration(),
        tlsServerName: String? = nil,
        credentials: SMTPCredentials? = nil,
        allowsAuthenticationWithoutTLS: Bool = false,
        clientName: String = "localhost",
        connectTimeout: Duration = .seconds(30),
        replyTimeout: Duration = .seconds(120),
        usesPipelining: Bool = true
    ) {
        self.host = host
        self.port = port
        self.transportSecurity = transportSecurity
        self.tls = tls
        self.tlsServerName = tlsServerName
        self.credentials = credentials
        self.allowsAuthenticationWithoutTLS = allowsAuthenticationWithoutTLS
        self.clientName = clientName
        self.connectTimeout = connectTimeout
        self.replyTimeout = replyTimeout
        self.usesPipelining = usesPipelining
    }

    /// The name handed to TLS for SNI and certificate checks; nil for an IP address, which
    /// SNI cannot carry (NIOSSL then checks the certificate against the peer's address).
    var effectiveTLSServerName: String? {
        if let tlsServerName { return tlsServerName }
        let isIPAddress = host.contains(":") || host.unicodeScalars.allSatisfy { $0 == "." || ("0"..."9").contains($0) }
        return isIPAddress ? nil : host
    }
}

/// Whether the session is upgraded with STARTTLS (RFC 3207).
public enum SMTPTransportSecurity: Sendable, Equatable {
    /// Plain text throughout, even when STARTTLS is offered (only for a relay on the same host).
    case never
    /// STARTTLS when the server offers it, plain text otherwise.
    case opportunistic
    /// STARTTLS or nothing: a server that does not offer it is a permanent failure.
    case required
}

public struct SMTPCredentials: Sendable, CustomStringConvertible {
    public var username: String
    public var password: String
    /// nil: PLAIN when offered, else LOGIN.
    public var mechanism: SMTPAuthMechanism?

    public init(username: String, password: String, mechanism: SMTPAuthMechanism? = nil) {
        self.username = username
        self.password = password
        self.mechanism = mechanism
    }

    // Keeps the password out of logs and error messages that print a configuration.
    public var description: String { "SMTPCredentials(username: \(username.debugDescription), password: <redacted>)" }
}

/// The SASL mechanisms spoken (RFC 4954 with RFC 4616 PLAIN, and the widespread LOGIN).
public enum SMTPAuthMechanism: String, Sendable, CaseIterable {
    case plain = "PLAIN"
    case login = "LOGIN"
}
