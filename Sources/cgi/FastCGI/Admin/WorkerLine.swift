import CGIGateway
import Glibc

/// One worker as the manager last published it for the admin listener (`--admin`).
struct WorkerLine: Sendable {
    /// What the worker is doing, as its status pipe last said.
    enum State: String, Sendable {
        /// Between requests, waiting to accept one.
        case idle
        /// In a request.
        case busy
        /// Asked to finish (recycled, replaced by SIGHUP, or the manager stopping): no longer
        /// counts towards the pool's size.
        case draining
    }

    /// Its place in the pool, `0..<--workers`, which the Prometheus series are labelled by (a
    /// replacement takes the slot of the worker it replaces, so the series stay as many as the
    /// pool's size); `nil` for a draining worker.
    var slot: Int?
    /// The process id.
    var pid: pid_t
    /// Idle, busy or draining.
    var state: State
    /// Requests it began, as its status pipe reported.
    var requests: Int
    /// When the request in progress began (seen at a status read), if busy.
    var busySince: ContinuousClock.Instant?
    /// How long its last finished request took, at the status read's resolution.
    var lastRequest: Duration?
    /// When it was started.
    var startedAt: ContinuousClock.Instant

    /// The line for `worker` in `slot`.
    init(_ worker: Worker, slot: Int?) {
        self.slot = slot
        pid = worker.pid
        state = !worker.isServing ? .draining : worker.busySince == nil ? .idle : .busy
        requests = worker.requests
        busySince = worker.busySince
        lastRequest = worker.lastRequestDuration
        startedAt = worker.startedAt
    }
}
