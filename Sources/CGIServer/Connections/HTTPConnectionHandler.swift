import Glibc
import CGIGateway
import NIOCore
import NIOHTTP1

/// One client connection: reads request parts (already parsed and ordered by NIOHTTP1's pipelining
/// helper), routes each request to a static file or a script, frames and writes the response, logs it,
/// and enforces the header and body timeouts.
final class HTTPConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// Where the parts of the current request go.
    private enum State {
        /// Waiting for a request head.
        case idle
        /// The response does not depend on the body: its parts are dropped until the end.
        case ignoringBody
        /// The body streams to a script.
        case script(CGIHandler)
    }

    private let server: ServerContext
    private let connectionNumber: Int
    /// Turns the response parts into bytes; told before each head whether it answers a HEAD.
    private let encoder: ResponseEncoder
    /// Tells a request line from a header line when a head is too large; told when a body arrives.
    private let lineTracker: OpenLineTracker
    private var requestCount = 0
    private var remoteAddress = "-"
    private var state = State.idle
    private var requestComplete = true
    private var responseComplete = true
    private var responseHeadWritten = false
    private var timeout: RearmableTimeout?
    private var context: ChannelHandlerContext?

    init(server: ServerContext, connectionNumber: Int, encoder: ResponseEncoder, lineTracker: OpenLineTracker) {
        self.server = server
        self.connectionNumber = connectionNumber
        self.encoder = encoder
        self.lineTracker = lineTracker
    }

    // MARK: Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        timeout = RearmableTimeout(loop: context.eventLoop) { [weak self] in self?.timedOut() }
        if context.channel.isActive { connectionStarted(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        connectionStarted(context)
        context.fireChannelActive()
    }

    private func connectionStarted(_ context: ChannelHandlerContext) {
        remoteAddress = context.channel.remoteAddress?.ipAddress ?? "-"
        armHeaderTimeout()
    }

    func channelInactive(context: ChannelHandlerContext) {
        timeout?.stop()
        if case .script(let cgi) = state { cgi.clientDisconnected() }
        state = .idle
        context.fireChannelInactive()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable, case .script(let cgi) = state { cgi.clientBecameWritable() }
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        guard let parserError = error as? HTTPParserError, !responseHeadWritten || responseComplete else {
            return context.close(promise: nil)
        }
        let status: HTTPResponseStatus =
            parserError != .headerOverflow ? .badRequest
            : lineTracker.headHasLongRequestLine ? .uriTooLong : .requestHeaderFieldsTooLarge
        let info = RequestInfo(
            id: nextRequestID(), head: HTTPRequestHead(version: .http1_1, method: .GET, uri: "-"),
            remoteAddress: remoteAddress, keepAlive: false)
        send(ErrorPage.response(status), for: info)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            received(head)
        case .body(let buffer):
            armBodyTimeout()
            if case .script(let cgi) = state { cgi.receivedBody(buffer) }
        case .end:
            timeout?.disarm()
            lineTracker.requestEnded()
            requestComplete = true
            if case .script(let cgi) = state { cgi.receivedEnd() }
            finishIfDone()
        }
    }

    // MARK: Requests

    private func received(_ head: HTTPRequestHead) {
        timeout?.disarm()
        requestComplete = false
        responseComplete = false
        responseHeadWritten = false
        var info = RequestInfo(id: nextRequestID(), head: head, remoteAddress: remoteAddress, keepAlive: head.isKeepAlive)
        let expectsBody = head.headers.contains(name: "Transfer-Encoding")
            || (head.headers.first(name: "Content-Length").map { $0 != "0" } ?? false)
        lineTracker.requestHeadReceived(hasBody: expectsBody)
        if expectsBody { armBodyTimeout() }
        let target: RequestTarget
        do {
            target = try checked(head)
        } catch {
            info.keepAlive = false
            state = .ignoringBody
            server.errorLog.info("request rejected: \(error.message)", metadata: ["request": "\(info.id)"])
            send(ErrorPage.response(error.status, detail: error.message), for: info)
            return
        }
        route(head, target: target, info: info, redirects: 0)
    }

    /// Sends the request to its script (paths under `/cgi-bin/`) or to the static files.
    private func route(_ head: HTTPRequestHead, target: RequestTarget, info: RequestInfo, redirects: Int) {
        guard let context else { return }
        // A request answered without reading its body: a client waiting for 100 Continue never sends it.
        var unreadBody = info
        if head.headers.first(name: "Expect")?.lowercased() == "100-continue" { unreadBody.keepAlive = false }
        guard server.scriptResolver.claims(target.path) else {
            state = .ignoringBody
            return send(server.staticFiles.respond(to: head, target: target), for: unreadBody)
        }
        let location: ScriptLocation
        do {
            location = try server.scriptResolver.resolve(target.path)
        } catch {
            state = .ignoringBody
            server.errorLog.info("\(error.description)", metadata: ["request": "\(info.id)"])
            let status = HTTPResponseStatus(statusCode: error.httpStatus)
            return send(ErrorPage.response(status), for: unreadBody)
        }
        let handler = CGIHandler(
            connection: self, context: context, server: server, info: info,
            request: scriptRequest(head, target: target, context: context), location: location, redirects: redirects)
        state = .script(handler)
        handler.start()
    }

    /// The request as the gateway describes it to a script.
    private func scriptRequest(_ head: HTTPRequestHead, target: RequestTarget, context: ChannelHandlerContext) -> ScriptRequest {
        let local = context.channel.localAddress
        let authority = target.authority ?? head.headers.first(name: "Host")
        return ScriptRequest(
            method: head.method.rawValue, path: target.rawPath, query: target.rawQuery,
            headers: head.headers.map { HeaderField(name: $0.name, value: $0.value) },
            contentLength: head.headers.first(name: "Content-Length").flatMap { Int($0) },
            remoteAddress: remoteAddress, remotePort: context.channel.remoteAddress?.port ?? 0,
            serverAddress: local?.ipAddress ?? "", serverPort: local?.port ?? 0,
            serverName: authority.flatMap(ServerName.parse) ?? local?.ipAddress ?? server.configuration.host,
            serverProtocol: "HTTP/\(head.version.major).\(head.version.minor)",
            isHTTPS: server.configuration.usesTLS, requestURI: head.uri)
    }

    /// Serves a script's `Location: /path` as a new request (a GET, or a HEAD for a HEAD) without a body.
    func redirectLocally(to location: String, from info: RequestInfo, redirects: Int) {
        var head = info.head
        head.method = head.method == .HEAD ? .HEAD : .GET
        head.uri = location
        for name in ["Content-Length", "Transfer-Encoding", "Content-Type", "Expect"] {
            head.headers.remove(name: name)
        }
        var redirected = info
        redirected.head = head
        do {
            route(head, target: try RequestTarget(location), info: redirected, redirects: redirects)
        } catch {
            server.errorLog.error("invalid local redirect: \(error.description)", metadata: ["request": "\(info.id)"])
            send(ErrorPage.response(.internalServerError), for: info)
        }
    }

    /// The request's target, once the head passed every check.
    private func checked(_ head: HTTPRequestHead) throws(RequestRejection) -> RequestTarget {
        try RequestRejection.check(head, configuration: server.configuration)
        do {
            return try RequestTarget(head.uri)
        } catch {
            throw .malformedTarget(error.description)
        }
    }

    private func nextRequestID() -> RequestID {
        requestCount += 1
        return RequestID(connection: connectionNumber, request: requestCount)
    }

    // MARK: Writing responses

    /// Writes a complete server-made response (static file, redirect or error page).
    func send(_ response: ServerResponse, for info: RequestInfo) {
        guard let context else { return }
        writeHead(status: response.status, headers: response.headers, for: info)
        let bodyBytes = Int(response.headers.first(name: "Content-Length") ?? "") ?? 0
        switch response.body {
        case .empty:
            finishResponse(for: info, status: response.status, bodyBytes: info.head.method == .HEAD ? 0 : bodyBytes)
        case .bytes(let buffer):
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
            finishResponse(for: info, status: response.status, bodyBytes: bodyBytes)
        case .file(let handle, let range):
            sendFile(handle, range: range, for: info, status: response.status)
        }
    }

    /// Sends a file range with `sendfile` (plain TCP) or in chunks (TLS).
    private func sendFile(_ handle: NIOFileHandle, range: ByteRange, for info: RequestInfo, status: HTTPResponseStatus) {
        guard let context else { return }
        if !server.configuration.usesTLS {
            let region = FileRegion(fileHandle: handle, readerIndex: range.first, endIndex: range.last + 1)
            context.write(wrapOutboundOut(.body(.fileRegion(region))), promise: nil)
            finishResponse(for: info, status: status, bodyBytes: range.count) { try? handle.close() }
        } else {
            sendChunks(of: handle, range: range, sent: 0, for: info, status: status)
        }
    }

    /// Reads a file range in chunks on the thread pool and writes each chunk once the previous one was sent.
    private func sendChunks(
        of handle: NIOFileHandle, range: ByteRange, sent: Int, for info: RequestInfo, status: HTTPResponseStatus
    ) {
        guard let context, sent < range.count else {
            try? handle.close()
            return finishResponse(for: info, status: status, bodyBytes: range.count)
        }
        let count = min(range.count - sent, 256 * 1024)
        server.fileIO.read(
            fileHandle: handle, fromOffset: Int64(range.first + sent), byteCount: count, allocator: context.channel.allocator,
            eventLoop: context.eventLoop
        ).assumeIsolated().flatMap { [self] chunk in
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(chunk))))
        }.whenComplete { [self] result in
            guard case .success = result else {
                try? handle.close()
                return abort(context)
            }
            sendChunks(of: handle, range: range, sent: sent + count, for: info, status: status)
        }
    }

    /// Writes the response head, adding `Date`, `Server` and the connection headers.
    func writeHead(status: HTTPResponseStatus, headers: HTTPHeaders, for info: RequestInfo) {
        guard let context else { return }
        var headers = headers
        headers.add(name: "Date", value: HTTPDate.currentIMFFixdate())
        headers.add(name: "Server", value: ServerContext.software)
        let version: HTTPVersion = info.head.version == .http1_0 ? .http1_0 : .http1_1
        if !info.keepAlive {
            headers.replaceOrAdd(name: "Connection", value: "close")
        } else if version == .http1_0 {
            headers.replaceOrAdd(name: "Connection", value: "keep-alive")
        }
        responseHeadWritten = true
        encoder.nextResponseAnswersHEAD = info.head.method == .HEAD
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: version, status: status, headers: headers))), promise: nil)
    }

    /// Writes one piece of a streamed body; the future completes once it is handed to the socket.
    func writeBody(_ buffer: ByteBuffer) -> EventLoopFuture<Void>? {
        guard let context else { return nil }
        return context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(buffer))))
    }

    /// Sends `100 Continue`, inviting the client to send the body it announced.
    func writeContinue() {
        context?.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .continue))), promise: nil)
    }

    /// Ends the response, logs it and closes the connection unless it is kept alive.
    /// A `raw` response (written by an NPH script) has no HTTP framing to end: the connection closes.
    /// `afterwards` runs once the response is written.
    func finishResponse(
        for info: RequestInfo, status: HTTPResponseStatus, bodyBytes: Int, raw: Bool = false, afterwards: (() -> Void)? = nil
    ) {
        guard let context else { return }
        guard info.keepAlive, !raw, afterwards == nil else {
            let ended = raw ? context.eventLoop.makeSucceededVoidFuture() : context.writeAndFlush(wrapOutboundOut(.end(nil)))
            ended.assumeIsolated().whenComplete { [self] result in
                afterwards?()
                logAccess(info, status: status, bodyBytes: bodyBytes)
                guard case .success = result, info.keepAlive else { return context.close(promise: nil) }
                responseComplete = true
                finishIfDone()
            }
            return
        }
        // Nothing waits for this write. The pipelining helper may hand over the next request while
        // `.end` is written, so this response is accounted for first.
        logAccess(info, status: status, bodyBytes: bodyBytes)
        responseComplete = true
        finishIfDone()
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    private func logAccess(_ info: RequestInfo, status: HTTPResponseStatus, bodyBytes: Int) {
        server.accessLog?.record(
            AccessLog.Entry(
                remoteAddress: info.remoteAddress, requestLine: info.requestLine, status: status.code,
                bodyBytes: bodyBytes, referer: info.head.headers.first(name: "Referer"),
                userAgent: info.head.headers.first(name: "User-Agent")))
    }

    /// Closes the connection at once (a response could not be completed).
    func abort(_ context: ChannelHandlerContext) {
        context.close(promise: nil)
    }

    /// Once both the request and its response are complete, the connection waits for the next request.
    private func finishIfDone() {
        guard requestComplete && responseComplete else { return }
        state = .idle
        armHeaderTimeout()
    }

    // MARK: Timeouts

    private func armHeaderTimeout() {
        armTimeout(after: server.configuration.headerTimeout)
    }

    private func armBodyTimeout() {
        guard !requestComplete else { return }
        armTimeout(after: server.configuration.bodyTimeout)
    }

    private func armTimeout(after seconds: Double) {
        timeout?.arm(.milliseconds(Int64(seconds * 1000)))
    }

    /// A stalled head or body gets 408 (when no response has begun) and the connection closes.
    private func timedOut() {
        guard let context else { return }
        if case .script(let cgi) = state { cgi.clientDisconnected() }
        // 408 for a stalled request; an idle kept-alive connection just closes, so that a
        // client sending its next request at that moment never reads a 408 as its answer.
        let stalledRequest = !requestComplete && !responseHeadWritten
        if stalledRequest || requestCount == 0 {
            writeRaw(ByteBuffer(string: "HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
        }
        context.close(promise: nil)
    }

    /// Writes bytes to the client below the HTTP encoder (for 408 on an idle connection and NPH output).
    func writeRaw(_ buffer: ByteBuffer) {
        guard let encoder = try? context?.pipeline.syncOperations.context(handler: encoder) else { return }
        encoder.writeAndFlush(NIOAny(buffer), promise: nil)
    }
}
