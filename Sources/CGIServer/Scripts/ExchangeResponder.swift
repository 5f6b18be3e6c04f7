import CGIGateway
import Logging
import NIOCore
import NIOHTTP1

/// A responder that answers with a script's output as its ``ScriptExchange`` decides: the CGI
/// responder (a process's stdout) and the FastCGI responder (an application's STDOUT records).
/// Both get the same statuses, redirects, framing and error pages from ``perform(_:chunk:)``;
/// each says how its own script stops, waits and pauses.
protocol ExchangeResponder: Responder {
    /// What every connection shares (configuration, logs).
    var server: ServerContext { get }
    /// The request being answered.
    var request: RoutedRequest { get }
    /// Where the answer goes.
    var response: ClientResponse { get }
    /// The rules that turn the script's output into the response.
    var exchange: ScriptExchange { get set }
    /// Tagged with the request and the script.
    var logger: Logger { get }
    /// The request body on its way to the script.
    var input: ScriptInput { get }
    /// Whether the whole request (body included) has arrived.
    var requestEnded: Bool { get set }
    /// Whether the exchange is over (the script's side finished).
    var finished: Bool { get }
    /// Added to the log line of a failure (such as the limits a script ran under); may be empty.
    var failureNote: String { get }
    /// Starts the script's side: a CGI script takes a slot and is spawned, a FastCGI request
    /// connects to its application.
    func startScript()
    /// Stops the script's side of the exchange: nothing more is read from it.
    func finish()
    /// The output ended before the script exited (``ScriptExchange/Action/awaitExit``).
    func awaitExit()
    /// The client cannot take more for now: stop reading the script's output until
    /// ``Responder/clientBecameWritable()``.
    func pauseOutput()
}

extension ExchangeResponder {
    /// Starts the script once the body is complete (a chunked or small body, whose length the
    /// script is given), once a larger one has shown that it arrives, or now.
    func start() {
        if input.waitsForWholeBody {
            input.continueIfExpected(request.info.head.headers)
        } else {
            input.startWhenShown(request.info.head.headers) { [self] in startScript() }
        }
    }

    func receivedBody(_ buffer: ByteBuffer) {
        do {
            try input.received(buffer)
        } catch {
            response.closeAfterwards()
            perform(exchange.scriptFailed(error))
        }
    }

    func receivedEnd() {
        requestEnded = true
        guard input.waitsForWholeBody, !finished else { return }
        input.ended()
        startScript()
    }

    /// Does what the exchange decided; `chunk` is the piece of output the action is about.
    func perform(_ action: ScriptExchange.Action, chunk: ByteBuffer? = nil) {
        switch action {
        case .wait, .discard:
            break
        case .sendHead(let head, let bodyStart):
            if !head.droppedHeaders.isEmpty {
                logger.debug("dropped script headers: \(head.droppedHeaders.joined(separator: ", "))")
            }
            // An HTTP/1.0 body without a length ends with the connection.
            if request.info.head.version == .http1_0, head.contentLength == nil { response.closeAfterwards() }
            response.writeHead(
                status: HTTPResponseStatus(statusCode: head.status, reasonPhrase: head.reason), headers: Self.headers(of: head))
            if let bodyStart, let chunk {
                sendBody(chunk.getSlice(at: chunk.readerIndex + bodyStart, length: chunk.readableBytes - bodyStart)!)
            }
        case .sendBody:
            chunk.map(sendBody)
        case .sendRaw:
            chunk.map(response.writeRaw)
        case .finish(let unframed):
            response.finish(unframed: unframed)
        case .awaitExit:
            awaitExit()
        case .sendRedirectPage(let head):
            var page = StatusPage.response(
                HTTPResponseStatus(statusCode: head.status, reasonPhrase: head.reason), detail: "This page has moved.",
                headers: Self.headers(of: head))
            page.headers.replaceOrAdd(name: "Location", value: head.value(of: "Location") ?? "/")
            response.send(page)
        case .fail(let failure):
            fail(failure)
        case .followLocalRedirect(let location):
            finish()
            if !requestEnded { response.closeAfterwards() }
            response.redirectLocally(to: location)
        case .abort(let reason):
            logger.error("\(reason)\(failureNote)")
            response.abort()
            finish()
        case .stopScript:
            finish()
        }
    }

    /// Answers with an error page: in development mode it shows the reason (and a listing such
    /// as a compiler's messages); in every mode the request id, which the error log names too.
    private func fail(_ failure: ScriptFailure) {
        if failure.retryAfter != nil {
            logger.warning("\(failure.logMessage)")
        } else {
            logger.error("\(failure.logMessage)\(failureNote)")
        }
        if !requestEnded { response.closeAfterwards() }
        response.noteFailure(failure.logMessage)
        let development = server.configuration.developmentMode
        let headers: HTTPHeaders = failure.retryAfter.map { ["Retry-After": String($0)] } ?? [:]
        response.send(
            StatusPage.response(
                HTTPResponseStatus(statusCode: failure.status),
                detail: development ? failure.pageMessage : nil, listing: development ? failure.listing : nil,
                reference: request.info.id, headers: headers))
        finish()
    }

    /// The script's header fields, and its `Content-Length` when it gave a valid one.
    private static func headers(of head: ResponseHead) -> HTTPHeaders {
        var headers = HTTPHeaders(head.headers.map { ($0.name, $0.value) })
        if let length = head.contentLength { headers.add(name: "Content-Length", value: String(length)) }
        return headers
    }

    private func sendBody(_ buffer: ByteBuffer) {
        response.writeBody(buffer)
        if !response.isWritable { pauseOutput() }
    }
}
