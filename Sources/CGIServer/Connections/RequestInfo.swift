import NIOCore
import NIOHTTP1

/// What the server remembers about a request while answering it: enough to frame, log and trace the response.
struct RequestInfo: Sendable {
    /// Identifies the request in the error log and in error pages.
    var id: RequestID
    /// The request head as received.
    var head: HTTPRequestHead
    /// Client address without port, e.g. `127.0.0.1` or `::1`.
    var remoteAddress: String
    /// Whether the connection may stay open after the response.
    var keepAlive: Bool
    /// When the head arrived: the access log's duration counts from here.
    var started = NIODeadline.now()

    /// `GET /path?q HTTP/1.1`, as the access log writes it.
    var requestLine: String {
        "\(head.method.rawValue) \(head.uri) HTTP/\(head.version.major).\(head.version.minor)"
    }
}
