import CGIGateway
import Glibc

/// The process manager's loop: keeps `--workers` workers accepting on the listening socket,
/// restarts those that die (with ``RestartBackoff``), recycles them after `--max-requests`,
/// kills those stuck past `--request-timeout`, replaces them all on `SIGHUP` and drains them on
/// `SIGTERM` or `SIGINT`. One thread; it sleeps in poll(2) on the signals and the workers'
/// output, and reads their status pipes every ``statusTick``. With `--admin` it posts what
/// changed to a ``PoolStatusBoard``, which the admin listener reads on a thread of its own.
struct WorkerPool {
    let socket: ListeningSocket
    let signals: ManagerSignals
    let program: WorkerProgram
    let settings: PoolSettings
    /// Where the pool's state is posted for `--admin`, or `nil` without it.
    var board: PoolStatusBoard?

    private var executable: String
    private var workers: [Worker] = []
    private var outputs: [WorkerOutput] = []
    private var generation = 0
    private var backoff = RestartBackoff()
    private var nextStartAllowed = ContinuousClock.now
    private var stopping = false
    private var nextStatusRead = ContinuousClock.now
    /// Workers started, ended or drained since the board was last posted to.
    private var boardIsStale = false
    /// Requests begun by workers reaped since the board was last posted to (read from their
    /// status pipes as they were reaped).
    private var beganUnposted = 0
    /// Whether the last status read found every worker busy (the board then samples the queue each tick).
    private var poolWasFull = false

    /// How often the status pipes are read. They are not polled: a worker's write to a pipe the
    /// manager sleeps on wakes the manager, twice a request, which cost a hello worker behind
    /// nginx 15% of its CPU and the manager 7 µs a request. A request's begin is therefore seen
    /// up to a tick late, and `--request-timeout` counts from then.
    static let statusTick = Duration.milliseconds(100)

    /// A pool that will run `executable` (the program as resolved at start-up).
    init(socket: ListeningSocket, signals: ManagerSignals, program: WorkerProgram, executable: String, settings: PoolSettings) {
        self.socket = socket
        self.signals = signals
        self.program = program
        self.executable = executable
        self.settings = settings
    }

    /// Starts the first workers; throws if the program cannot be started at all.
    mutating func start() throws(ScriptSpawnError) {
        for _ in 0..<settings.workers { try spawn() }
    }

