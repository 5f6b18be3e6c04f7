import NIOCore
import NIOHTTP1

/// Answers the admin listener's requests: `GET /metrics` (Prometheus text format), `GET /status`
/// (HTML) and `GET /status?format=json`; 404 for other paths, 405 for other methods.
final class AdminHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let state: AdminState
    private var head: HTTPRequestHead?

    init(state: AdminState) {
        self.state = state
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
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
            return (.ok, "text/plain; version=0.0.4; charset=utf-8", state.metricsText())
        case "/status" where query.contains("format=json"):
            return (.ok, "application/json", Array(state.report().json.utf8))
        case "/status", "/":
            return (.ok, "text/html; charset=utf-8", Array(state.report().html.utf8))
        default:
            return (.notFound, "text/plain; charset=utf-8", Array("not found: try /metrics or /status\n".utf8))
        }
    }
}
