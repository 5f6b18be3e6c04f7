import Foundation
import Glibc

/// A program the tests run as a real process, in a process group of its own, with its output
/// and errors collected on pipes.
///
/// The object owns the process: when it goes away (the test ends, passed or failed), the whole
/// group is killed and the process reaped. Every wait has a deadline, so a test that goes
/// wrong fails instead of hanging.
public final class ChildProcess: @unchecked Sendable {
    /// What the child reads on its standard input.
    public enum Input: Sendable {
        /// `/dev/null`: end of file at once.
        case none
        /// These bytes, then end of file.
        case data(Data)
        /// A pipe the test writes with ``write(_:)`` and closes with ``closeInput()``.
        case pipe
    }

    /// The process id, which is also its process group id.
    public let pid: pid_t
    /// The program, for messages.
    public let executable: String
    private let output: PipeReader
    private let errors: PipeReader
    private let lock = NSLock()
    private var input: Int32?
    private var ended: Termination?

    /// Starts `executable` (a path; no shell) with `arguments`.
    ///
    /// - Parameters:
    ///   - environment: the complete environment; `nil` passes on this process's environment.
    ///   - workingDirectory: where the child starts; `nil` for this process's.
    ///   - blockingEverySignal: starts the child with every signal blocked instead of none.
    public init(
        _ executable: String, _ arguments: [String] = [], environment: [String: String]? = nil,
        workingDirectory: String? = nil, input: Input = .none, blockingEverySignal: Bool = false
    ) throws {
        _ = ChildProcess.ignoreBrokenPipes
        self.executable = executable
        let outputPipe = try makePipe()
        let errorPipe = try makePipe()
        let inputPipe: (read: Int32, write: Int32)?
        switch input {
        case .none: inputPipe = nil
        case .data, .pipe: inputPipe = try makePipe()
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let inputPipe {
            posix_spawn_file_actions_adddup2(&actions, inputPipe.read, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, outputPipe.write, 1)
        posix_spawn_file_actions_adddup2(&actions, errorPipe.write, 2)
        _ = GNU.addClosefrom(&actions, 3)
        if let workingDirectory { _ = GNU.addChdir(&actions, workingDirectory) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigdefault(&attributes, &all)
        var mask = sigset_t()
        if blockingEverySignal { sigfillset(&mask) } else { sigemptyset(&mask) }
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let environmentLines = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        var pid = pid_t()
        // A freshly compiled executable is busy (ETXTBSY) while a process forked meanwhile still
        // holds its written descriptor, for microseconds: try again for a little while.
        var result: Int32 = ETXTBSY
        for attempt in 0..<50 where result == ETXTBSY {
            if attempt > 0 { usleep(2_000) }
            result = withCStrings([executable] + arguments) { argv in
                withCStrings(environmentLines) { envp in posix_spawn(&pid, executable, &actions, &attributes, argv, envp) }
            }
        }
        close(outputPipe.write)
        close(errorPipe.write)
        if let inputPipe { close(inputPipe.read) }
        guard result == 0 else {
            close(outputPipe.read)
            close(errorPipe.read)
            if let inputPipe { close(inputPipe.write) }
            throw ChildProcessError.cannotStart(executable, errno: result)
        }
        self.pid = pid
        output = PipeReader(descriptor: outputPipe.read)
        errors = PipeReader(descriptor: errorPipe.read)
        self.input = inputPipe?.write
        if case .data(let bytes) = input { feed(bytes) }
    }

    deinit {
        kill(-pid, SIGKILL)
        if lock.withLock({ ended }) == nil { _ = reap(blocking: true) }
        if let input { close(input) }
    }

    /// Everything the child wrote to its standard output so far.
    public var standardOutput: Data { output.data }
    /// Everything the child wrote to its standard error so far.
    public var standardError: Data { errors.data }

    /// Writes `bytes` to the child's standard input (a ``Input/pipe``); a child that stopped
    /// reading does not hold the test up.
    public func write(_ bytes: Data) {
        guard let descriptor = lock.withLock({ input }) else { return }
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let count = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { return }
                offset += count
            }
        }
    }

    /// Closes the child's standard input: it reads end of file.
    public func closeInput() {
        lock.withLock {
            if let input { close(input) }
            input = nil
        }
    }

    /// Waits up to `seconds` for a line of standard output (standard error with `fromErrors`)
    /// that satisfies `matches`, and returns it.
    @discardableResult
    public func waitForLine(
        fromErrors: Bool = false, within seconds: Double = 60, where matches: (String) -> Bool
    ) throws -> String {
        let reader = fromErrors ? errors : output
        var found: String?
        _ = reader.wait(until: Date().addingTimeInterval(seconds)) { data, ended in
            // The piece after the last newline is a line only once the output has ended.
            found = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
                .dropLast(ended ? 0 : 1)
                .map(String.init).first(where: matches)
            return found != nil || ended
        }
        guard let found else {
            throw ChildProcessError.lineNotSeen(
                executable, output: String(decoding: reader.data, as: UTF8.self), seconds: seconds)
        }
        return found
    }

    /// Waits up to `seconds` for standard output (standard error with `fromErrors`) to reach
    /// `count` bytes or end; what arrived.
    public func waitForOutput(count: Int, fromErrors: Bool = false, within seconds: Double = 60) -> Data {
        let reader = fromErrors ? errors : output
        _ = reader.wait(until: Date().addingTimeInterval(seconds)) { data, ended in data.count >= count || ended }
        return reader.data
    }

    /// Sends `signal` to the child (not its group).
    public func signal(_ signal: Int32) {
        kill(pid, signal)
    }

    /// Sends `signal` to the child's whole process group.
    public func signalGroup(_ signal: Int32) {
        kill(-pid, signal)
    }

    /// How the child ended, or `nil` while it runs. Reaps it once it has.
    public var termination: Termination? {
        lock.withLock { ended } ?? reap(blocking: false)
    }

    /// Whether the child is still running.
    public var isRunning: Bool { termination == nil }

    /// Waits up to `seconds` for the child to end; how it ended.
    @discardableResult
    public func waitForExit(within seconds: Double = 60) throws -> Termination {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            if let termination { return termination }
            guard Date() < deadline else { throw ChildProcessError.stillRunning(executable, seconds: seconds) }
            usleep(5_000)
        }
    }

