import CGIGateway
import Glibc
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// The FastCGI workers of one resident script, started by the server itself as lighttpd's
/// `bin-path` does: each worker accepts on its own unix socket (its descriptor 0) in the server's
/// private folder, so the pool knows which worker holds which request and hands each worker one
/// request at a time.
///
/// - **On demand**: no worker runs before the first request; one is started when a request finds
///   none free, up to ``PoolSettings/workers``; a worker idle for ``Settings/idleTimeout`` is
///   drained (SIGTERM: the worker finishes and exits).
/// - **Bounded queue**: a request beyond `workers` waits for a free worker in a ``ScriptSlots``
///   queue; a full queue or a long wait is refused (503 with `Retry-After`).
/// - **The manager's rules** (``Worker``, shared with `cgi fastcgi`): the status pipe, recycling
///   after `maxRequests` (the worker finishes its last request, then exits), a worker stuck past the
///   request timeout killed, a draining worker killed past its grace, a back-off when workers die
///   straight after starting.
/// - **Kept connections**: a request that ended cleanly leaves its connection open with its
///   worker (FCGI_KEEP_CONN), for the worker's next request on the same event loop. A worker
///   keeps one connection per event loop when it said (GET_VALUES, asked on its first
///   connection) that it holds several at once, as the CGI library's workers do; otherwise one,
///   closed before a request from another loop connects. A free worker with a connection on the
///   asking loop is leased first.
/// - **Generations**: a lease for another executable (an edited `.swift` script, compiled anew)
///   starts a new generation; workers of the old one take no more requests and drain.
final class ResidentPool: Sendable {
    /// How the pool runs its workers.
    struct Settings: Sendable {
        /// Most workers, arguments (none), environment, folder, recycling and request timeout.
        var pool: PoolSettings
        /// The resource limits each worker runs under (the scripts' limits).
        var limits: [ResourceLimit] = []
        /// How long a worker may wait for a request before it is drained.
        var idleTimeout: Duration = .seconds(10)
        /// Most requests waiting for a worker; beyond it requests are refused.
        var maxQueued: Int = 64
        /// How long a request may wait for a worker.
        var queueTimeout: TimeAmount = .seconds(10)
    }

    /// How often the pool reaps, reads status pipes and applies deadlines while it has workers.
    static let maintenanceInterval = TimeAmount.milliseconds(100)

    /// The script's name, for log lines.
    let script: String
    /// Workers by state, restarts, recycles, retries and OVERLOADED answers, for `--admin`.
    let metrics: PoolMetrics
    private let settings: Settings
    private let folder: SocketFolder
    /// Tells this pool's socket files from other pools' in the shared folder.
    private let index: Int
    private let slots: ScriptSlots
    private let loop: any EventLoop
    private let logger: Logger
    private let state = NIOLockedValueBox(State())

    private struct State: Sendable {
        var workers: [ResidentWorker] = []
        var executable: String?
        var generation = 0
        var serial = 0
        var backoff = RestartBackoff()
        var nextStartAllowed = ContinuousClock.now
        var stopping = false
        var maintenance: RepeatedTask?
        var stopped: [EventLoopPromise<Void>] = []
    }

    /// A pool for `script` whose workers' sockets go in `folder` (named with `index`); the
    /// pool's upkeep and its workers' output run on `loop`.
    init(
        script: String, settings: Settings, folder: SocketFolder, index: Int, loop: any EventLoop, logger: Logger,
        metrics: PoolMetrics
    ) {
        self.script = script
        self.metrics = metrics
        self.settings = settings
        self.folder = folder
        self.index = index
        self.loop = loop
        self.logger = logger
        slots = ScriptSlots(limit: settings.pool.workers, queueLimit: settings.maxQueued, queueTimeout: settings.queueTimeout)
    }

    /// Process ids of the workers running now (serving or draining).
    var workerPIDs: [pid_t] { state.withLockedValue { $0.workers.map(\.worker.pid) } }

    /// A worker running `executable` for one request on `requestLoop`, once one is free: an idle
    /// one of the current generation (one keeping a connection on `requestLoop` first), or a new
    /// one. Fails with ``ScriptSlots/Refusal`` when the queue is
    /// full or the wait too long, or with a ``ResidentPoolError``.
    func lease(executable: String, on requestLoop: any EventLoop) -> EventLoopFuture<WorkerLease> {
        slots.acquire(on: requestLoop).flatMapThrowing { [self] in
            do {
                return try take(executable: executable, on: requestLoop)
            } catch {
                slots.release()
                throw error
            }
        }
    }

