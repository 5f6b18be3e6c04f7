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
    /// server keeps to itself.
    init(_ request: RoutedRequest, response: ClientResponse, configuration: ServerConfiguration) {
        let head = request.info.head
        let local = response.localAddress
        let authority = request.target.authority ?? head.headers.first(name: "Host")
        self.init(
            method: head.method.rawValue, path: request.target.rawPath, query: request.target.rawQuery,
            headers: head.headers.filter { $0.name.lowercased() != "transfer-encoding" }
                .map { HeaderField(name: $0.name, value: $0.value) },
            contentLength: head.headers.first(name: "Content-Length").flatMap { Int($0) },
            remoteAddress: request.info.remoteAddress, remotePort: response.remoteAddress?.port ?? 0,
            serverAddress: local?.ipAddress ?? "", serverPort: local?.port ?? 0,
            serverName: authority.flatMap(ServerName.parse) ?? local?.ipAddress ?? configuration.host,
            serverProtocol: "HTTP/\(head.version.major).\(head.version.minor)",
            isHTTPS: configuration.usesTLS, requestURI: String(head.uri.prefix { $0 != "#" }),
            uniqueID: request.info.id.description)
    }
}
