import CGICore
import Glibc
import NIOCore
import NIOHTTP1

/// The response to one request, as its responder writes it: the head, the body in pieces (or a
/// complete response the server composed), then the end, and its line in the access log.
///
/// The connection makes one for each request and learns from it when the response is over,
/// and whether the connection can take the next request.
final class ClientResponse {
    /// The request answered; its `keepAlive` says whether the connection stays open.
    private(set) var info: RequestInfo
    private let context: ChannelHandlerContext
    private let server: ServerContext
    private let encoder: ResponseEncoder
    /// Told once the response is over: whether the connection may carry another request.
    private let ended: (_ reusable: Bool) -> Void
    /// Told when a script asks for a local redirect.
    private let redirect: (_ location: String) -> Void
    /// Told when the responder stops or resumes reading the request.
    private let reading: (_ on: Bool) -> Void
    /// Whether the head (or anything) has gone out.
    private(set) var headWritten = false
    private var status = HTTPResponseStatus.ok
    private var bodyBytes = 0
    /// Who answers: the router's choice, or the server itself for a request no responder got.
    var responder = ResponderKind.server
    /// Why the response is an error, for the status page's recent errors.
    private var failure: String?
    /// Whether the response has its access-log line (and is counted).
    private var logged = false
    /// Whether writes wait for the end of a ``batch(_:)`` to be flushed, and whether one did.
    private var batching = false
    private var flushPending = false

    init(
        info: RequestInfo, context: ChannelHandlerContext, server: ServerContext, encoder: ResponseEncoder,
        ended: @escaping (Bool) -> Void, redirect: @escaping (String) -> Void, reading: @escaping (Bool) -> Void
    ) {
        self.info = info
        self.context = context
        self.server = server
        self.encoder = encoder
        self.ended = ended
        self.redirect = redirect
        self.reading = reading
    }

    /// The client connection's event loop.
    var eventLoop: any EventLoop { context.eventLoop }
    /// Allocates buffers for the client connection.
    var allocator: ByteBufferAllocator { context.channel.allocator }
    /// The client connection's local and remote addresses.
    var localAddress: SocketAddress? { context.channel.localAddress }
    var remoteAddress: SocketAddress? { context.channel.remoteAddress }
    /// Whether the client's socket buffer has room.
    var isWritable: Bool { context.channel.isWritable }

    /// Stops or resumes reading the request (backpressure while a script's stdin is full, or
    /// while a body waits for its script); the body's clock stops meanwhile.
    func setReading(_ on: Bool) {
        reading(on)
    }

    /// Closes the connection after this response instead of waiting for another request.
    func closeAfterwards() {
        info.keepAlive = false
    }

    /// Serves `location` as a new request in this one's place (a script's local redirect).
    func redirectLocally(to location: String) {
        redirect(location)
    }

    /// Takes the head of the request that replaces this one after a local redirect: the access
    /// log names it, and a HEAD gets no body.
    func answer(_ redirected: HTTPRequestHead) {
        info.head = redirected
    }

    // MARK: Writing

