import Glibc
import CGIGateway
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// Runs one request's script (RFC 3875) and turns its output into the HTTP response.
///
/// - The body goes to the script's stdin with backpressure: exactly `CONTENT_LENGTH` bytes, then
///   end-of-file. A chunked body is collected first (memory, then a temporary file) so that
///   `CONTENT_LENGTH` can be set. Without a body, stdin is `/dev/null`.
/// - stdout is read while stdin is written (event-loop pipe channels), so a script that writes
///   before reading cannot deadlock; stderr goes to the error log line by line (``ScriptErrorPipe``:
///   read at the end for a quick script, as it is written for one that runs longer).
/// - The response head is parsed strictly (``ResponseHeadParser``). Statuses the server chooses:
///   502 for an invalid head (bad line, bad `Status`, `Transfer-Encoding`, over-long head) or no
///   output at all; 500 for a head without `Content-Type` or `Location` (RFC 3875 §6.2.1) or an
///   empty head; 504 when the script is silent longer than the script timeout; 500 when it cannot
///   start or local redirects go deeper than ``maxRedirects``.
/// - `Location: /path` alone is served as a new GET (local redirect); an absolute `Location`
///   without `Status` is a 302 with the server's own body.
/// - The server frames the body (chunked, or close-delimited for HTTP/1.0) and streams it as the
///   script writes it. Scripts named `nph-*` write the whole response themselves; the connection closes after it.
/// - When the client goes away or the script times out, its process group gets SIGTERM, then SIGKILL.
final class CGIHandler {
    /// Local redirects followed for one request before it fails with 500.
    static let maxRedirects = 10

    private enum Body {
        /// No body: stdin is `/dev/null`.
        case none
        /// `Content-Length` bytes stream to stdin as they arrive.
        case streamed(remaining: Int)
        /// A chunked body collected before the script starts.
        case spooled(RequestBodySpool)
    }

    private enum Output {
        /// Reading the response head.
        case head(ResponseHeadParser)
        /// Streaming the body to the client.
        case body
        /// Discarding the rest of the output while the response head is out and its end is
        /// still to come (HEAD, 204, 304).
        case discard
        /// The whole response was sent already (a client redirect's own page): the script's
        /// output is read and dropped, and nothing more goes to the client.
        case sent
        /// Passing everything through untouched (`nph-*`).
        case raw
        /// The response is complete or abandoned.
        case done
    }

    private let connection: HTTPConnectionHandler
    private let context: ChannelHandlerContext
    private let server: ServerContext
    private var info: RequestInfo
    private let request: ScriptRequest
    private let location: ScriptLocation
    private let redirects: Int
    /// Tagged with the request and the script when first needed (most runs log nothing).
    private lazy var logger = server.errorLog.tagged(request: info.id, script: location.scriptName)

    private var body: Body
    private var output: Output
    private var script: RunningScript?
    private var outputChannel: (any Channel)?
    private var inputChannel: (any Channel)?
    private var errorPipe: ScriptErrorPipe?
    private var pendingInput: [ByteBuffer] = []
    private var lastInputWrite: EventLoopFuture<Void>?
    private var inputClosed = false
    private var requestEnded = false
    private lazy var idleTimeout = RearmableTimeout(loop: context.eventLoop) { [weak self] in self?.idleTimedOut() }
    private var finished = false
    private var bodyBytesSent = 0
    private var status = HTTPResponseStatus.ok

    init(
        connection: HTTPConnectionHandler, context: ChannelHandlerContext, server: ServerContext, info: RequestInfo,
        request: ScriptRequest, location: ScriptLocation, redirects: Int
    ) {
        self.connection = connection
        self.context = context
        self.server = server
        self.info = info
        self.request = request
        self.location = location
        self.redirects = redirects
        let isChunked = info.head.headers.contains(name: "Transfer-Encoding")
        if isChunked {
            body = .spooled(RequestBodySpool(memoryLimit: server.configuration.bodyMemoryLimit, maximum: server.configuration.maxBodySize))
        } else if let length = request.contentLength, length > 0 {
            body = .streamed(remaining: length)
        } else {
            body = .none
        }
        let isNPH = location.scriptName.split(separator: "/").last?.hasPrefix("nph-") ?? false
        output = isNPH ? .raw : .head(ResponseHeadParser())
    }

    // MARK: Starting

    /// Starts the script now, or (chunked body) once the body is complete.
    func start() {
        if case .none = body {} else if info.head.headers.first(name: "Expect")?.lowercased() == "100-continue" {
            connection.writeContinue()
        }
        if case .spooled = body { return }
        acquireSlotAndSpawn()
    }

