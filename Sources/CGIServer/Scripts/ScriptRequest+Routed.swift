import CGIGateway
import NIOCore
import NIOHTTP1

extension ScriptRequest {
    /// The request as the gateway describes it to a script (RFC 3875 §4.1): method, target,
    /// headers, and both ends of the client's connection.
    ///
    /// `Transfer-Encoding` is not passed on: the server has decoded a chunked body and tells the
    /// script its length as `CONTENT_LENGTH`, so the environment never contradicts itself. Other
    /// hop-by-hop headers (`Connection`, `TE`, `Upgrade`, …) reach the script as `HTTP_*`
    /// variables, as Apache passes them; they describe the client's connection, which the
    /// server keeps to itself. A value that is not valid UTF-8 keeps the bytes the client sent
    /// (``RequestInfo/rawHeaderValues``).
    ///
    /// When a trusted proxy forwarded the request (``RequestInfo/forwarded``), the client's
    /// address, scheme and port are the forwarded ones and the `X-Forwarded-*` headers that said
    /// so are not passed on (``TrustedProxies``). `REMOTE_PORT` stays the peer's port.
    init(_ request: RoutedRequest, response: ClientResponse, configuration: ServerConfiguration) {
        let head = request.info.head
        let local = response.localAddress
        let authority = request.target.authority ?? head.headers.first(name: "Host")
        let forwarded = request.info.forwarded
        let hidden: Set<String> =
            forwarded == nil ? ["transfer-encoding"] : TrustedProxies.headerNames.union(["transfer-encoding"])
        self.init(
            method: head.method.rawValue, path: request.target.rawPath, query: request.target.rawQuery,
            headers: request.info.rawHeaderValues.headerFields(head.headers)
                .filter { !hidden.contains($0.name.lowercased()) },
            contentLength: head.headers.first(name: "Content-Length").flatMap { Int($0) },
            remoteAddress: request.info.remoteAddress, remotePort: response.remoteAddress?.port ?? 0,
            serverAddress: local?.ipAddress ?? "", serverPort: forwarded?.serverPort ?? local?.port ?? 0,
            serverName: authority.flatMap(ServerName.parse) ?? local?.ipAddress ?? configuration.host,
            serverProtocol: "HTTP/\(head.version.major).\(head.version.minor)",
            isHTTPS: forwarded?.isHTTPS ?? configuration.usesTLS, requestURI: String(head.uri.prefix { $0 != "#" }),
            uniqueID: request.info.id.description)
    }
}