    /// Sends `100 Continue`, inviting the client to send the body it announced.
    func writeContinue() {
        context.writeAndFlush(
            NIOAny(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: .continue))), promise: nil)
    }

    /// Writes the response head, adding `Date`, `Server` and the connection headers.
    func writeHead(status: HTTPResponseStatus, headers: HTTPHeaders) {
        var headers = headers
        headers.add(name: "Date", value: HTTPDate.currentIMFFixdate())
        headers.add(name: "Server", value: ServerContext.software)
        let version: HTTPVersion = info.head.version == .http1_0 ? .http1_0 : .http1_1
        if !info.keepAlive {
            headers.replaceOrAdd(name: "Connection", value: "close")
        } else if version == .http1_0 {
            headers.replaceOrAdd(name: "Connection", value: "keep-alive")
        }
        self.status = status
        headWritten = true
        encoder.nextResponseAnswersHEAD = info.head.method == .HEAD
        context.write(
            NIOAny(HTTPServerResponsePart.head(HTTPResponseHead(version: version, status: status, headers: headers))),
            promise: nil)
    }

    /// Writes one piece of a streamed body; the future completes once it is handed to the socket.
    @discardableResult
    func writeBody(_ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        bodyBytes += buffer.readableBytes
        return writeAndFlush(.body(.byteBuffer(buffer)))
    }

    /// Runs `body`, flushing what it wrote once at its end: the pieces of output (and the end)
    /// that one read from a script brought go to the client in one write.
    func batch(_ body: () -> Void) {
        guard !batching else { return body() }
        batching = true
        body()
        batching = false
        flushIfPending()
    }

    /// Flushes what a ``batch(_:)`` wrote and has not flushed yet.
    private func flushIfPending() {
        guard flushPending else { return }
        flushPending = false
        context.flush()
    }

    /// Writes `part` and flushes it, at once or at the end of the ``batch(_:)`` under way.
    private func writeAndFlush(_ part: HTTPServerResponsePart) -> EventLoopFuture<Void> {
        let promise = eventLoop.makePromise(of: Void.self)
        context.write(NIOAny(part), promise: promise)
        if batching {
            flushPending = true
        } else {
            context.flush()
        }
        return promise.futureResult
    }

    /// Writes bytes below the HTTP encoder, unframed (a non-parsed-header script's output).
    func writeRaw(_ buffer: ByteBuffer) {
        headWritten = true
        bodyBytes += buffer.readableBytes
        encoder.writeRaw(buffer, in: context.pipeline)
    }

    /// Writes a complete response the server composed: a static file, a redirect or an error page.
    func send(_ response: ServerResponse) {
        writeHead(status: response.status, headers: response.headers)
        let length = Int(response.headers.first(name: "Content-Length") ?? "") ?? 0
        switch response.body {
        case .empty:
            bodyBytes = info.head.method == .HEAD ? 0 : length
            finish()
        case .bytes(let buffer):
            context.write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(buffer))), promise: nil)
            bodyBytes = length
            finish()
        case .file(let handle, let range):
            if server.configuration.usesTLS {
                sendChunks(of: handle, range: range, sent: 0)
            } else {
                let region = FileRegion(fileHandle: handle, readerIndex: range.lowerBound, endIndex: range.upperBound)
                context.write(NIOAny(HTTPServerResponsePart.body(.fileRegion(region))), promise: nil)
                bodyBytes = range.count
                finish { try? handle.close() }
            }
        }
    }

    /// Reads a file range in chunks on the thread pool (TLS cannot use `sendfile`) and writes each
    /// chunk once the previous one was sent.
    private func sendChunks(of handle: NIOFileHandle, range: Range<Int>, sent: Int) {
        guard sent < range.count else {
            try? handle.close()
            return finish()
        }
        let count = min(range.count - sent, 256 * 1024)
        server.fileIO.read(
            fileHandle: handle, fromOffset: Int64(range.lowerBound + sent), byteCount: count, allocator: allocator,
            eventLoop: eventLoop
        ).assumeIsolated().flatMap { [self] chunk in
            writeBody(chunk)
        }.whenComplete { [self] result in
            guard case .success = result else {
                try? handle.close()
                return abort()
            }
            sendChunks(of: handle, range: range, sent: sent + count)
        }
    }

    /// Ends the response and logs it; the connection closes unless it is kept alive. An `unframed`
    /// response (a non-parsed-header script's) has no end of its own: the connection closes.
    /// `afterwards` runs once the response is written.
    func finish(unframed: Bool = false, afterwards: (() -> Void)? = nil) {
        if unframed { info.keepAlive = false }
        guard info.keepAlive, afterwards == nil else {
            let written = unframed ? eventLoop.makeSucceededVoidFuture() : writeAndFlush(.end(nil))
            written.assumeIsolated().whenComplete { [self] result in
                afterwards?()
                logAccess()
                guard case .success = result else { return ended(false) }
                ended(info.keepAlive)
            }
            return
        }
        // Nothing waits for this write. The pipelining helper may hand over the next request while
        // `.end` is written, so this response is accounted for first.
        logAccess()
        ended(true)
        _ = writeAndFlush(.end(nil))
    }

    /// Closes the connection at once: the response was begun and cannot be completed. It is
    /// logged and counted with the status its head gave.
    func abort() {
        logAccess()
        // What a batch wrote goes out first, as it would have outside one.
        flushIfPending()
        context.close(promise: nil)
    }

    /// Notes why this response reports an error (what the error log says), for the status page.
    func noteFailure(_ reason: String) {
        failure = reason
    }

    /// Writes the access-log line and counts the response in the metrics.
    private func logAccess() {
        guard !logged else { return }
        logged = true
        let nanoseconds = (NIODeadline.now() - info.started).nanoseconds
        server.metrics.recordResponse(responder, status: status.code, nanoseconds: nanoseconds, bodyBytes: bodyBytes)
        if status.code >= 500 {
            server.recentErrors.add(
                RecentErrors.Entry(
                    time: time(nil), requestID: info.id.description, status: status.code, responder: responder,
                    path: String(info.head.uri.prefix { $0 != "?" }), reason: failure ?? status.reasonPhrase))
        }
        server.accessLog?.record(
            AccessLog.Entry(
                remoteAddress: info.remoteAddress, requestLine: info.requestLine, status: status.code,
                bodyBytes: bodyBytes, referer: info.head.headers.first(name: "Referer"),
                userAgent: info.head.headers.first(name: "User-Agent"), requestID: info.id.description,
                microseconds: nanoseconds / 1000))
    }
}