    /// Hands a leased worker back, telling how its request went; a completed request may leave
    /// its open `connection` with the worker for the worker's next request.
    func release(_ lease: WorkerLease, outcome: WorkerLease.Outcome, keeping connection: FastCGIConnection? = nil) {
        let line = state.withLockedValue { state -> String? in
            guard let index = state.workers.firstIndex(where: { $0.socketPath == lease.socketPath }) else { return nil }
            let now = ContinuousClock.now
            state.workers[index].isLeased = false
            state.workers[index].idleSince = now
            switch outcome {
            case .completed:
                if let connection { state.workers[index].keep(connection) }
                let worker = state.workers[index]
                if state.stopping || worker.worker.generation != state.generation
                    || worker.leases >= (settings.pool.maxRequests ?? .max)
                {
                    if worker.leases >= (settings.pool.maxRequests ?? .max) { metrics.recycles.increment() }
                    state.workers[index].drain(until: now + settings.pool.drainGrace)
                }
                return nil
            case .broken:
                state.workers[index].worker.kill()
                return "worker \(lease.pid): connection failed before a response; killed"
            case .stuck:
                state.workers[index].worker.kill()
                return "worker \(lease.pid): request past the script timeout; killed"
            }
        }
        slots.release()
        if let line { logger.warning("\(line)", metadata: ["script": "\(script)"]) }
    }

    /// Records how many connections the leased worker holds at once, as it answered GET_VALUES.
    func learn(connectionLimit: Int, of lease: WorkerLease) {
        state.withLockedValue { state in
            guard let index = state.workers.firstIndex(where: { $0.socketPath == lease.socketPath }) else { return }
            state.workers[index].connectionLimit = max(1, connectionLimit)
        }
    }

    /// Drains every worker (in-flight requests finish; one still running after `grace` is
    /// killed) and succeeds once all are reaped.
    func stop(grace: Duration) -> EventLoopFuture<Void> {
        let promise = loop.makePromise(of: Void.self)
        let done = state.withLockedValue { state -> Bool in
            state.stopping = true
            let deadline = ContinuousClock.now + grace
            for index in state.workers.indices { state.workers[index].drain(until: deadline) }
            guard !state.workers.isEmpty else { return true }
            state.stopped.append(promise)
            return false
        }
        if done { promise.succeed() }
        return promise.futureResult
    }

    // MARK: Workers

    /// Under the caller's slot: a free worker of `executable`'s generation (one keeping a
    /// connection on `loop` first), or a new one.
    private func take(executable: String, on loop: any EventLoop) throws -> WorkerLease {
        let (lease, started) = try state.withLockedValue { state throws -> (WorkerLease, Worker?) in
            guard !state.stopping else { throw ResidentPoolError.stopping }
            let now = ContinuousClock.now
            if state.executable != executable {
                if state.executable != nil { newGeneration(&state, now: now) }
                state.executable = executable
            }
            let available = state.workers.indices.filter {
                state.workers[$0].isAvailable(generation: state.generation, maxRequests: settings.pool.maxRequests)
            }
            if let index = available.first(where: { state.workers[$0].keepsConnection(on: loop) }) ?? available.first {
                var lease = WorkerLease(socketPath: state.workers[index].socketPath, pid: state.workers[index].worker.pid)
                lease.connection = state.workers[index].connection(for: loop)
                if lease.connection == nil, !state.workers[index].askedForConnectionLimit {
                    lease.asksConnectionLimit = true
                    state.workers[index].askedForConnectionLimit = true
                }
                state.workers[index].isLeased = true
                state.workers[index].leases += 1
                return (lease, nil)
            }
            guard now >= state.nextStartAllowed else {
                throw ResidentPoolError.backingOff(script: script, state.nextStartAllowed - now)
            }
            let worker = try start(executable: executable, state: &state, now: now)
            if state.maintenance == nil { state.maintenance = scheduleMaintenance() }
            var lease = WorkerLease(socketPath: worker.socketPath, pid: worker.worker.pid)
            lease.asksConnectionLimit = true
            return (lease, worker.worker)
        }
        if let started { readOutput(of: started) }
        return lease
    }