    /// Waits up to `seconds` for the child to end and both pipes to reach end of file: what it
    /// wrote and how it ended.
    public func finish(within seconds: Double = 120) throws -> ProcessOutput {
        let deadline = Date().addingTimeInterval(seconds)
        let termination = try waitForExit(within: seconds)
        // A background child that kept the pipes open is not waited for past the deadline.
        _ = output.waitForEnd(until: max(deadline, Date().addingTimeInterval(1)))
        _ = errors.waitForEnd(until: max(deadline, Date().addingTimeInterval(1)))
        return ProcessOutput(termination: termination, standardOutput: output.data, standardError: errors.data)
    }

    private func feed(_ bytes: Data) {
        let thread = Thread { [self] in
            write(bytes)
            closeInput()
        }
        thread.start()
    }

    private func reap(blocking: Bool) -> Termination? {
        var status: Int32 = 0
        var result: pid_t
        repeat { result = waitpid(pid, &status, blocking ? 0 : WNOHANG) } while result < 0 && errno == EINTR
        guard result == pid else { return nil }
        let termination: Termination =
            status & 0x7F == 0 ? .exited((status >> 8) & 0xFF) : .signaled(status & 0x7F)
        lock.withLock { ended = termination }
        return termination
    }

    /// Writing to a pipe whose reader is gone must fail with EPIPE, not end the test runner.
    private static let ignoreBrokenPipes: Void = { _ = Glibc.signal(SIGPIPE, SIG_IGN) }()
}

