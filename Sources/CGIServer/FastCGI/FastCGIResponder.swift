import CGICore
import CGIGateway
import Logging
import NIOCore
import NIOHTTP1

/// Answers a request through a FastCGI application in the Responder role (FastCGI 1.0 §6.2):
/// a file under the document root that a ``FastCGIPass`` names (PHP through PHP-FPM), or a
/// resident script, through a worker leased from its ``ResidentPool`` (``FastCGIUpstream``).
///
/// The request goes out as BEGIN_REQUEST (FCGI_KEEP_CONN), PARAMS with the same meta-variables a
/// CGI script gets (``EnvironmentBuilder``) and STDIN; the answer's STDOUT goes through the same
/// ``ScriptExchange`` as a CGI script's output, so statuses, redirects, framing and error pages
/// are CGI's. Around that:
/// - The connection comes from the server's ``FastCGIConnectionPool`` and goes back to it when the
///   request ended cleanly. A kept connection that the application closed before answering a
///   request without a body is replaced once by a new one. An application that said
///   FCGI_MPXS_CONNS=1 gets the request on a connection shared with others, under an id of its
///   own (``FastCGIConnectionPool/slot(to:on:timeout:)``); such a connection is never paused
///   (``outrunsClient(_:)``), and an aborted request keeps its id until its END_REQUEST.
/// - The body streams as STDIN records through a ``ScriptInput`` (the client is paused while the
///   connection is full); STDOUT streams to the client as it arrives (the connection is not read
///   while the client is slow); STDERR goes to the error log line by line, tagged with the request
///   and the script.
/// - When the client goes away or the application is silent for the script timeout (504 before
///   the head), ABORT_REQUEST goes out; without END_REQUEST within the kill grace, the connection is closed.
/// - An application that cannot be reached is a 502 with a log line naming the address and the
///   reason; one that says FCGI_OVERLOADED is a 503 with `Retry-After`.
/// - A resident worker goes back to its pool once its request is settled: as completed after
///   END_REQUEST (with its connection, which the worker's next request on this event loop
///   reuses), as broken otherwise (the pool kills it: a worker that did not end an aborted or
///   timed-out request in the kill grace, or one whose connection failed). A request whose worker
///   failed before any output, without a body, is sent again to another worker.
final class FastCGIResponder: ExchangeResponder, FastCGIConnectionUser {
    /// `resident` for a resident script's worker, `fastcgi-pass` for an application of its own.
    var kind: ResponderKind {
        switch upstream {
        case .application: .fastCGIPass
        case .resident: .resident
        }
    }
    let server: ServerContext
    let request: RoutedRequest
    let response: ClientResponse
    var exchange: ScriptExchange
    private let location: ScriptLocation
    private let upstream: FastCGIUpstream
    /// The resident worker leased for this request, until it is handed back.
    private var lease: WorkerLease?
    private var retries = 0
    /// Whether END_REQUEST arrived: only then is a resident worker known to be ready for another request.
    private var endReceived = false
    let input: ScriptInput
    private var records = FastCGIClientExchange()
    /// Tagged with the request and the script when first needed.
    lazy var logger = server.errorLog.tagged(request: request.info.id, script: location.scriptName)
    private lazy var stderr = LogLineSplitter(logger: server.errorLog, request: request.info.id, script: location.scriptName)
    private lazy var idleTimeout = RearmableTimeout(loop: response.eventLoop) { [weak self] in self?.idleTimedOut() }
    private var connection: FastCGIConnection?
    private var abortDeadline: Scheduled<Void>?
    var requestEnded = false
    private(set) var finished = false
    private var outputArrived = false
    /// Whether the application broke the protocol in this request's records.
    private var brokeProtocol = false
    /// Output written while the client was not writable, on a shared connection.
    private var unsentOutput = 0

