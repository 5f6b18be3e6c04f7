import Glibc

/// Runs one script to completion for a synchronous host such as `cgi run`: spawns it, writes the
/// request body to its standard input while reading standard output and standard error (poll(2),
/// so a script that ignores its input or writes a lot never deadlocks), and collects the response
/// as a ``ScriptExchange`` decides it, the same rules `cgi-server` follows.
///
/// A non-parsed-header script (``ScriptLocation/isNonParsedHeader``) is not parsed: its whole
/// output is the result's body.
///
/// The script's process group is stopped when the script is silent for ``idleTimeout``, when its
/// response head is invalid, and as soon as the script itself exits (so a background child that
/// holds standard output open cannot delay the response). The script is always reaped.
///
/// Writing to a script that has closed its input must not kill the host, so ``run(_:executable:environment:body:)``
/// sets `SIGPIPE` to be ignored in this process, as every server does. Scripts still start with
/// the default disposition.
public struct ScriptRunner: Sendable {
    /// How long the script may stay silent (no output, no input consumed) before its group is stopped.
    public var idleTimeout: Duration
    /// How long a stopped script has between `SIGTERM` and `SIGKILL`.
    public var terminationGrace: Duration
    /// Bounds on the response head.
    public var limits: ResponseHeadParser.Limits
    /// The most bytes of standard error kept; the rest is read and discarded.
    public var maxStandardErrorBytes: Int

    /// Creates a runner.
    public init(
        idleTimeout: Duration = .seconds(30),
        terminationGrace: Duration = .seconds(2),
        limits: ResponseHeadParser.Limits = .init(),
        maxStandardErrorBytes: Int = 1 << 20
    ) {
        self.idleTimeout = idleTimeout
        self.terminationGrace = terminationGrace
        self.limits = limits
        self.maxStandardErrorBytes = maxStandardErrorBytes
    }

    /// Runs the script at `location` with `environment` (each value the bytes the script gets),
    /// in the script's folder, with `body` on its standard input (`/dev/null` when the body is empty).
    ///
    /// - Parameters:
    ///   - executable: the program to start when it is not the script file itself, such as the
    ///     compiled executable of a Swift script (``ScriptCompiler``).
    ///   - method: the request method (a `HEAD` response has no body).
    ///   - redirects: how many local redirects led to this request.
    public func run(
        _ location: ScriptLocation, executable: String? = nil, environment: [String: [UInt8]], body: [UInt8],
        method: String = "GET", redirects: Int = 0
    ) throws(ScriptSpawnError) -> ScriptResult {
        signal(SIGPIPE, SIG_IGN)
        let process = try ScriptProcess.spawn(
            executable: executable ?? location.scriptPath, environment: environment, workingDirectory: location.directory,
            standardInput: body.isEmpty ? .nullDevice : .pipe)
        let exchange = ScriptExchange(
            method: method, isNonParsedHeader: location.isNonParsedHeader, redirects: redirects, limits: limits)
        var loop = PollLoop(process: process, body: body, runner: self, exchange: exchange)
        return loop.run()
    }
}

/// One run's pipes and what came out of them: standard input written, standard output handed
/// to the exchange and kept as it says, standard error kept up to the runner's limit.
private struct PollLoop {
    let process: ScriptProcess
    let runner: ScriptRunner
    var exchange: ScriptExchange
    var input: Int32?
    var output: Int32?
    var errors: Int32?
    var pending: ArraySlice<UInt8>
    var outcome: ScriptResult.Outcome?
    var body: [UInt8] = []
    var standardError: [UInt8] = []
    var groupKilled = false
    /// Whether the exchange said to stop the script.
    var stopRequested = false
    /// Whether the exchange waits for the script's exit status to end the response.
    var awaitingExit = false

