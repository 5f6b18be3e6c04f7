import NIOConcurrencyHelpers
import NIOCore

/// Caps how many scripts run at once. A request beyond the cap waits in a bounded queue for a
/// free slot; when the queue is full, or the wait is too long, the request gets 503.
final class ScriptSlots: Sendable {
    /// Why no slot was granted.
    enum Refusal: Error {
        /// The queue of waiting requests is full.
        case queueFull
        /// The request waited longer than the queue timeout.
        case waitedTooLong
    }

    private struct State {
        var running = 0
        /// The waiting requests, oldest first; their deadlines grow in the same order.
        var waiting: [(promise: EventLoopPromise<Void>, deadline: NIODeadline)] = []
        /// Whether a sweep of the expired waiters is scheduled.
        var sweepScheduled = false
    }

    private let limit: Int
    private let queueLimit: Int
    private let queueTimeout: TimeAmount
    private let state = NIOLockedValueBox(State())

    init(limit: Int, queueLimit: Int, queueTimeout: TimeAmount) {
        self.limit = max(1, limit)
        self.queueLimit = queueLimit
        self.queueTimeout = queueTimeout
    }

    /// Scripts running (or starting) now.
    var running: Int { state.withLockedValue { $0.running } }

    /// Requests waiting for a slot now.
    var queued: Int { state.withLockedValue { $0.waiting.count } }

    /// Succeeds once a slot is taken for the caller, who must ``release()`` it exactly once.
    ///
    /// A request that waits gets no timer of its own (scheduling and cancelling one per request
    /// costs each event loop a scan of its timers): one sweep at a time, at the oldest waiter's
    /// deadline, fails the requests that waited too long.
    func acquire(on loop: any EventLoop) -> EventLoopFuture<Void> {
        let promise = loop.makePromise(of: Void.self)
        enum Outcome { case granted, refused, queued(sweepAt: NIODeadline?) }
        let outcome = state.withLockedValue { state -> Outcome in
            if state.running < limit {
                state.running += 1
                return .granted
            }
            guard state.waiting.count < queueLimit else { return .refused }
            let deadline = NIODeadline.now() + queueTimeout
            state.waiting.append((promise, deadline))
            guard !state.sweepScheduled else { return .queued(sweepAt: nil) }
            state.sweepScheduled = true
            return .queued(sweepAt: deadline)
        }
        switch outcome {
        case .granted: promise.succeed()
        case .refused: promise.fail(Refusal.queueFull)
        case .queued(let sweepAt): if let sweepAt { scheduleSweep(at: sweepAt, on: loop) }
        }
        return promise.futureResult
    }

    /// Fails the waiters whose deadline passed, then schedules the next sweep while any wait.
    private func scheduleSweep(at deadline: NIODeadline, on loop: any EventLoop) {
        loop.scheduleTask(deadline: deadline) { [self] in
            let (expired, next) = state.withLockedValue { state -> ([EventLoopPromise<Void>], NIODeadline?) in
                let now = NIODeadline.now()
                let count = state.waiting.prefix { $0.deadline <= now }.count
                let expired = state.waiting.prefix(count).map(\.promise)
                state.waiting.removeFirst(count)
                state.sweepScheduled = !state.waiting.isEmpty
                return (expired, state.waiting.first?.deadline)
            }
            for promise in expired { promise.fail(Refusal.waitedTooLong) }
            if let next { scheduleSweep(at: next, on: loop) }
        }
    }

    /// Frees a slot, handing it to the longest-waiting request if there is one.
    func release() {
        let next = state.withLockedValue { state -> EventLoopPromise<Void>? in
            guard !state.waiting.isEmpty else {
                state.running -= 1
                return nil
            }
            return state.waiting.removeFirst().promise
        }
        next?.succeed()
    }
}