    /// A responder passing `request` for the file at `location` to `upstream`.
    init(
        server: ServerContext, request: RoutedRequest, location: ScriptLocation, upstream: FastCGIUpstream,
        response: ClientResponse
    ) {
        self.server = server
        self.request = request
        self.location = location
        self.upstream = upstream
        self.response = response
        let headers = request.info.head.headers
        input = ScriptInput(
            contentLength: headers.first(name: "Content-Length").flatMap { Int($0) },
            isChunked: headers.contains(name: "Transfer-Encoding"), configuration: server.configuration, response: response)
        exchange = ScriptExchange(method: request.info.head.method.rawValue, redirects: request.redirects)
    }

    // MARK: The request

    /// Connects to the application (a resident script's worker first leased from its pool).
    func startScript() {
        armIdleTimer()
        switch upstream {
        case .application(let address):
            connect(to: address)
        case .resident(let source):
            source.lease(on: response.eventLoop).assumeIsolated().whenComplete { [self] result in
                switch result {
                case .success(let lease):
                    self.lease = lease
                    guard !finished else { return handBack(.completed, keeping: lease.connection) }
                    if let kept = lease.connection {
                        begin(on: FastCGIConnectionPool.Slot(connection: kept, requestID: 1, asksValues: false))
                    } else {
                        source.pool.metrics.connections.increment()
                        connect(to: .unix(path: lease.socketPath))
                    }
                case .failure(let error):
                    guard !finished else { return }
                    perform(exchange.scriptFailed(error as? ScriptFailure ?? .noScriptSlot))
                }
            }
        }
    }

    private func connect(to address: FastCGIAddress) {
        let timeout = TimeAmount.milliseconds(Int64(server.configuration.scriptTimeout * 1000))
        let slot: EventLoopFuture<FastCGIConnectionPool.Slot> =
            if case .application = upstream {
                server.fastCGIConnections.slot(to: address, on: response.eventLoop, timeout: timeout)
            } else {
                server.fastCGIConnections.connection(to: address, on: response.eventLoop, timeout: timeout).map {
                    FastCGIConnectionPool.Slot(connection: $0, requestID: 1, asksValues: false)
                }
            }
        slot.assumeIsolated()
            .whenComplete { [self] result in
                switch result {
                case .success(let slot):
                    guard !finished else {
                        // Unused: back to the worker it leads to, or to the pool of applications.
                        guard lease == nil else { return handBack(.completed, keeping: slot.connection) }
                        if slot.connection.isShared {
                            return server.fastCGIConnections.release(slot.requestID, on: slot.connection)
                        }
                        return server.fastCGIConnections.release(slot.connection)
                    }
                    begin(on: slot)
                case .failure(let error):
                    guard !finished else { return handBack(.broken) }
                    if lease != nil, retries < upstream.retries, !input.hasBody {
                        // A worker that died since its last request: the pool kills it; another takes this one.
                        noteRetry()
                        handBack(.broken)
                        return startScript()
                    }
                    handBack(.broken)
                    let failure = error as? FastCGIApplicationError ?? .unreachable(address: "\(address)", reason: "\(error)")
                    failed(failure)
                }
            }
    }

    /// Sends BEGIN_REQUEST and PARAMS, then the body as it comes (or the empty STDIN at once).
    private func begin(on slot: FastCGIConnectionPool.Slot) {
        let connection = slot.connection
        self.connection = connection
        if connection.isShared {
            records = FastCGIClientExchange(requestID: slot.requestID)
            connection.attach(self, as: slot.requestID)
        } else {
            connection.user = self
        }
        if !input.waitsForWholeBody { input.continueIfExpected(request.info.head.headers) }
        var scriptRequest = ScriptRequest(request, response: response, configuration: server.configuration)
        if let length = input.collectedLength { scriptRequest.contentLength = length }
        var bytes: [UInt8] = []
        if let lease, lease.asksConnectionLimit, lease.connection == nil {
            bytes = FastCGIClientExchange.valuesQuery(["FCGI_MAX_CONNS"])
        } else if slot.asksValues {
            bytes = FastCGIClientExchange.valuesQuery(["FCGI_MPXS_CONNS", "FCGI_MAX_REQS"])
        }
        bytes += records.opening(parameters: server.environment.environment(for: scriptRequest, script: location))
        if !input.hasBody { bytes += records.stdinEnd() }
        connection.channel.writeAndFlush(connection.channel.allocator.buffer(bytes: bytes), promise: nil)
        if input.hasBody { input.connect(FastCGIStdin(channel: connection.channel, records: records)) }
    }