    /// Binds a new socket and starts a worker on it, leased at once.
    private func start(
        executable: String, state: inout State, now: ContinuousClock.Instant
    ) throws(ResidentPoolError)
        -> ResidentWorker
    {
        state.serial += 1
        let path = folder.socketPath("\(index)-\(state.serial)")
        let socket: ListeningSocket
        do throws(ListeningSocketError) {
            socket = try ListeningSocket(.unix(path: path), mode: 0o600)
        } catch {
            throw .socket(script: script, error)
        }
        let worker: Worker
        do {
            worker = try Worker.start(
                executable: executable, listening: socket.descriptor, settings: settings.pool,
                generation: state.generation, limits: settings.limits)
        } catch {
            socket.close()
            state.nextStartAllowed = now + state.backoff.workerEnded(livedFor: .zero, requests: 0)
            throw .cannotStart(script: script, error)
        }
        // The worker holds the socket as its descriptor 0; the server only connects to its path.
        close(socket.descriptor)
        var resident = ResidentWorker(worker: worker, socketPath: path, isLeased: true, leases: 1, idleSince: now)
        resident.askedForConnectionLimit = true
        state.workers.append(resident)
        return resident
    }

    /// A new executable: later leases go to new workers; idle old ones drain now, leased ones
    /// when released.
    private func newGeneration(_ state: inout State, now: ContinuousClock.Instant) {
        state.generation += 1
        for index in state.workers.indices where !state.workers[index].isLeased {
            state.workers[index].drain(until: now + settings.pool.drainGrace)
        }
        logger.info("\(script) changed: new workers start, \(state.workers.count) old ones drain")
    }

    /// Logs what the worker writes on its standard output and error (a FastCGI worker's
    /// responses and log lines travel on its socket; these carry what escapes it).
    private func readOutput(of worker: Worker) {
        loop.execute { [loop, logger, script] in
            for descriptor in [worker.process.standardOutput, worker.process.standardError] {
                _ = StderrPipe(
                    descriptor: descriptor, lines: LogLineSplitter(logger: logger, worker: worker.pid, script: script),
                    loop: loop)
            }
        }
    }

    // MARK: Upkeep

    private func scheduleMaintenance() -> RepeatedTask {
        loop.scheduleRepeatedTask(initialDelay: Self.maintenanceInterval, delay: Self.maintenanceInterval) { [self] task in
            maintain(task)
        }
    }

    /// Reads status pipes, applies the workers' deadlines, drains idle workers, reaps those that
    /// exited; stops itself (and completes ``stop(grace:)``) once no worker is left.
    private func maintain(_ task: RepeatedTask) {
        var lines: [String] = []
        let stopped = state.withLockedValue { state -> [EventLoopPromise<Void>] in
            let now = ContinuousClock.now
            for index in state.workers.indices {
                if state.workers[index].worker.statusPipe >= 0 { state.workers[index].worker.readStatus(now: now) }
                if let line = state.workers[index].worker.enforceDeadlines(now: now, settings: settings.pool) {
                    lines.append(line)
                }
                let worker = state.workers[index]
                if worker.worker.isServing, !worker.isLeased, now - worker.idleSince >= settings.idleTimeout {
                    state.workers[index].drain(until: now + settings.pool.drainGrace)
                }
            }
            lines += reapExited(&state, now: now)
            let serving = state.workers.filter(\.worker.isServing)
            metrics.busyWorkers.set(serving.count(where: \.isLeased))
            metrics.idleWorkers.set(serving.count(where: { !$0.isLeased }))
            guard state.workers.isEmpty else { return [] }
            state.maintenance = nil
            task.cancel()
            defer { state.stopped.removeAll() }
            return state.stopped
        }
        for line in lines { logger.info("\(line)", metadata: ["script": "\(script)"]) }
        for promise in stopped { promise.succeed() }
    }

    /// Reaps the workers that exited (and what they left in their process group), removes their
    /// sockets, and backs off when they die straight after starting.
    private func reapExited(_ state: inout State, now: ContinuousClock.Instant) -> [String] {
        var lines: [String] = []
        for resident in state.workers where resident.worker.process.hasExited() {
            resident.worker.process.signalGroup(SIGKILL)
            let status = resident.worker.process.wait()
            unlink(resident.socketPath)
            var reaped = resident
            reaped.worker.closeStatusPipe()
            reaped.closeKeptConnections()
            state.workers.removeAll { $0.socketPath == resident.socketPath }
            let expected =
                !resident.worker.isServing || state.stopping || resident.leases >= (settings.pool.maxRequests ?? .max)
            guard !expected else { continue }
            metrics.restarts.increment()
            let wait = state.backoff.workerEnded(livedFor: now - resident.worker.startedAt, requests: resident.leases)
            state.nextStartAllowed = max(state.nextStartAllowed, now + wait)
            lines.append("worker \(resident.worker.pid) ended: \(status)")
        }
        return lines
    }
}
