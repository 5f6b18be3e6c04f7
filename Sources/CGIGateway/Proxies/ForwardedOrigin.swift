/// What a trusted reverse proxy says about the client's side of a request: the client's address
/// and, when it says so, the scheme and port the client used.
public struct ForwardedOrigin: Sendable, Equatable {
    /// The client's address, canonical (`REMOTE_ADDR`, `REMOTE_HOST`).
    public var clientAddress: String
    /// Whether the client used HTTPS (`HTTPS`, `REQUEST_SCHEME`); `nil` when the proxy did not say.
    public var isHTTPS: Bool?
    /// The port the client connected to (`SERVER_PORT`); `nil` when neither the port nor the
    /// scheme was forwarded.
    public var serverPort: Int?

    /// Creates an origin.
    public init(clientAddress: String, isHTTPS: Bool? = nil, serverPort: Int? = nil) {
        self.clientAddress = clientAddress
        self.isHTTPS = isHTTPS
        self.serverPort = serverPort
    }
}