    // MARK: The application's answer

    func connectionReceived(_ buffer: ByteBuffer) {
        buffer.withUnsafeReadableBytes { records.receive($0) }
        response.batch {
            while let action = records.next() { handle(action) }
        }
        if finished { settleConnection() }
    }

    func connectionReceived(record: FastCGIRecord) {
        if let action = records.receive(record: record) { handle(action) }
        if finished { settleConnection() }
    }

    private func handle(_ action: FastCGIClientExchange.Action) {
        switch action {
        case .stdout(let bytes):
            outputArrived = true
            if !finished { armIdleTimer() }
            if outrunsClient(bytes.count) { return }
            perform(exchange.outputReceived(bytes), chunk: response.allocator.buffer(bytes: bytes))
        case .stderr(let bytes):
            stderr.append(bytes)
        case .end(let appStatus):
            endReceived = true
            perform(exchange.outputEnded(exitStatus: .exited(Int32(bitPattern: appStatus))))
            finish()
        case .failed(let error):
            if case .protocolViolation = error { brokeProtocol = true }
            if error == .cannotMultiplex, case .application(let address) = upstream {
                // FCGI_CANT_MPX_CONN after all: one request per connection from now on.
                server.fastCGIConnections.learn([:], of: address)
            }
            failed(error)
            finish()
        case .values(let values):
            switch upstream {
            case .resident(let source):
                if let limit = values["FCGI_MAX_CONNS"].flatMap({ Int($0) }), let lease {
                    source.pool.learn(connectionLimit: limit, of: lease)
                }
            case .application(let address):
                server.fastCGIConnections.learn(values, of: address)
            }
        }
    }

    /// The backpressure rule of a shared connection: it is never paused (a paused read would
    /// stall every request on it, and a request that waits for its client could deadlock with
    /// another that the client waits for), so output for a client that does not take it piles
    /// up; past ``sharedOutputLimit`` bytes the client's connection is closed and the request
    /// aborted. True when `count` more bytes did that.
    private func outrunsClient(_ count: Int) -> Bool {
        guard connection?.isShared == true, !finished, !response.isWritable else { return false }
        unsentOutput += count
        guard unsentOutput > Self.sharedOutputLimit else { return false }
        logger.warning("the client took no output for \(unsentOutput) bytes on a shared FastCGI connection: request aborted")
        response.abort()
        finish()
        return true
    }

    /// How many bytes a client may leave unread on a shared connection (see ``outrunsClient(_:)``).
    static let sharedOutputLimit = 1 << 20

    func connectionBecameWritable() {
        input.feed()
    }

    func connectionClosed() {
        guard let connection else { return }
        if var action = records.connectionClosed() {
            if let failure = connection.failure, case .protocolViolation = failure { action = .failed(failure) }
            if action == .failed(.connectionClosed), connection.isReused || connection.isShared || lease != nil, !outputArrived,
                !input.hasBody,
                retries < upstream.retries, !finished
            {
                // A kept connection the application had closed (PHP-FPM recycling a worker), or a
                // resident worker that died before answering: once more, on a new connection (to another worker).
                noteRetry()
                self.connection = nil
                records = FastCGIClientExchange()
                handBack(.broken)
                return startScript()
            }
            if case .failed(let error) = action, !finished {
                failed(error)
            }
        }
        finish()
        settleConnection()
    }