    init(process: ScriptProcess, body: [UInt8], runner: ScriptRunner, exchange: ScriptExchange) {
        self.process = process
        self.runner = runner
        self.exchange = exchange
        input = process.standardInput
        output = process.standardOutput
        errors = process.standardError
        pending = body[...]
        for fd in [input, output, errors].compactMap({ $0 }) {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
    }

    mutating func run() -> ScriptResult {
        var lastActivity = ContinuousClock.now
        var timedOut = false
        while output != nil || errors != nil, !stopRequested {
            let idle = ContinuousClock.now - lastActivity
            if idle >= runner.idleTimeout {
                timedOut = true
                break
            }
            if !groupKilled, process.hasExited() { killGroup() }
            if pump(waitingAtMost: min(runner.idleTimeout - idle, .milliseconds(50))) {
                lastActivity = ContinuousClock.now
            }
        }
        if timedOut { perform(exchange.idleTimeout(scriptHasExited: process.hasExited()), chunk: []) }
        for fd in [input, output, errors].compactMap({ $0 }) { close(fd) }
        let stopped = (timedOut || stopRequested || !reapsInTime()) && !process.hasExited()
        let exitStatus = process.hasExited() ? process.wait() : process.terminate(grace: runner.terminationGrace)
        if awaitingExit { perform(exchange.processExited(stopped ? nil : exitStatus), chunk: []) }
        return ScriptResult(
            outcome: outcome ?? .failed(.invalidResponse(.noOutput)), body: body, standardError: standardError,
            exitStatus: exitStatus, wasStopped: stopped)
    }

    /// Does what the exchange decided about `chunk` (the output just read, if any).
    private mutating func perform(_ action: ScriptExchange.Action, chunk: [UInt8]) {
        switch action {
        case .wait, .discard, .finish(unframed: false):
            break
        case .awaitExit:
            awaitingExit = true
        case .finish(unframed: true):
            outcome = .nonParsedHeader
        case .sendHead(let head, let bodyStart):
            outcome = .response(head)
            if let bodyStart { body += chunk[bodyStart...] }
        case .sendBody:
            body += chunk
        case .sendRaw:
            outcome = .nonParsedHeader
            body += chunk
        case .sendRedirectPage(let head):
            outcome = .response(head)
        case .fail(let failure):
            outcome = .failed(failure)
            stopRequested = true
        case .followLocalRedirect(let target):
            outcome = .localRedirect(target)
            stopRequested = true
        case .abort(let reason):
            if case .response(let head) = outcome {
                outcome = .aborted(head, reason: reason)
            } else {
                outcome = .aborted(nil, reason: reason)
            }
            stopRequested = true
        case .stopScript:
            stopRequested = true
        }
    }

    /// Waits up to `timeout` for a pipe to be ready and moves data; returns whether anything moved.
    private mutating func pump(waitingAtMost timeout: Duration) -> Bool {
        var fds: [pollfd] = []
        if let input { fds.append(pollfd(fd: input, events: Int16(POLLOUT), revents: 0)) }
        if let output { fds.append(pollfd(fd: output, events: Int16(POLLIN), revents: 0)) }
        if let errors { fds.append(pollfd(fd: errors, events: Int16(POLLIN), revents: 0)) }
        let milliseconds = Int32(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        guard Glibc.poll(&fds, nfds_t(fds.count), max(milliseconds, 1)) > 0 else { return false }
        var moved = false
        for entry in fds where entry.revents != 0 {
            switch entry.fd {
            case input: moved = writeBody() || moved
            case output: moved = readOutput() || moved
            default: moved = readErrors() || moved
            }
        }
        return moved
    }

    private mutating func writeBody() -> Bool {
        guard let fd = input else { return false }
        let written = pending.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if written < 0, errno == EAGAIN || errno == EINTR { return false }
        if written > 0 { pending = pending.dropFirst(written) }
        if written < 0 || pending.isEmpty {
            close(fd)
            input = nil
        }
        return written > 0
    }

    private mutating func readOutput() -> Bool {
        guard let fd = output, let chunk = Self.read(fd) else { return false }
        if chunk.isEmpty {
            close(fd)
            output = nil
            perform(exchange.outputEnded(exitStatus: nil), chunk: [])
            return false
        }
        perform(exchange.outputReceived(chunk), chunk: chunk)
        return true
    }

    private mutating func readErrors() -> Bool {
        guard let fd = errors, let chunk = Self.read(fd) else { return false }
        if chunk.isEmpty {
            close(fd)
            errors = nil
            return false
        }
        standardError += chunk.prefix(max(0, runner.maxStandardErrorBytes - standardError.count))
        return true
    }

    /// One read of up to 64 KiB: the bytes, empty at end of file, `nil` when nothing is ready.
    private static func read(_ fd: Int32) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        if count < 0 { return errno == EAGAIN || errno == EINTR ? nil : [] }
        return Array(buffer[..<count])
    }

    private mutating func killGroup() {
        process.signalGroup(SIGKILL)
        groupKilled = true
    }

    /// Waits for a script whose pipes are closed to exit, up to the idle timeout; returns
    /// whether it did (one that outlives its pipes that long is stopped).
    private func reapsInTime() -> Bool {
        guard !process.hasExited() else { return true }
        let deadline = ContinuousClock.now + (stopRequested ? .zero : runner.idleTimeout)
        while !process.hasExited(), ContinuousClock.now < deadline { usleep(5_000) }
        return process.hasExited()
    }
}
