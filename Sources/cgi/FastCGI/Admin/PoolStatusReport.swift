import Glibc

/// What `cgi fastcgi --admin` shows, at one moment: PHP-FPM's status page for the pool
/// (accepted requests, listen queue, idle and active processes, max children reached) and a
/// line per worker (pid, state, requests, request duration, memory, start time). `/status`,
/// `/status?format=json` and `/metrics` are all written from it.
struct PoolStatusReport: Sendable {
    /// One worker's line.
    struct Worker: Sendable {
        /// `0..<maxChildren`, or `nil` for a draining worker.
        var slot: Int?
        /// The process id.
        var pid: pid_t
        /// Idle, busy or draining.
        var state: WorkerLine.State
        /// Requests it began.
        var requests: Int
        /// The request in progress so far, or else the last one; `nil` before the first ends.
        var requestDurationSeconds: Double?
        /// Resident set size, or `nil` if the process could not be read.
        var residentBytes: Int?
        /// When it started, in seconds since 1970.
        var startTime: Double
        /// How long it has run.
        var uptimeSeconds: Double
    }

    /// The program the workers run, as given.
    var program: String
    /// Where the pool listens (`unix:PATH` or `fastcgi://HOST:PORT`).
    var listen: String
    /// When the manager started, in seconds since 1970.
    var startTime: Double
    /// How long the manager has run.
    var uptimeSeconds: Double
    /// Requests the workers began since start-up, those of workers since ended included.
    var acceptedRequests: Int
    /// Connections waiting to be accepted now; `nil` when the system cannot tell.
    var listenQueue: Int?
    /// Most connections seen waiting; `nil` when the system cannot tell.
    var listenQueueMax: Int?
    /// The backlog; `nil` when the system cannot tell.
    var listenQueueLength: Int?
    /// Serving workers between requests.
    var idle: Int
    /// Workers in a request.
    var active: Int
    /// Workers asked to finish.
    var draining: Int
    /// Every worker process.
    var total: Int
    /// `--workers`.
    var maxChildren: Int
    /// Status reads that found a request begun and then no worker idle.
    var maxChildrenReached: Int
    /// Serving workers by slot, then draining ones by pid.
    var workers: [Worker]

    /// The report of `snapshot` with the queue read with it, at `now`; each worker's memory is read now.
    init(
        snapshot: PoolStatusBoard.Snapshot, queue: ListenQueue.Reading?, pool: PoolStatusReport.Pool,
        now: ContinuousClock.Instant = .now, wallNow: Double = PoolStatusReport.wallClock()
    ) {
        func wall(_ instant: ContinuousClock.Instant) -> Double { wallNow - Self.seconds(now - instant) }
        program = pool.program
        listen = pool.listen
        startTime = wall(pool.startedAt)
        uptimeSeconds = Self.seconds(now - pool.startedAt)
        acceptedRequests = snapshot.acceptedRequests
        listenQueue = queue?.waiting
        listenQueueMax = queue == nil ? nil : snapshot.listenQueueMax
        listenQueueLength = queue?.limit
        maxChildren = pool.maxChildren
        maxChildrenReached = snapshot.maxChildrenReached
        workers = snapshot.workers.map { line in
            let duration = line.busySince.map { now - $0 } ?? line.lastRequest
            return Worker(
                slot: line.slot, pid: line.pid, state: line.state, requests: line.requests,
                requestDurationSeconds: duration.map(Self.seconds), residentBytes: ProcessMemory.residentBytes(of: line.pid),
                startTime: wall(line.startedAt), uptimeSeconds: Self.seconds(now - line.startedAt))
        }.sorted { ($0.slot ?? Int.max, $0.pid) < ($1.slot ?? Int.max, $1.pid) }
        idle = workers.count { $0.state == .idle }
        active = workers.count { $0.state == .busy }
        draining = workers.count { $0.state == .draining }
        total = workers.count
    }

    /// What does not change while the pool runs.
    struct Pool: Sendable {
        /// The program, as given.
        var program: String
        /// Where the pool listens, as printed.
        var listen: String
        /// `--workers`.
        var maxChildren: Int
        /// When the manager started.
        var startedAt: ContinuousClock.Instant
    }

    /// Seconds since 1970, now.
    static func wallClock() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
