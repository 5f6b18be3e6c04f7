import CGIGateway
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// Runs one request's script (RFC 3875) and streams its response: starts it (compiling a
/// `.swift` script first), connects its pipes to the event loop, and does what the request's
/// ``ScriptExchange`` decides about each piece of output, each silence and each failure.
///
/// - The body goes to stdin through a ``ScriptInput``; stdout is read while stdin is written
///   (event-loop pipe channels), so a script that writes before reading cannot deadlock; stderr
///   goes to the error log line by line (``StderrPipe``).
/// - The server frames the body (chunked, or close-delimited for HTTP/1.0) and streams it as the
///   script writes it, pausing the script's output while the client is slow.
/// - When the client goes away or the script times out, its process group gets SIGTERM, then
///   SIGKILL (``ScriptReaper``).
final class CGIResponder: ExchangeResponder {
    let kind = ResponderKind.cgi
    let server: ServerContext
    let request: RoutedRequest
    private let location: ScriptLocation
    let response: ClientResponse
    let input: ScriptInput
    var exchange: ScriptExchange
    /// Tagged with the request and the script when first needed (most runs log nothing).
    lazy var logger = server.errorLog.tagged(request: request.info.id, script: location.scriptName)
    private lazy var idleTimeout = RearmableTimeout(loop: response.eventLoop) { [weak self] in self?.idleTimedOut() }
    private var script: ScriptReaper?
    private var outputChannel: (any Channel)?
    private var stderr: StderrPipe?
    var requestEnded = false
    private(set) var finished = false

    init(server: ServerContext, request: RoutedRequest, location: ScriptLocation, response: ClientResponse) {
        self.server = server
        self.request = request
        self.location = location
        self.response = response
        let headers = request.info.head.headers
        input = ScriptInput(
            contentLength: headers.first(name: "Content-Length").flatMap { Int($0) },
            isChunked: headers.contains(name: "Transfer-Encoding"), configuration: server.configuration, response: response)
        exchange = ScriptExchange(
            method: request.info.head.method.rawValue, isNonParsedHeader: location.isNonParsedHeader,
            redirects: request.redirects)
    }

    // MARK: Starting

    /// Takes a script slot, then spawns the script.
    func startScript() {
        server.scriptSlots.acquire(on: response.eventLoop).assumeIsolated().whenComplete { [self] result in
            guard !finished else {
                if case .success = result { server.scriptSlots.release() }
                return
            }
            guard case .success = result else { return perform(exchange.scriptFailed(.noScriptSlot)) }
            // A client waiting for `100 Continue` before it sends a streamed body gets it with the slot.
            if !input.waitsForWholeBody { input.continueIfExpected(request.info.head.headers) }
            spawn()
        }
    }

    /// Starts the script; a Swift source is compiled first (or found in the compile cache).
    private func spawn() {
        guard location.isSwiftSource else { return spawn(executable: location.scriptPath) }
        server.swiftCompiler.executable(for: location.scriptPath, on: response.eventLoop).assumeIsolated()
            .whenComplete { [self] result in
                guard !finished else { return server.scriptSlots.release() }
                switch result {
                case .success(let executable):
                    spawn(executable: executable)
                case .failure(let error):
                    server.scriptSlots.release()
                    let compilerError = error as? ScriptCompilerError ?? .compilerUnusable(path: "swiftc", reason: "\(error)")
                    perform(exchange.scriptFailed(.cannotCompile(script: location.scriptName, compilerError)))
                }
            }
    }

    private func spawn(executable: String) {
        var scriptRequest = ScriptRequest(request, response: response, configuration: server.configuration)
        if let length = input.collectedLength { scriptRequest.contentLength = length }
        let environment = server.environment.environmentBytes(for: scriptRequest, script: location)
        let process: ScriptProcess
        let start = NIODeadline.now()
        do {
            process = try ScriptProcess.spawn(
                executable: executable, environment: environment, workingDirectory: location.directory,
                standardInput: (scriptRequest.contentLength ?? 0) > 0 ? .pipe : .nullDevice,
                limits: server.configuration.scriptLimits)
        } catch {
            server.scriptSlots.release()
            return perform(exchange.scriptFailed(.cannotStart(error)))
        }
        server.metrics.spawnDuration.recordNanoseconds((NIODeadline.now() - start).nanoseconds)
        server.metrics.scriptsStarted.increment()
        script = ScriptReaper(
            process: process, loop: response.eventLoop, slots: server.scriptSlots, metrics: server.metrics,
            killGrace: .milliseconds(Int64(server.configuration.killGrace * 1000)))
        armIdleTimer()
        connectPipes(process)
    }

