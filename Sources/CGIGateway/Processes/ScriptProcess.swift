import Glibc

/// A running script: a child process in its own process group, connected by pipes.
///
/// `spawn` never uses a
/// shell; the child starts with `argv` = `[executable] + arguments` (a CGI script gets no
/// arguments), exactly the given environment, the working
/// directory set (RFC 3875 §7.2), its own process group, every signal at its default
/// disposition, an empty signal mask, and only descriptors 0, 1 and 2 open (and 3 when asked).
///
/// Resource limits (``ResourceLimit``) are set with `prlimit(2)` as soon as `posix_spawn`
/// returns, since `posix_spawn` cannot set them in the child and nothing may run between its
/// `fork` and `exec`. glibc's `posix_spawn` returns once the child has called `exec`, so the
/// program has started when its limits arrive: for the few microseconds between the two, it
/// runs with the host's limits. CPU time counts from the start all the same, and the other
/// limits hold for everything the script asks for afterwards (an allocation, an open, a fork
/// or a write already made stays). When a limit cannot be set, the script is stopped.
///
/// The parent's pipe ends are plain descriptors, created close-on-exec and blocking; the host
/// owns them and must close them (or hand them to an event loop that will). The process must be
/// reaped exactly once: by ``wait()``, by ``poll()`` returning a status, or by
/// ``terminate(grace:)``.
public struct ScriptProcess: Sendable {
    /// Where the script's standard input comes from.
    public enum StandardInput: Sendable {
        /// A pipe the host writes the request body into (``ScriptProcess/standardInput``).
        case pipe
        /// `/dev/null`: the script reads end-of-file at once (requests without a body).
        case nullDevice
        /// A descriptor of the host's, such as a FastCGI worker's listening socket: the child
        /// gets a copy as descriptor 0 and the host keeps its own.
        case descriptor(Int32)
    }

    /// The child's process id, which is also its process group id.
    public let pid: pid_t
    /// The write end of the script's standard input, or `nil` with ``StandardInput/nullDevice``.
    public let standardInput: Int32?
    /// The read end of the script's standard output.
    public let standardOutput: Int32
    /// The read end of the script's standard error.
    public let standardError: Int32

    /// Starts `executable` as a script process with a text environment: the same as the `spawn`
    /// whose environment values are bytes, given each value's UTF-8.
    public static func spawn(
        executable: String,
        arguments: [String] = [],
        environment: [String: String],
        workingDirectory: String,
        standardInput: StandardInput = .pipe,
        limits: [ResourceLimit] = [],
        descriptor3: Int32? = nil
    ) throws(ScriptSpawnError) -> ScriptProcess {
        try spawn(
            executable: executable, arguments: arguments, environment: environment.mapValues { Array($0.utf8) },
            workingDirectory: workingDirectory, standardInput: standardInput, limits: limits, descriptor3: descriptor3)
    }

    /// Starts `executable` as a script process, with `limits` set on it. Each environment value
    /// is the bytes the script gets, which need not be UTF-8 (a request header's `obs-text`).
    ///
    /// `descriptor3`, when given, is a descriptor of the host's that the child also gets, as
    /// descriptor 3 (a FastCGI worker's status pipe); it must be 3 or above, and the host keeps its own.
    ///
    /// - Throws: ``ScriptSpawnError`` when a pipe cannot be made, a value holds a NUL byte, the
    ///   program cannot be started (missing, not executable, bad interpreter, missing folder), or
    ///   a limit cannot be set (a hard limit above the host's own, without the privilege to raise it).
    public static func spawn(
        executable: String,
        arguments: [String] = [],
        environment: [String: [UInt8]],
        workingDirectory: String,
        standardInput: StandardInput = .pipe,
        limits: [ResourceLimit] = [],
        descriptor3: Int32? = nil
    ) throws(ScriptSpawnError) -> ScriptProcess {
        let entries = environment.sorted { $0.key < $1.key }
        for (key, value) in entries where containsNUL(key) || value.contains(0) {
            throw .nulByte("\(key)=\(String(decoding: value, as: UTF8.self))")
        }
        for text in [executable, workingDirectory] + arguments where containsNUL(text) {
            throw .nulByte(text)
        }
        let output = try Pipe()
        let errors: Pipe
        do { errors = try Pipe() } catch { output.closeBoth(); throw error }
        let input: Pipe?
        do { input = if case .pipe = standardInput { try Pipe() } else { nil } } catch {
            output.closeBoth()
            errors.closeBoth()
            throw error
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        switch (standardInput, input) {
        case (_, let input?): posix_spawn_file_actions_adddup2(&actions, input.readEnd, 0)
        case (.descriptor(let descriptor), nil): posix_spawn_file_actions_adddup2(&actions, descriptor, 0)
        case (_, nil): posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, output.writeEnd, 1)
        posix_spawn_file_actions_adddup2(&actions, errors.writeEnd, 2)
        if let descriptor3 { posix_spawn_file_actions_adddup2(&actions, descriptor3, 3) }
        _ = GNUExtensions.addClosefrom(&actions, descriptor3 == nil ? 3 : 4)
        _ = GNUExtensions.addChdir(&actions, workingDirectory)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        var pid = pid_t()
        // ETXTBSY: a freshly written executable (a script just compiled) is busy while any other
        // process forked meanwhile still holds its written descriptor until that one execs;
        // that lasts microseconds, so the spawn is tried again for a little while.
        var result: Int32 = ETXTBSY
        for attempt in 0..<50 where result == ETXTBSY {
            if attempt > 0 { usleep(2_000) }
            result = withCStrings([executable] + arguments) { argv in
                withCEnvironment(entries) { envp in
                    posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
                }
            }
        }
        close(output.writeEnd)
        close(errors.writeEnd)
        if let input { close(input.readEnd) }
        guard result == 0 else {
            close(output.readEnd)
            close(errors.readEnd)
            if let input { close(input.writeEnd) }
            throw .spawn(executable: executable, errno: result)
        }
        let process = ScriptProcess(
            pid: pid, standardInput: input?.writeEnd, standardOutput: output.readEnd, standardError: errors.readEnd)
        for limit in limits {
            guard let code = limit.apply(to: pid) else { continue }
            process.signalGroup(SIGKILL)
            _ = process.wait()
            [output.readEnd, errors.readEnd].forEach { close($0) }
            if let input { close(input.writeEnd) }
            throw .limit(limit, errno: code)
        }
        return process
    }

    /// Sends `signal` to every process in the script's group (the script and anything it started).
    public func signalGroup(_ signal: Int32) {
        killpg(pid, signal)
    }

    /// Stops the whole group and reaps the script: `SIGTERM` to the group, up to `grace` for the
    /// script to exit, then `SIGKILL` to the group (which also ends children that outlived it).
    @discardableResult
    public func terminate(grace: Duration) -> ExitStatus {
        signalGroup(SIGTERM)
        let deadline = ContinuousClock.now + grace
        while !hasExited(), ContinuousClock.now < deadline {
            usleep(10_000)
        }
        signalGroup(SIGKILL)
        return wait()
    }

    /// Whether the script has exited, without reaping it: its process group stays valid for
    /// ``signalGroup(_:)`` until it is reaped.
    public func hasExited() -> Bool {
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0 {
            guard errno == EINTR else { return true }
        }
        return info.si_signo == SIGCHLD
    }

    /// Waits until the script exits, reaps it and returns how it ended.
    public func wait() -> ExitStatus {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            precondition(errno == EINTR, "script process \(pid) was already reaped")
        }
        return ExitStatus(waitStatus: status)
    }

