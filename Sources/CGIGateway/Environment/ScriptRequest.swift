/// What the host knows of one HTTP request when it hands the request to a script.
///
/// The HTTP layer fills this in after it has validated the request (framing, Host, header
/// syntax); ``EnvironmentBuilder`` turns it into the script's meta-variables (RFC 3875 §4.1).
/// Nothing here is decoded: ``path`` and ``query`` are exactly as they arrived.
public struct ScriptRequest: Sendable, Equatable {
    /// The request method, verbatim and case-sensitive (`GET`, `POST`, `PROPFIND`, …).
    public var method: String
    /// The target's path, still percent-encoded, without the query (`/cgi-bin/a%20b.sh/x`).
    public var path: String
    /// The query string without the `?`, still percent-encoded; empty when there is none.
    public var query: String
    /// The request header fields in arrival order; repeated names appear repeatedly.
    public var headers: [HeaderField]
    /// The length of the body the script will read on standard input; `nil` when there is none.
    public var contentLength: Int?
    /// The client's IP address, without brackets or port (`127.0.0.1`, `::1`).
    public var remoteAddress: String
    /// The client's TCP port.
    public var remotePort: Int
    /// The IP address of the server socket the request arrived on.
    public var serverAddress: String
    /// The port of the server socket the request arrived on (RFC 3875 §4.1.15).
    public var serverPort: Int
    /// The server's name for this request: the validated Host name without port (IPv6
    /// literals keep their brackets) or a configured name (RFC 3875 §4.1.14).
    public var serverName: String
    /// The protocol of the request line, such as `HTTP/1.1` (RFC 3875 §4.1.16).
    public var serverProtocol: String
    /// Whether the request arrived over TLS.
    public var isHTTPS: Bool
    /// The request target as sent (`/cgi-bin/x.sh/a?b=c`), for `REQUEST_URI`.
    public var requestURI: String
    /// The user the server itself authenticated, never one taken from an unverified header.
    public var remoteUser: String?
    /// The scheme the server used to authenticate ``remoteUser`` (`Basic`, `Digest`).
    public var authType: String?
    /// The host's id for this request, passed as `UNIQUE_ID` (Apache mod_unique_id's name): the
    /// reference that the host's logs and error pages show, and the script's error reports use.
    public var uniqueID: String?

    /// Creates a request description.
    ///
    /// `requestURI` defaults to `path`, followed by `?` and `query` when the query is not empty.
    public init(
        method: String,
        path: String,
        query: String = "",
        headers: [HeaderField] = [],
        contentLength: Int? = nil,
        remoteAddress: String,
        remotePort: Int,
        serverAddress: String,
        serverPort: Int,
        serverName: String,
        serverProtocol: String = "HTTP/1.1",
        isHTTPS: Bool = false,
        requestURI: String? = nil,
        remoteUser: String? = nil,
        authType: String? = nil,
        uniqueID: String? = nil
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.contentLength = contentLength
        self.remoteAddress = remoteAddress
        self.remotePort = remotePort
        self.serverAddress = serverAddress
        self.serverPort = serverPort
        self.serverName = serverName
        self.serverProtocol = serverProtocol
        self.isHTTPS = isHTTPS
        self.requestURI = requestURI ?? (query.isEmpty ? path : path + "?" + query)
        self.remoteUser = remoteUser
        self.authType = authType
        self.uniqueID = uniqueID
    }
}
