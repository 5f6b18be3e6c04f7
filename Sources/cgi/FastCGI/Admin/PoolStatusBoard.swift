import CGIGateway
import Glibc
import Synchronization

/// Where the manager posts what the admin listener shows (`cgi fastcgi --admin`): a snapshot
/// of the workers and the pool's counters behind a lock. The manager writes it from its own
/// loop, only when something changed (a status read that found bytes, a worker started or
/// ended); the admin listener's thread reads it when a request asks, so an admin listener
/// nobody asks costs the manager no wake-up.
///
/// The listening socket's queue is read under the same lock, so that it is never read after
/// the manager closed the socket (``close()``).
final class PoolStatusBoard: Sendable {
    /// What the board holds.
    struct Snapshot: Sendable {
        /// Requests the workers began since start-up (their status pipes' `B` bytes).
        var acceptedRequests = 0
        /// Status reads that found a request begun and then no serving worker idle.
        var maxChildrenReached = 0
        /// The longest accept queue seen, by the manager while every worker was busy or by a reader.
        var listenQueueMax: Int?
        /// The workers, draining ones included.
        var workers: [WorkerLine] = []
    }

    private struct State {
        var snapshot = Snapshot()
        /// The slot of each serving worker that has one.
        var slots: [pid_t: Int] = [:]
        var socketOpen = true
    }

    /// The pool's size (`--workers`): the slots are `0..<maxChildren`.
    let maxChildren: Int
    private let queue: ListenQueue
    private let state = Mutex(State())

    /// A board for a pool of `maxChildren` workers on the socket `queue` reads.
    init(maxChildren: Int, queue: ListenQueue) {
        self.maxChildren = maxChildren
        self.queue = queue
    }

    /// After a status read in which `began` requests began: counts them, counts the pool as
    /// full when they left no serving worker idle, and, while it is full, samples the socket's
    /// queue (it can only grow then). Returns whether the pool is full.
    func statusRead(_ workers: [Worker], began: Int) -> Bool {
        state.withLock { state in
            publish(workers, into: &state)
            state.snapshot.acceptedRequests += began
            let serving = state.snapshot.workers.filter { $0.state != .draining }
            let full = serving.count >= maxChildren && serving.allSatisfy { $0.state == .busy }
            if full && began > 0 { state.snapshot.maxChildrenReached += 1 }
            if full { _ = sampleQueue(&state) }
            return full
        }
    }

    /// After a worker started, ended or was asked to drain; `began` counts requests that
    /// workers which ended had begun since the last status read.
    func publish(_ workers: [Worker], began: Int = 0) {
        state.withLock { state in
            publish(workers, into: &state)
            state.snapshot.acceptedRequests += began
        }
    }

    /// The manager is about to close the listening socket: no read of its queue after this.
    func close() {
        state.withLock { $0.socketOpen = false }
    }

    /// The snapshot and the socket's queue now (`nil` when the system cannot tell or the socket is closed).
    func read() -> (snapshot: Snapshot, queue: ListenQueue.Reading?) {
        state.withLock { state in
            let reading = sampleQueue(&state)
            return (state.snapshot, reading)
        }
    }

    private func sampleQueue(_ state: inout State) -> ListenQueue.Reading? {
        guard state.socketOpen, let reading = queue.read() else { return nil }
        state.snapshot.listenQueueMax = max(state.snapshot.listenQueueMax ?? 0, reading.waiting)
        return reading
    }

    /// Rebuilds the worker lines: a serving worker keeps its slot, one that no longer serves
    /// gives it up, and a new one takes the lowest free slot (none while more than
    /// ``maxChildren`` serve, as for a moment during a SIGHUP).
    private func publish(_ workers: [Worker], into state: inout State) {
        let serving = Set(workers.filter(\.isServing).map(\.pid))
        state.slots = state.slots.filter { serving.contains($0.key) }
        var free = Set(0..<maxChildren).subtracting(state.slots.values)
        for worker in workers where worker.isServing && state.slots[worker.pid] == nil {
            guard let slot = free.min() else { break }
            free.remove(slot)
            state.slots[worker.pid] = slot
        }
        state.snapshot.workers = workers.map { WorkerLine($0, slot: state.slots[$0.pid]) }
    }
}
