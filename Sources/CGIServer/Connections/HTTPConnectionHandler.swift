import CGIGateway
import NIOCore
import NIOHTTP1

/// One client connection: reads request parts (already parsed and ordered by NIOHTTP1's pipelining
/// helper), checks each head, hands the request to the responder the ``Router`` picks, and enforces
/// the header and body timeouts. The responder writes through a ``ClientResponse``, which frames
/// the response and logs it; this handler only learns when it is over, and whether the
/// connection stays open for the next request.
final class HTTPConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let server: ServerContext
    private let router: Router
    private let connectionNumber: Int
    /// Turns the response parts into bytes.
    private let encoder: ResponseEncoder
    /// Tells a request line from a header line when a head is too large; told when a body arrives.
    private let lineWatcher: RequestLineWatcher
    private var requestCount = 0
    private var remoteAddress = "-"
    /// The request being answered, its response and its responder (both nil for a rejected
    /// request, whose body is read and dropped).
    private var current: (response: ClientResponse, request: RoutedRequest?, responder: (any Responder)?)?
    private var requestComplete = true
    private var responseComplete = true
    /// The body's clock (``ServerConfiguration/bodyTimeout``, ``ServerConfiguration/minBodyRate``):
    /// when it started or last resumed, and the bytes since.
    private var bodyClock = (started: NIODeadline.now(), bytes: 0)
    private var readingPaused = false
    /// The client shut down its side (`shutdown(SHUT_WR)`): the current request is answered,
    /// then the connection closes.
    private var clientClosedInput = false
    /// After an error response to a request whose body was not read, the connection reads and
    /// drops the rest for a while, so that the client reads the response instead of a reset.
    private var lingering = false
    private var timeout: RearmableTimeout?
    private var context: ChannelHandlerContext?
    /// Raw header values of the heads still to come, oldest first (``RawHeaderValues``).
    private var rawHeaderValues: [RawHeaderValues] = []

    init(server: ServerContext, connectionNumber: Int, encoder: ResponseEncoder, lineWatcher: RequestLineWatcher) {
        self.server = server
        self.router = Router(server: server)
        self.connectionNumber = connectionNumber
        self.encoder = encoder
        self.lineWatcher = lineWatcher
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
        current?.responder?.clientGone()
        current = nil
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let values = event as? RawHeaderValues { return rawHeaderValues.append(values) }
        guard case ChannelEvent.inputClosed = event else { return context.fireUserInboundEventTriggered(event) }
        clientClosedInput = true
        guard let current, !lingering else { return context.close(promise: nil) }
        current.response.closeAfterwards()
        // A half-closed client still reads; one that closed altogether answers the next bytes
        // with a reset, which stops its script. Those bytes can be an interim response on HTTP/1.1.
        if !current.response.headWritten, current.response.info.head.version == .http1_1 {
            encoder.writeRaw(ByteBuffer(string: "HTTP/1.1 102 Processing\r\n\r\n"), in: context.pipeline)
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { current?.responder?.clientBecameWritable() }
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        guard !lingering else { return context.close(promise: nil) }
        let responseBegun = current.map { $0.response.headWritten } ?? false
        guard let parserError = error as? HTTPParserError, !responseBegun || responseComplete else {
            return context.close(promise: nil)
        }
        let status: HTTPResponseStatus =
            parserError != .headerOverflow
            ? .badRequest
            : lineWatcher.headHasLongRequestLine ? .uriTooLong : .requestHeaderFieldsTooLarge
        let info = RequestInfo(
            id: nextRequestID(), head: HTTPRequestHead(version: .http1_1, method: .GET, uri: "-"),
            remoteAddress: remoteAddress, keepAlive: false)
        makeResponse(for: info, context: context).send(StatusPage.response(status))
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !lingering else { return }
        switch unwrapInboundIn(data) {
        case .head(let head):
            received(head, context: context)
        case .body(let buffer):
            bodyClock.bytes += buffer.readableBytes
            server.metrics.receivedBytes.increment(by: buffer.readableBytes)
            armBodyTimeout()
            current?.responder?.receivedBody(buffer)
        case .end:
            timeout?.disarm()
            lineWatcher.requestEnded()
            requestComplete = true
            current?.responder?.receivedEnd()
            finishIfDone()
        }
    }

    // MARK: Requests

    private func received(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        timeout?.disarm()
        requestComplete = false
        responseComplete = false
        let forwarded = server.configuration.trustedProxies.origin(peer: remoteAddress, headers: head.headers)
        var info = RequestInfo(
            id: nextRequestID(), head: head, remoteAddress: forwarded?.clientAddress ?? remoteAddress, forwarded: forwarded,
            keepAlive: head.isKeepAlive)
        if RawHeaderValues.isExpected(for: head.headers), !rawHeaderValues.isEmpty {
            info.rawHeaderValues = rawHeaderValues.removeFirst()
        }
        let expectsBody =
            head.headers.contains(name: "Transfer-Encoding")
            || (head.headers.first(name: "Content-Length").map { $0 != "0" } ?? false)
        lineWatcher.requestHeadReceived(hasBody: expectsBody)
        if expectsBody { startBodyClock() }
        let response = makeResponse(for: info, context: context)
        let target: RequestTarget?
        do {
            target = try checked(head)
        } catch {
            server.errorLog.info("request rejected: \(error.message)", metadata: ["request": "\(info.id)"])
            response.closeAfterwards()
            current = (response, nil, nil)
            return response.send(StatusPage.response(error.status, detail: error.message))
        }
        guard let target else {
            // `OPTIONS *` asks about the server itself (RFC 9110 §9.3.7).
            current = (response, nil, nil)
            return response.send(
                ServerResponse(status: .ok, headers: ["Allow": "GET, HEAD, POST, OPTIONS", "Content-Length": "0"]))
        }
        route(RoutedRequest(info: info, target: target, redirects: 0), response: response)
    }

    /// Hands `request` to its responder.
    private func route(_ request: RoutedRequest, response: ClientResponse) {
        let responder = router.responder(for: request, response: response)
        response.responder = responder.kind
        current = (response, request, responder)
        responder.start()
    }

    /// Serves a script's `Location: /path` in place of the current request.
    private func followLocalRedirect(to location: String) {
        guard let (response, request, _) = current, let request else { return }
        do {
            let redirected = try router.redirect(request, to: location)
            response.answer(redirected.info.head)
            route(redirected, response: response)
        } catch {
            server.errorLog.error("invalid local redirect: \(error.description)", metadata: ["request": "\(request.info.id)"])
            response.send(StatusPage.response(.internalServerError, reference: request.info.id))
        }
    }

    /// A response for `info`, which tells this connection when it is over.
    private func makeResponse(for info: RequestInfo, context: ChannelHandlerContext) -> ClientResponse {
        ClientResponse(
            info: info, context: context, server: server, encoder: encoder,
            ended: { [weak self] reusable in self?.responseEnded(reusable: reusable) },
            redirect: { [weak self] location in self?.followLocalRedirect(to: location) },
            reading: { [weak self] on in self?.setReading(on) })
    }

    /// Stops or resumes reading: while the server holds the body back, its clock stops.
    private func setReading(_ on: Bool) {
        guard on == readingPaused else { return }
        readingPaused = !on
        context?.channel.setAutoRead(on)
        guard !requestComplete else { return }
        if on { startBodyClock() } else { timeout?.disarm() }
    }

    /// The request's target, once the head passed every check; nil for `OPTIONS *`.
    private func checked(_ head: HTTPRequestHead) throws(RequestRejection) -> RequestTarget? {
        try RequestRejection.check(head, configuration: server.configuration)
        if head.method == .OPTIONS && head.uri == "*" { return nil }
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

    /// The response is over: close the connection, or wait for the next request once this one
    /// is read to its end.
    private func responseEnded(reusable: Bool) {
        guard let context else { return }
        guard reusable else {
            return requestComplete || clientClosedInput ? context.close(promise: nil) : linger(context)
        }
        responseComplete = true
        finishIfDone()
    }

    /// Shuts down the sending side and reads and drops what the client still sends, until it
    /// closes or ``lingerTime`` passes (as Apache's and nginx's lingering close do).
    private func linger(_ context: ChannelHandlerContext) {
        lingering = true
        current?.responder?.clientGone()
        current = nil
        setReading(true)
        timeout?.arm(Self.lingerTime)
        context.close(mode: .output).whenFailure { _ in context.close(promise: nil) }
    }

    /// The longest a connection lingers after an error response.
    static let lingerTime = TimeAmount.seconds(2)

    /// Once both the request and its response are complete, the connection waits for the next request.
    private func finishIfDone() {
        guard requestComplete && responseComplete else { return }
        current = nil
        setReading(true)
        if clientClosedInput { return context?.close(promise: nil) ?? () }
        armHeaderTimeout()
    }

    // MARK: Timeouts

    private func armHeaderTimeout() {
        armTimeout(after: server.configuration.headerTimeout)
    }

    private func startBodyClock() {
        bodyClock = (NIODeadline.now(), 0)
        armBodyTimeout()
    }

    /// A body may stall for ``ServerConfiguration/bodyTimeout`` between reads, and must arrive
    /// within that time from its start plus a second for every ``ServerConfiguration/minBodyRate``
    /// bytes (the rule of Apache's mod_reqtimeout).
    private func armBodyTimeout() {
        guard !requestComplete, !readingPaused else { return }
        let configuration = server.configuration
        let earned = Double(bodyClock.bytes) / Double(max(configuration.minBodyRate, 1))
        let whole = bodyClock.started + .milliseconds(Int64((configuration.bodyTimeout + earned) * 1000))
        let now = NIODeadline.now()
        let deadline = min(now + .milliseconds(Int64(configuration.bodyTimeout * 1000)), whole)
        timeout?.arm(max(deadline - now, .zero))
    }

    private func armTimeout(after seconds: Double) {
        timeout?.arm(.milliseconds(Int64(seconds * 1000)))
    }

    /// A stalled head or body gets 408 (when no response has begun) and the connection closes.
    private func timedOut() {
        guard let context else { return }
        guard !lingering else { return context.close(promise: nil) }
        current?.responder?.clientGone()
        // 408 for a stalled request; an idle kept-alive connection just closes, so that a
        // client sending its next request at that moment never reads a 408 as its answer.
        let stalledRequest = !requestComplete && !(current?.response.headWritten ?? false)
        if stalledRequest || requestCount == 0 {
            encoder.writeRaw(
                ByteBuffer(string: "HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"),
                in: context.pipeline)
        }
        context.close(promise: nil)
    }
}