    // MARK: The client

    func clientBecameWritable() {
        unsentOutput = 0
        connection?.channel.setAutoRead(true)
    }

    func clientGone() {
        perform(exchange.clientGone())
    }

    // MARK: What the exchange needs of its responder

    var failureNote: String { "" }

    /// Never asked: END_REQUEST brings the application's status with the end of its output.
    func awaitExit() {
        perform(exchange.processExited(nil))
    }

    /// Stops reading the connection; never a shared one (``outrunsClient(_:)``).
    func pauseOutput() {
        guard connection?.isShared != true else { return }
        connection?.channel.setAutoRead(false)
    }

    /// Nothing more is sent to the client or the application; the connection is settled once the
    /// application has ended the request.
    func finish() {
        guard !finished else { return }
        finished = true
        idleTimeout.stop()
        input.close()
        settleConnection()
    }

    // MARK: Ending

    private func idleTimedOut() {
        guard !finished else { return }
        perform(exchange.idleTimeout(scriptHasExited: false))
        finish()
    }

    private func armIdleTimer() {
        idleTimeout.arm(.milliseconds(Int64(server.configuration.scriptTimeout * 1000)))
    }

    /// After ``finish()``: a connection whose request ended goes back to the pool (or is closed
    /// when it cannot serve another); one whose request runs on gets ABORT_REQUEST (§5.4) and the
    /// kill grace to answer it, then is closed.
    private func settleConnection() {
        guard let connection else {
            handBack(.completed)
            return stderr.finish()
        }
        guard records.isOver || !connection.channel.isActive else {
            let abort = records.abort()
            guard !abort.isEmpty else { return }
            connection.channel.setAutoRead(true)
            connection.channel.writeAndFlush(connection.channel.allocator.buffer(bytes: abort), promise: nil)
            // A shared connection is not closed for one request: the id stays taken until its
            // END_REQUEST (the connection frees it if this responder is gone by then).
            guard !connection.isShared else { return }
            let grace = TimeAmount.milliseconds(Int64(server.configuration.killGrace * 1000))
            abortDeadline = response.eventLoop.assumeIsolated().scheduleTask(in: grace) { [self] in
                logger.warning("the FastCGI application did not end the aborted request in time: connection closed")
                self.connection?.channel.close(promise: nil)
            }
            return
        }
        self.connection = nil
        abortDeadline?.cancel()
        stderr.finish()
        if connection.isShared {
            if brokeProtocol { return connection.channel.close(promise: nil) }
            return server.fastCGIConnections.release(records.requestID, on: connection)
        }
        let reusable = endReceived && records.connectionReusable && connection.channel.isActive
        switch (lease != nil, reusable) {
        case (true, true):
            // Kept with its worker, which alone answers on it.
            connection.prepareForNextRequest()
            handBack(.completed, keeping: connection)
        case (false, true):
            server.fastCGIConnections.release(connection)
        case (_, false):
            handBack(endReceived ? .completed : .broken)
            connection.user = nil
            connection.channel.close(promise: nil)
        }
    }

    /// Counts another attempt (in the pool's metrics for a resident script).
    private func noteRetry() {
        retries += 1
        if case .resident(let source) = upstream { source.pool.metrics.retries.increment() }
    }

    /// Answers with the application's failure (an OVERLOADED answer counts in the pool's metrics).
    private func failed(_ error: FastCGIApplicationError) {
        if error == .overloaded, case .resident(let source) = upstream { source.pool.metrics.overloaded.increment() }
        perform(exchange.scriptFailed(.applicationFailed(error)))
    }

    /// Hands the leased resident worker back to its pool, once.
    private func handBack(_ outcome: WorkerLease.Outcome, keeping connection: FastCGIConnection? = nil) {
        guard let lease, case .resident(let source) = upstream else { return }
        self.lease = nil
        source.pool.release(lease, outcome: outcome, keeping: connection)
    }
}