    /// Reaps the script if it has exited and returns how it ended; `nil` while it runs.
    public func poll() -> ExitStatus? {
        var status: Int32 = 0
        var result: pid_t
        repeat { result = waitpid(pid, &status, WNOHANG) } while result < 0 && errno == EINTR
        precondition(result >= 0, "script process \(pid) was already reaped")
        return result == 0 ? nil : ExitStatus(waitStatus: status)
    }
}

/// Both ends of a close-on-exec pipe, numbered 3 or above so that moving the child's ends to
/// 0, 1 and 2 never overwrites another end (a host may run with standard descriptors closed).
private struct Pipe {
    let readEnd: Int32
    let writeEnd: Int32

    init() throws(ScriptSpawnError) {
        var ends: [Int32] = [-1, -1]
        guard GNUExtensions.pipe2(&ends, O_CLOEXEC) == 0 else { throw .pipe(errno: errno) }
        for index in ends.indices where ends[index] < 3 {
            let moved = fcntl(ends[index], F_DUPFD_CLOEXEC, Int32(3))
            let code = errno
            close(ends[index])
            ends[index] = moved
            guard moved >= 0 else {
                ends.filter { $0 >= 0 }.forEach { close($0) }
                throw .pipe(errno: code)
            }
        }
        readEnd = ends[0]
        writeEnd = ends[1]
    }

    func closeBoth() {
        close(readEnd)
        close(writeEnd)
    }
}

/// Whether `text` holds a NUL byte, which would cut it short as a C string.
private func containsNUL(_ text: String) -> Bool {
    var text = text
    return text.withUTF8 { bytes in
        guard let start = bytes.baseAddress else { return false }
        return memchr(start, 0, bytes.count) != nil
    }
}

/// Calls `body` with a NULL-terminated C array of `KEY=VALUE` strings for `entries`, all in one allocation.
private func withCEnvironment<R>(
    _ entries: [(key: String, value: [UInt8])], _ body: ([UnsafeMutablePointer<CChar>?]) -> R
) -> R {
    let size = entries.reduce(0) { $0 + $1.key.utf8.count + $1.value.count + 2 }
    let block = UnsafeMutableBufferPointer<CChar>.allocate(capacity: max(size, 1))
    defer { block.deallocate() }
    var pointers: [UnsafeMutablePointer<CChar>?] = []
    pointers.reserveCapacity(entries.count + 1)
    var offset = 0
    func append(_ bytes: some Collection<UInt8>, then terminator: UInt8) {
        for byte in bytes {
            block[offset] = CChar(bitPattern: byte)
            offset += 1
        }
        block[offset] = CChar(bitPattern: terminator)
        offset += 1
    }
    for (key, value) in entries {
        pointers.append(block.baseAddress! + offset)
        append(key.utf8, then: UInt8(ascii: "="))
        append(value, then: 0)
    }
    pointers.append(nil)
    return body(pointers)
}

/// Calls `body` with a NULL-terminated C array of copies of `strings`.
private func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
    let pointers = strings.map { strdup($0) } + [nil]
    defer { pointers.forEach { free($0) } }
    return body(pointers)
}
