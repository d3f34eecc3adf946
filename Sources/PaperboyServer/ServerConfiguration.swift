/// Where and how `paperboy serve` listens.
public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// The address users reach the site at (for absolute links in API answers and feeds).
    public var publicBaseURL: String

    public init(host: String = "127.0.0.1", port: Int = 8080, publicBaseURL: String? = nil) {
        self.host = host
        self.port = port
        self.publicBaseURL = publicBaseURL ?? "http://\(host):\(port)"
    }
}
