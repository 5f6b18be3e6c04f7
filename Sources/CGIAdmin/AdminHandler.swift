import NIOCore
import NIOHTTP1

/// Answers an admin listener's requests: `GET /metrics` (Prometheus text format), `GET /status`
/// (HTML) and `GET /status?format=json`, from its ``AdminPages``; 404 for other paths, 405 for
/// other methods.
package final class AdminHandler: ChannelInboundHandler {
    /// HTTP request parts, from NIO's decoder.
    package typealias InboundIn = HTTPServerRequestPart
    /// HTTP response parts, to NIO's encoder.
    package typealias OutboundOut = HTTPServerResponsePart

    private let pages: any AdminPages
    private var head: HTTPRequestHead?

    /// A handler serving `pages`.
    package init(pages: any AdminPages) {
        self.pages = pages
    }

    /// Keeps the request's head and answers at its end.
    package func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
        case .body:
            break
        case .end:
            guard let head else { return }
            self.head = nil
            let (status, type, body) = answer(head)
            var headers = HTTPHeaders([("Content-Type", type), ("Content-Length", String(body.count))])
            headers.add(name: "Cache-Control", value: "no-store")
            if !head.isKeepAlive { headers.add(name: "Connection", value: "close") }
            context.write(
                wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
            if head.method != .HEAD {
                context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
            }
            let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
            if !head.isKeepAlive {
                let channel = context.channel
                written.whenComplete { _ in channel.close(promise: nil) }
            }
        }
    }

    /// The status, content type and body for `head`.
    private func answer(_ head: HTTPRequestHead) -> (HTTPResponseStatus, String, [UInt8]) {
        guard head.method == .GET || head.method == .HEAD else {
            return (.methodNotAllowed, "text/plain; charset=utf-8", Array("GET or HEAD only\n".utf8))
        }
        let parts = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let query = parts.count > 1 ? parts[1].split(separator: "&") : []
        switch parts[0] {
        case "/metrics":
            return (.ok, "text/plain; version=0.0.4; charset=utf-8", pages.metricsText())
        case "/status" where query.contains("format=json"):
            return (.ok, "application/json", Array(pages.statusJSON().utf8))
        case "/status", "/":
            return (.ok, "text/html; charset=utf-8", Array(pages.statusHTML().utf8))
        default:
            return (.notFound, "text/plain; charset=utf-8", Array("not found: try /metrics or /status\n".utf8))
        }
    }
}
