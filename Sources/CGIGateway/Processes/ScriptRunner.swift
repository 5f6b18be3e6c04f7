import Glibc

/// Runs one script to completion for a synchronous host such as `cgi run`: spawns it, writes the
/// request body to its standard input while reading standard output and standard error (poll(2),
/// so a script that ignores its input or writes a lot never deadlocks), parses the response head
/// and collects the rest.
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

    /// Runs the script at `location` with `environment`, in the script's folder, with `body` on
    /// its standard input (`/dev/null` when the body is empty).
    ///
    /// `executable` is the program to start when it is not the script file itself, such as the
    /// compiled executable of a Swift script (``ScriptCompiler``).
    public func run(
        _ location: ScriptLocation, executable: String? = nil, environment: [String: String], body: [UInt8]
    ) throws(ScriptSpawnError) -> ScriptResult {
        signal(SIGPIPE, SIG_IGN)
        let process = try ScriptProcess.spawn(
            executable: executable ?? location.scriptPath, environment: environment, workingDirectory: location.directory,
            standardInput: body.isEmpty ? .nullDevice : .pipe)
        var exchange = ScriptExchange(process: process, body: body, runner: self, passesThrough: location.isNonParsedHeader)
        return exchange.run()
    }
}

/// The state of one run: which pipes are open, what was read, how the head parse went.
private struct ScriptExchange {
    let process: ScriptProcess
    let runner: ScriptRunner
    /// Whether the output goes to the body unparsed (a non-parsed-header script).
    let passesThrough: Bool
    var input: Int32?
    var output: Int32?
    var errors: Int32?
    var pending: ArraySlice<UInt8>
    var parser: ResponseHeadParser
    var head: ResponseHead?
    var failure: ResponseHeadError?
    var body: [UInt8] = []
    var standardError: [UInt8] = []
    var groupKilled = false

    init(process: ScriptProcess, body: [UInt8], runner: ScriptRunner, passesThrough: Bool) {
        self.process = process
        self.runner = runner
        self.passesThrough = passesThrough
        input = process.standardInput
        output = process.standardOutput
        errors = process.standardError
        pending = body[...]
        parser = ResponseHeadParser(limits: runner.limits)
        for fd in [input, output, errors].compactMap({ $0 }) {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
    }

    mutating func run() -> ScriptResult {
        var lastActivity = ContinuousClock.now
        var timedOut = false
        while output != nil || errors != nil {
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
        for fd in [input, output, errors].compactMap({ $0 }) { close(fd) }
        let exitStatus = timedOut ? process.terminate(grace: runner.terminationGrace) : reap()
        let outcome: ScriptResult.Outcome
        if let failure {
            outcome = .invalid(failure)
        } else if timedOut {
            outcome = .timedOut
        } else if passesThrough {
            outcome = .nonParsedHeader
        } else if let head {
            outcome = .response(head)
        } else {
            outcome = .invalid(parser.errorAtEndOfOutput)
        }
        return ScriptResult(outcome: outcome, body: body, standardError: standardError, exitStatus: exitStatus)
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
            return false
        }
        if passesThrough {
            body += chunk
        } else if let head {
            if head.sendsBody { body += chunk }
        } else if failure == nil {
            do {
                if case .complete(let complete, let bodyStart) = try parser.feed(chunk) {
                    head = complete
                    if complete.sendsBody { body += chunk[bodyStart...] }
                }
            } catch {
                failure = error
                killGroup()
            }
        }
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

    /// Reaps the script, stopping it if it outlives its closed pipes by the idle timeout.
    private func reap() -> ExitStatus {
        let deadline = ContinuousClock.now + runner.idleTimeout
        while !process.hasExited(), ContinuousClock.now < deadline { usleep(5_000) }
        return process.hasExited() ? process.wait() : process.terminate(grace: runner.terminationGrace)
    }
}