/// How a process ended.
public enum Termination: Equatable, Sendable, CustomStringConvertible {
    /// It exited with this status.
    case exited(Int32)
    /// A signal ended it.
    case signaled(Int32)

    public var description: String {
        switch self {
        case .exited(let code): "exit status \(code)"
        case .signaled(let signal): "signal \(signal)"
        }
    }
}

/// What a finished process wrote and how it ended.
public struct ProcessOutput: Sendable {
    /// How it ended.
    public var termination: Termination
    /// Everything written to standard output.
    public var standardOutput: Data
    /// Everything written to standard error.
    public var standardError: Data

    /// Standard output as UTF-8 text.
    public var output: String { String(decoding: standardOutput, as: UTF8.self) }
    /// Standard error as UTF-8 text.
    public var errors: String { String(decoding: standardError, as: UTF8.self) }
    /// The exit status, or -1 when a signal ended the process.
    public var exitStatus: Int32 {
        switch termination {
        case .exited(let code): code
        case .signaled: -1
        }
    }
}

/// A child process that did not do what the test waited for.
public enum ChildProcessError: Error, CustomStringConvertible {
    /// `posix_spawn` failed.
    case cannotStart(String, errno: Int32)
    /// The process was still running when the wait ended.
    case stillRunning(String, seconds: Double)
    /// No such line came before the wait ended.
    case lineNotSeen(String, output: String, seconds: Double)

    public var description: String {
        switch self {
        case .cannotStart(let executable, let code): "cannot start \(executable): \(String(cString: strerror(code)))"
        case .stillRunning(let executable, let seconds): "\(executable) still runs after \(seconds) s"
        case .lineNotSeen(let executable, let output, let seconds):
            "\(executable) printed no such line within \(seconds) s; it printed: \(output.prefix(2000))"
        }
    }
}

/// Runs `executable` with `arguments` to the end and returns what it wrote and how it ended.
/// The child gets `input` on its standard input; the wait ends after `seconds` with an error.
public func runProcess(
    _ executable: String, _ arguments: [String] = [], environment: [String: String]? = nil,
    workingDirectory: String? = nil, input: Data? = nil, within seconds: Double = 120
) throws -> ProcessOutput {
    let child = try ChildProcess(
        executable, arguments, environment: environment, workingDirectory: workingDirectory,
        input: input.map { .data($0) } ?? .none)
    return try child.finish(within: seconds)
}

private func makePipe() throws -> (read: Int32, write: Int32) {
    var descriptors: [Int32] = [0, 0]
    guard GNU.pipe2(&descriptors, O_CLOEXEC) == 0 else { throw ChildProcessError.cannotStart("pipe", errno: errno) }
    return (descriptors[0], descriptors[1])
}

private func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
    let pointers = strings.map { strdup($0) } + [nil]
    defer { pointers.forEach { free($0) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}

/// glibc functions that Swift's Glibc module hides behind `_GNU_SOURCE`, looked up at run time.
private enum GNU {
    typealias Actions = UnsafeMutablePointer<posix_spawn_file_actions_t>
    /// `pipe2(2)`, for pipes that no other test's child inherits.
    static let pipe2: @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32 = function("pipe2")
    /// `posix_spawn_file_actions_addchdir_np(3)`.
    static let addChdir: @convention(c) (Actions, UnsafePointer<CChar>) -> Int32 = function(
        "posix_spawn_file_actions_addchdir_np")
    /// `posix_spawn_file_actions_addclosefrom_np(3)`.
    static let addClosefrom: @convention(c) (Actions, Int32) -> Int32 = function("posix_spawn_file_actions_addclosefrom_np")

    private static func function<F>(_ name: String) -> F {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { fatalError("glibc lacks \(name)") }
        return unsafeBitCast(symbol, to: F.self)
    }
}