    private func acquireSlotAndSpawn() {
        server.scriptSlots.acquire(on: context.eventLoop).assumeIsolated().whenComplete { [self] result in
            switch result {
            case .success:
                guard !finished else { return server.scriptSlots.release() }
                spawn()
            case .failure:
                guard !finished else { return }
                logger.warning("no script slot free: 503")
                info.keepAlive = info.keepAlive && requestEnded
                respondWithError(.serviceUnavailable, detail: "Too many scripts are running; try again shortly.", headers: ["Retry-After": "1"])
            }
        }
    }

    /// Starts the script; a Swift source is compiled first (or found in the compile cache).
    private func spawn() {
        guard location.isSwiftSource else { return spawn(executable: location.scriptPath) }
        server.swiftCompiler.executable(for: location.scriptPath, on: context.eventLoop).assumeIsolated()
            .whenComplete { [self] result in
                guard !finished else { return server.scriptSlots.release() }
                switch result {
                case .success(let executable):
                    spawn(executable: executable)
                case .failure(let error):
                    server.scriptSlots.release()
                    logger.error("\(error)")
                    let diagnostics = (error as? ScriptCompilerError).flatMap { error in
                        if case .compileFailed(_, let diagnostics) = error { diagnostics } else { nil }
                    }
                    respondWithError(
                        .internalServerError, detail: "\(location.scriptName) cannot be compiled.",
                        listing: diagnostics ?? "\(error)")
                }
            }
    }

    private func spawn(executable: String) {
        var request = request
        if case .spooled(let spool) = body { request.contentLength = spool.size }
        let environment = server.environment.environment(for: request, script: location)
        let process: ScriptProcess
        do {
            process = try ScriptProcess.spawn(
                executable: executable, environment: environment, workingDirectory: location.directory,
                standardInput: (request.contentLength ?? 0) > 0 ? .pipe : .nullDevice)
        } catch {
            server.scriptSlots.release()
            logger.error("\(error.description)")
            return respondWithError(.internalServerError, detail: error.description)
        }
        let script = RunningScript(
            process: process, loop: context.eventLoop, slots: server.scriptSlots,
            killGrace: .milliseconds(Int64(server.configuration.killGrace * 1000)))
        self.script = script
        armIdleTimer()
        connectPipes(process)
    }