    /// Hands the pipe descriptors to the event loop, one channel each for stdout and stdin
    /// (separate, so that a script closing stdin early cannot cut its output short); stderr is
    /// read by a ``StderrPipe``.
    private func connectPipes(_ process: ScriptProcess) {
        let loop = response.eventLoop
        let responder = NIOLoopBound(self, eventLoop: loop)
        NIOPipeBootstrap(group: loop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ScriptOutputReader(responder: responder.value))
                }
            }
            .takingOwnershipOfDescriptor(input: process.standardOutput)
            .assumeIsolated().whenComplete { [self] result in
                switch result {
                case .success(let channel):
                    outputChannel = channel
                    if finished { channel.close(promise: nil) }
                case .failure(let error):
                    perform(exchange.scriptFailed(.outputUnreadable("\(error)")))
                }
            }
        if let stdin = process.standardInput {
            let input = NIOLoopBound(input, eventLoop: loop)
            NIOPipeBootstrap(group: loop)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ScriptInputWriter(input: input.value))
                    }
                }
                .takingOwnershipOfDescriptor(output: stdin)
                .assumeIsolated().whenComplete { result in
                    guard case .success(let channel) = result else { return input.value.close() }
                    input.value.connect(StdinPipe(channel))
                }
        }
        stderr = StderrPipe(
            descriptor: process.standardError,
            lines: LogLineSplitter(logger: server.errorLog, request: request.info.id, script: location.scriptName), loop: loop)
    }

    // MARK: The script's output

    /// A piece of the script's output arrived.
    func receivedOutput(_ buffer: ByteBuffer) {
        armIdleTimer()
        let action = buffer.withUnsafeReadableBytes { exchange.outputReceived($0) }
        perform(action, chunk: buffer)
    }

    /// The script closed its stdout (usually: it exited).
    func outputEnded() {
        perform(exchange.outputEnded(exitStatus: script?.exitStatusIfExited()))
        finish(scriptDone: true)
    }

    func clientBecameWritable() {
        outputChannel?.setAutoRead(true)
    }

    func clientGone() {
        perform(exchange.clientGone())
    }

    /// Silent for longer than the script timeout.
    private func idleTimedOut() {
        guard !finished else { return }
        server.metrics.scriptsTimedOut.increment()
        perform(exchange.idleTimeout(scriptHasExited: script?.hasExited == true))
        finish()
    }

    private func armIdleTimer() {
        idleTimeout.arm(.milliseconds(Int64(server.configuration.scriptTimeout * 1000)))
    }

    // MARK: What the exchange needs of its responder

    /// The limits the script ran under, for a line about its failure (a script over its limit
    /// fails in ways that do not name it: a signal, a failed allocation or open).
    var failureNote: String {
        let limits = server.configuration.scriptLimits
        guard script != nil, !limits.isEmpty else { return "" }
        return " (script limits: \(limits.map(\.description).joined(separator: ", ")))"
    }

    /// A script usually exits as its output ends; one that lives on may have closed its output
    /// to end the response early, and is not waited for long.
    func awaitExit() {
        script?.whenExited(within: .milliseconds(200)) { [self] status in perform(exchange.processExited(status)) }
    }

    func pauseOutput() {
        outputChannel?.setAutoRead(false)
    }

    /// Stops reading, closes the pipes and makes sure the script ends and is reaped: a script
    /// that closed its output gets the script timeout to exit on its own, any other is stopped now.
    func finish() {
        finish(scriptDone: false)
    }

    private func finish(scriptDone: Bool) {
        guard !finished else { return }
        finished = true
        idleTimeout.stop()
        outputChannel?.close(promise: nil)
        input.close()
        stderr?.collect()
        guard let script else { return }
        if scriptDone {
            script.reapWhenExited(stoppingAfter: .milliseconds(Int64(server.configuration.scriptTimeout * 1000)))
        } else {
            script.stop()
        }
    }
}
