import CGIGateway
import NIOCore
import NIOHTTP1

/// What the server remembers about a request while answering it: enough to frame, log and trace the response.
struct RequestInfo: Sendable {
    /// Identifies the request in the error log and in error pages.
    var id: RequestID
    /// The request head as received.
    var head: HTTPRequestHead
    /// Client address without port, e.g. `127.0.0.1` or `::1`: the connection's peer, or the
    /// client a trusted proxy forwarded the request for (``forwarded``).
    var remoteAddress: String
    /// What a trusted proxy said about the client (`--trusted-proxy`), or `nil`.
    var forwarded: ForwardedOrigin? = nil
    /// Whether the connection may stay open after the response.
    var keepAlive: Bool
    /// The header values of ``head`` with bytes 0x80–0xFF, as sent (where the head's strings
    /// hold U+FFFD for bytes that are not UTF-8).
    var rawHeaderValues = RawHeaderValues()
    /// When the head arrived: the access log's duration counts from here.
    var started = NIODeadline.now()

    /// `GET /path?q HTTP/1.1`, as the access log writes it.
    var requestLine: String {
        "\(head.method.rawValue) \(head.uri) HTTP/\(head.version.major).\(head.version.minor)"
    }
}