    /// Hands the pipe descriptors to the event loop, one channel each for stdout and stdin
    /// (separate, so that a script closing stdin early cannot cut its output short); stderr is
    /// read by a ``ScriptErrorPipe``.
    private func connectPipes(_ process: ScriptProcess) {
        let loop = context.eventLoop
        let handler = NIOLoopBound(self, eventLoop: loop)
        NIOPipeBootstrap(group: loop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ScriptOutputReader(handler: handler.value))
                }
            }
            .takingOwnershipOfDescriptor(input: process.standardOutput)
            .assumeIsolated().whenComplete { [self] result in
                switch result {
                case .success(let channel):
                    outputChannel = channel
                    if finished { channel.close(promise: nil) }
                case .failure(let error):
                    logger.error("cannot read the script's output: \(error)")
                    respondWithError(.internalServerError, detail: "The script's output could not be read.")
                }
            }
        if let stdin = process.standardInput {
            NIOPipeBootstrap(group: loop)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ScriptInputWriter(handler: handler.value))
                    }
                }
                .takingOwnershipOfDescriptor(output: stdin)
                .assumeIsolated().whenComplete { [self] result in
                    guard case .success(let channel) = result else { return standardInputFailed() }
                    inputChannel = channel
                    if finished { return channel.close(promise: nil) }
                    feedStandardInput()
                }
        }
        errorPipe = ScriptErrorPipe(
            descriptor: process.standardError,
            lines: ScriptErrorLines(logger: server.errorLog, request: info.id, script: location.scriptName), loop: loop)
    }

    // MARK: Request body → stdin

    /// A piece of the request body arrived.
    func receivedBody(_ buffer: ByteBuffer) {
        switch body {
        case .none:
            break
        case .streamed(let remaining):
            body = .streamed(remaining: remaining - buffer.readableBytes)
            guard !inputClosed else { return }
            pendingInput.append(buffer)
            feedStandardInput()
        case .spooled(let spool):
            do {
                try spool.append(buffer)
            } catch {
                info.keepAlive = false
                switch error {
                case .tooLarge:
                    respondWithError(.payloadTooLarge, detail: "The request body is larger than this server accepts.")
                case .storage(let code):
                    logger.error("cannot store the request body: \(String(cString: strerror(code)))")
                    respondWithError(.internalServerError, detail: "The request body could not be stored.")
                }
            }
        }
    }

    /// The request is complete.
    func receivedEnd() {
        requestEnded = true
        guard case .spooled(let spool) = body, !finished else { return }
        if let bytes = spool.bytesInMemory {
            if bytes.readableBytes > 0 { pendingInput.append(bytes) }
        }
        acquireSlotAndSpawn()
    }

    /// Writes pending body pieces to stdin while the pipe accepts them, pausing the client otherwise;
    /// closes stdin after the last byte so that the script reads end-of-file.
    private func feedStandardInput() {
        guard let input = inputChannel, !finished, !inputClosed else { return }
        while !pendingInput.isEmpty && input.isWritable {
            lastInputWrite = input.write(pendingInput.removeFirst())
        }
        input.flush()
        context.channel.setAutoRead(pendingInput.isEmpty)
        guard pendingInput.isEmpty else { return }
        switch body {
        case .streamed(let remaining) where remaining <= 0:
            closeStandardInput()
        case .spooled(let spool):
            body = .none
            if spool.file != nil { streamSpool(spool, offset: 0) } else { closeStandardInput() }
        default:
            break
        }
    }

    /// Closes stdin once everything written so far has reached the pipe.
    private func closeStandardInput() {
        guard let input = inputChannel, !inputClosed else { return }
        inputClosed = true
        guard let lastInputWrite else { return input.close(promise: nil) }
        lastInputWrite.assumeIsolated().whenComplete { _ in input.close(promise: nil) }
    }

    /// Copies a spooled body from its temporary file to stdin, one chunk after the other.
    private func streamSpool(_ spool: RequestBodySpool, offset: Int) {
        guard let input = inputChannel, let file = spool.file, !finished, !inputClosed else { return }
        let count = min(spool.size - offset, 256 * 1024)
        var chunk = context.channel.allocator.buffer(capacity: max(count, 1))
        let read = chunk.writeWithUnsafeMutableBytes(minimumWritableBytes: max(count, 1)) { bytes in
            max(0, pread(file, bytes.baseAddress, count, off_t(offset)))
        }
        guard read > 0 else { return closeStandardInput() }
        input.writeAndFlush(chunk).assumeIsolated().whenComplete { [self] result in
            guard case .success = result else { return standardInputFailed() }
            streamSpool(spool, offset: offset + read)
        }
    }

    /// The stdin pipe can take more after being full.
    func standardInputBecameWritable() {
        feedStandardInput()
    }

    /// The script stopped reading its input (it exited or closed stdin): the rest of the body is dropped.
    func standardInputFailed() {
        inputClosed = true
        pendingInput.removeAll()
        inputChannel?.close(promise: nil)
        context.channel.setAutoRead(true)
    }

    // MARK: stdout → response

    /// A piece of the script's output arrived.
    func receivedOutput(_ buffer: ByteBuffer) {
        armIdleTimer()
        switch output {
        case .head(var parser):
            do {
                let progress = try buffer.withUnsafeReadableBytes { bytes throws(ResponseHeadError) in try parser.feed(bytes) }
                switch progress {
                case .needMore:
                    output = .head(parser)
                case .complete(let head, let bodyStart):
                    respond(with: head, firstBodyBytes: buffer.getSlice(at: buffer.readerIndex + bodyStart, length: buffer.readableBytes - bodyStart))
                }
            } catch {
                failInvalidHead(error)
            }
        case .body:
            sendBody(buffer)
        case .raw:
            bodyBytesSent += buffer.readableBytes
            connection.writeRaw(buffer)
        case .discard, .sent, .done:
            break
        }
    }

    private func respond(with head: ResponseHead, firstBodyBytes: ByteBuffer?) {
        if !head.droppedHeaders.isEmpty {
            logger.debug("dropped script headers: \(head.droppedHeaders.joined(separator: ", "))")
        }
        switch head.kind {
        case .localRedirect(let target):
            output = .done
            finish()
            info.keepAlive = info.keepAlive && requestEnded
            guard redirects < Self.maxRedirects else {
                logger.error("more than \(Self.maxRedirects) local redirects")
                return connection.send(ErrorPage.response(.internalServerError, detail: detail("Too many local redirects.")), for: info)
            }
            connection.redirectLocally(to: target, from: info, redirects: redirects + 1)
        case .clientRedirect:
            output = .sent
            status = HTTPResponseStatus(statusCode: head.status, reasonPhrase: head.reason)
            var response = ErrorPage.response(status, detail: "This page has moved.", headers: headers(of: head))
            response.headers.replaceOrAdd(name: "Location", value: head.value(of: "Location") ?? "/")
            connection.send(response, for: info)
        case .document, .clientRedirectWithDocument:
            status = HTTPResponseStatus(statusCode: head.status, reasonPhrase: head.reason)
            let hasBody = info.head.method != .HEAD && ![204, 304].contains(head.status)
            if info.head.version == .http1_0 { info.keepAlive = false }
            connection.writeHead(status: status, headers: headers(of: head), for: info)
            output = hasBody ? .body : .discard
            if hasBody, let firstBodyBytes, firstBodyBytes.readableBytes > 0 { sendBody(firstBodyBytes) }
        }
    }

    private func headers(of head: ResponseHead) -> HTTPHeaders {
        HTTPHeaders(head.headers.map { ($0.name, $0.value) })
    }

    private func sendBody(_ buffer: ByteBuffer) {
        bodyBytesSent += buffer.readableBytes
        _ = connection.writeBody(buffer)
        if !context.channel.isWritable { outputChannel?.setAutoRead(false) }
    }

    /// The client can take more output after its socket buffer was full.
    func clientBecameWritable() {
        outputChannel?.setAutoRead(true)
    }

    /// The script closed its stdout (usually: it exited).
    func outputEnded() {
        switch output {
        case .head(let parser):
            failInvalidHead(parser.errorAtEndOfOutput)
        case .body, .discard:
            output = .done
            connection.finishResponse(for: info, status: status, bodyBytes: bodyBytesSent)
        case .raw:
            output = .done
            info.keepAlive = false
            connection.finishResponse(for: info, status: status, bodyBytes: bodyBytesSent, raw: true)
        case .sent, .done:
            output = .done
        }
        finish(scriptDone: true)
    }

    private func failInvalidHead(_ error: ResponseHeadError) {
        logger.error("invalid response: \(error.description)")
        let status: HTTPResponseStatus = error.httpStatus == 500 ? .internalServerError : .badGateway
        output = .done
        respondWithError(status, detail: error.description)
    }

    // MARK: Timeouts, disconnects, cleanup

    private func armIdleTimer() {
        idleTimeout.arm(.milliseconds(Int64(server.configuration.scriptTimeout * 1000)))
    }

    /// Silent for too long: 504 before the head; after it, a finished script (whose background
    /// child holds the pipe) ends the response normally, a running one breaks the connection.
    private func idleTimedOut() {
        guard !finished else { return }
        switch output {
        case .head:
            logger.error("script timed out before its response head")
            respondWithError(.gatewayTimeout, detail: "The script did not answer in time.")
        case .body where script?.hasExited == true, .discard where script?.hasExited == true:
            output = .done
            connection.finishResponse(for: info, status: status, bodyBytes: bodyBytesSent)
        case .sent:
            // The client has its whole response; only the script is left to stop.
            output = .done
        default:
            logger.error("script timed out while writing its response")
            output = .done
            connection.abort(context)
        }
        finish()
    }

    /// The client closed the connection (or its request timed out): the script is stopped.
    func clientDisconnected() {
        output = .done
        finish()
    }

    /// Answers with an error page; in development mode it shows `text` and `listing` (such as a
    /// compiler's messages), otherwise a reference to the error log.
    private func respondWithError(
        _ status: HTTPResponseStatus, detail text: String, listing: String? = nil, headers: HTTPHeaders = [:]
    ) {
        guard !finished else { return }
        output = .done
        if !requestEnded { info.keepAlive = false }
        let listing = server.configuration.developmentMode ? listing : nil
        connection.send(ErrorPage.response(status, detail: detail(text), listing: listing, headers: headers), for: info)
        finish()
    }

    /// What an error page may say: the reason in development mode, a reference otherwise.
    private func detail(_ text: String) -> String {
        server.configuration.developmentMode ? text : "Reference: \(info.id)"
    }

    /// Stops reading, closes the pipes and makes sure the script ends and is reaped: a script
    /// that closed its output gets the script timeout to exit on its own, any other is stopped now.
    private func finish(scriptDone: Bool = false) {
        guard !finished else { return }
        finished = true
        idleTimeout.stop()
        pendingInput.removeAll()
        outputChannel?.close(promise: nil)
        inputChannel?.close(promise: nil)
        errorPipe?.collect()
        context.channel.setAutoRead(true)
        guard let script else { return }
        if scriptDone {
            script.reapWhenExited(stoppingAfter: .milliseconds(Int64(server.configuration.scriptTimeout * 1000)))
        } else {
            script.stop()
        }
    }
}