    /// Runs until `SIGTERM` or `SIGINT` has drained every worker.
    mutating func run() {
        while !(stopping && workers.isEmpty) {
            let now = ContinuousClock.now
            topUp(now: now)
            if now >= nextStatusRead {
                readStatus(now: now)
                nextStatusRead = now + Self.statusTick
            }
            enforceDeadlines(now: now)
            if boardIsStale {
                board?.publish(workers, began: beganUnposted)
                beganUnposted = 0
                boardIsStale = false
            }
            var watched = [pollfd(fd: signals.descriptor, events: Int16(POLLIN), revents: 0)]
            watched += outputs.map { pollfd(fd: $0.descriptor, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&watched, nfds_t(watched.count), timeoutMilliseconds(now: now))
            guard ready > 0 else { continue }
            for (index, entry) in watched.enumerated().dropFirst().reversed() where entry.revents != 0 {
                if !outputs[index - 1].forward() { outputs.remove(at: index - 1) }
            }
            if watched[0].revents != 0 { handle(signals.pending()) }
        }
        for output in outputs { close(output.descriptor) }
        board?.close()
        socket.close()
    }

    private mutating func handle(_ received: [Int32]) {
        for signal in received {
            switch signal {
            case SIGCHLD: reapExited()
            case SIGHUP: reload()
            default: stop()
            }
        }
    }

    /// Reads every worker's status pipe and, when something changed (or while the pool is full,
    /// when its queue may grow), posts the workers and the requests begun to the board.
    private mutating func readStatus(now: ContinuousClock.Instant) {
        var began = beganUnposted
        var changed = false
        for index in workers.indices {
            let (requests, busySince) = (workers[index].requests, workers[index].busySince)
            workers[index].readStatus(now: now)
            began += workers[index].requests - requests
            changed = changed || workers[index].busySince != busySince
        }
        guard let board, began > 0 || changed || poolWasFull || boardIsStale else { return }
        poolWasFull = board.statusRead(workers, began: began)
        beganUnposted = 0
        boardIsStale = false
    }

    /// Starts one worker of the current generation with the socket on descriptor 0.
    private mutating func spawn() throws(ScriptSpawnError) {
        let worker = try Worker.start(
            executable: executable, listening: socket.descriptor, settings: settings, generation: generation)
        workers.append(worker)
        boardIsStale = true
        outputs.append(WorkerOutput(descriptor: worker.process.standardOutput, pid: worker.pid))
        outputs.append(WorkerOutput(descriptor: worker.process.standardError, pid: worker.pid))
    }

    /// Starts workers until `--workers` of them are serving, unless the back-off says to wait.
    private mutating func topUp(now: ContinuousClock.Instant) {
        guard !stopping, now >= nextStartAllowed else { return }
        while workers.count(where: \.isServing) < settings.workers {
            do {
                try spawn()
            } catch {
                log("cannot start a worker: \(error)")
                nextStartAllowed = now + backoff.workerEnded(livedFor: .zero, requests: 0)
                return
            }
        }
    }

    /// Applies the workers' rules (``Worker/enforceDeadlines(now:settings:)``): recycling after
    /// `--max-requests`, killing those stuck past `--request-timeout` or draining past their deadline.
    private mutating func enforceDeadlines(now: ContinuousClock.Instant) {
        let serving = workers.count(where: \.isServing)
        for index in workers.indices {
            if let line = workers[index].enforceDeadlines(now: now, settings: settings) { log(line) }
        }
        if workers.count(where: \.isServing) != serving { boardIsStale = true }
    }

    /// Milliseconds until the next deadline or status read poll must wake up for.
    private func timeoutMilliseconds(now: ContinuousClock.Instant) -> Int32 {
        var next: ContinuousClock.Instant? = workers.isEmpty ? nil : nextStatusRead
        func consider(_ instant: ContinuousClock.Instant?) {
            guard let instant else { return }
            next = min(next ?? instant, instant)
        }
        if !stopping, workers.count(where: \.isServing) < settings.workers { consider(nextStartAllowed) }
        for worker in workers { consider(worker.nextDeadline(settings: settings)) }
        guard let next else { return -1 }
        let wait = next - now
        return wait <= .zero
            ? 0 : Int32(min(wait.components.seconds * 1000 + wait.components.attoseconds / 1_000_000_000_000_000 + 1, 60_000))
    }

    /// Reaps every worker that exited, ends what it left running in its process group, and
    /// schedules its replacement (after a back-off when it died straight after starting).
    private mutating func reapExited() {
        let now = ContinuousClock.now
        for worker in workers where worker.process.hasExited() {
            worker.process.signalGroup(SIGKILL)
            let status = worker.process.wait()
            var reaped = worker
            reaped.readStatus(now: now)
            beganUnposted += reaped.requests - worker.requests
            reaped.closeStatusPipe()
            workers.removeAll { $0.pid == worker.pid }
            boardIsStale = true
            if worker.drainDeadline != nil || stopping {
                if !status.isSuccess { log("worker \(worker.pid) (draining) ended: \(status)") }
                continue
            }
            let wait =
                worker.killedForTimeout ? .zero : backoff.workerEnded(livedFor: now - worker.startedAt, requests: worker.requests)
            nextStartAllowed = max(nextStartAllowed, now + wait)
            log(
                "worker \(worker.pid) ended: \(status)"
                    + (wait > .zero ? "; it died straight after starting, next start in \(wait)" : "; starting another"))
        }
    }

    /// `SIGHUP`: resolves the program again (recompiling an edited script), starts a new
    /// generation of workers, then drains the old ones; if the program no longer compiles or
    /// starts, the old workers keep serving.
    private mutating func reload() {
        guard !stopping else { return }
        do {
            executable = try program.resolve()
        } catch {
            log("SIGHUP: \(error); the running workers carry on")
            return
        }
        generation += 1
        let old = workers.indices
        do {
            for _ in 0..<settings.workers { try spawn() }
        } catch {
            log("SIGHUP: cannot start a worker: \(error); the running workers carry on")
            for index in workers.indices.reversed() where index >= old.upperBound {
                workers[index].drain(until: .now + settings.drainGrace)
            }
            return
        }
        let deadline = ContinuousClock.now + settings.drainGrace
        for index in old { workers[index].drain(until: deadline) }
        boardIsStale = true
        log("SIGHUP: started \(settings.workers) new workers; draining \(old.count) old ones")
    }

    /// `SIGTERM` or `SIGINT`: every worker finishes the request it has and exits.
    private mutating func stop() {
        guard !stopping else { return }
        stopping = true
        let deadline = ContinuousClock.now + settings.drainGrace
        for index in workers.indices { workers[index].drain(until: deadline) }
        boardIsStale = true
        log("stopping: draining \(workers.count) workers")
    }

    private func log(_ text: String) {
        StandardStreams.error("cgi fastcgi: \(text)")
    }
}
