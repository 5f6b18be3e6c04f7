import Glibc

/// One FastCGI worker process and what its manager knows of it, with the rules every manager
/// applies to it (`cgi fastcgi` and the server's resident pools): started with its listening
/// socket on descriptor 0 and its status pipe on descriptor 3, recycled after `maxRequests`,
/// killed when stuck in a request past the request timeout or still running past its drain deadline.
package struct Worker: Sendable {
    /// The process.
    package let process: ScriptProcess
    /// The generation it belongs to (a reload or an edited script starts a new one): older
    /// generations are drained.
    package let generation: Int
    /// When it was started.
    package let startedAt: ContinuousClock.Instant
    /// The manager's end of the worker's status pipe; -1 (which poll(2) skips) once the worker
    /// closed its end.
    package private(set) var statusPipe: Int32
    /// Requests begun, as the status pipe reported.
    package var requests = 0
    /// When the request in progress began, or `nil` between requests.
    package var busySince: ContinuousClock.Instant?
    /// How long the last request that ended took, as the status reads saw it (a manager that
    /// reads on a tick sees a request that began and ended between two reads as taking 0).
    package private(set) var lastRequestDuration: Duration?
    /// Set once the worker was asked to finish (SIGTERM): it no longer counts towards the pool's
    /// size, and past this instant it is killed.
    package private(set) var drainDeadline: ContinuousClock.Instant?
    /// Set when the manager killed the worker for a request past the request timeout.
    package private(set) var killedForTimeout = false
    /// Set once SIGKILL was sent, for whatever reason: no deadline applies any more.
    package private(set) var killed = false

    /// The process id.
    package var pid: pid_t { process.pid }

    /// Starts `executable` with `listening` (a listening socket) as its descriptor 0 and a
    /// status pipe as its descriptor 3, with the settings' arguments, environment, folder and `limits`.
    package static func start(
        executable: String, listening: Int32, settings: PoolSettings, generation: Int, limits: [ResourceLimit] = []
    ) throws(ScriptSpawnError) -> Worker {
        // Close-on-exec from the start: a host that spawns from several threads must not leak
        // the write end into another child (the pipe would never report the worker's end).
        var ends: [Int32] = [-1, -1]
        guard GNUExtensions.pipe2(&ends, O_CLOEXEC) == 0 else { throw .pipe(errno: errno) }
        _ = fcntl(ends[0], F_SETFL, O_NONBLOCK)
        let process: ScriptProcess
        do {
            process = try ScriptProcess.spawn(
                executable: executable, arguments: settings.arguments, environment: settings.workerEnvironment,
                workingDirectory: settings.workingDirectory, standardInput: .descriptor(listening), limits: limits,
                descriptor3: ends[1])
        } catch {
            close(ends[0])
            close(ends[1])
            throw error
        }
        close(ends[1])
        return Worker(process: process, generation: generation, startedAt: .now, statusPipe: ends[0])
    }

    private init(process: ScriptProcess, generation: Int, startedAt: ContinuousClock.Instant, statusPipe: Int32) {
        self.process = process
        self.generation = generation
        self.startedAt = startedAt
        self.statusPipe = statusPipe
    }

    /// Whether the worker may be handed new requests: not draining, not killed.
    package var isServing: Bool { drainDeadline == nil && !killed }

    /// Asks the worker to finish its request and exit, and gives it until `deadline`.
    package mutating func drain(until deadline: ContinuousClock.Instant) {
        guard drainDeadline == nil else { return }
        drainDeadline = deadline
        process.signalGroup(SIGTERM)
    }

    /// Applies the rules that are due at `now`: a worker that reached `maxRequests` and is between
    /// requests is drained; one in a request past the request timeout, or draining past its
    /// deadline, is killed. Returns what to log, if anything.
    package mutating func enforceDeadlines(now: ContinuousClock.Instant, settings: PoolSettings) -> String? {
        guard !killed else { return nil }
        if let timeout = settings.requestTimeout, let since = busySince, now - since >= timeout {
            killedForTimeout = true
            kill()
            return "worker \(pid): request still running after \(timeout); killing it"
        }
        if let drainDeadline, now >= drainDeadline {
            kill()
            return "worker \(pid): still running \(settings.drainGrace) after SIGTERM; killing it"
        }
        if let maxRequests = settings.maxRequests, requests >= maxRequests, busySince == nil {
            drain(until: now + settings.drainGrace)
        }
        return nil
    }

    /// The next instant at which ``enforceDeadlines(now:settings:)`` has something to do, if any.
    package func nextDeadline(settings: PoolSettings) -> ContinuousClock.Instant? {
        guard !killed else { return nil }
        let stuck = settings.requestTimeout.flatMap { timeout in busySince.map { $0 + timeout } }
        return [stuck, drainDeadline].compactMap { $0 }.min()
    }

    /// Kills the worker's process group.
    package mutating func kill() {
        killed = true
        process.signalGroup(SIGKILL)
    }

    /// Closes the manager's end of the status pipe.
    package mutating func closeStatusPipe() {
        if statusPipe >= 0 { close(statusPipe) }
        statusPipe = -1
    }

    /// Reads everything the status pipe holds and updates the request count and busy time.
    /// A manager may read it on a tick rather than poll it, so `now` can be a tick after the
    /// request began.
    package mutating func readStatus(now: ContinuousClock.Instant) {
        var bytes = [UInt8](repeating: 0, count: 4096)
        while statusPipe >= 0 {
            let count = bytes.withUnsafeMutableBytes { read(statusPipe, $0.baseAddress, $0.count) }
            if count == 0 { closeStatusPipe() }
            for byte in bytes.prefix(max(count, 0)) {
                switch WorkerStatus(rawValue: byte) {
                case .began: requests += 1; busySince = now
                case .ended:
                    if let since = busySince { lastRequestDuration = now - since }
                    busySince = nil
                case nil: break
                }
            }
            if count < bytes.count { return }
        }
    }
}
