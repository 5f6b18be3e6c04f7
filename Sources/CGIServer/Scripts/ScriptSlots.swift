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
        var nextTicket = 0
        var waiting: [(ticket: Int, promise: EventLoopPromise<Void>)] = []
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
    func acquire(on loop: any EventLoop) -> EventLoopFuture<Void> {
        let promise = loop.makePromise(of: Void.self)
        let queued: Int? = state.withLockedValue { state in
            if state.running < limit {
                state.running += 1
                return nil
            }
            guard state.waiting.count < queueLimit else { return -1 }
            state.nextTicket += 1
            state.waiting.append((state.nextTicket, promise))
            return state.nextTicket
        }
        switch queued {
        case nil:
            promise.succeed()
        case -1:
            promise.fail(Refusal.queueFull)
        case let ticket?:
            loop.scheduleTask(in: queueTimeout) { [self] in
                let expired = state.withLockedValue { state in
                    state.waiting.firstIndex { $0.ticket == ticket }.map { state.waiting.remove(at: $0).promise }
                }
                expired?.fail(Refusal.waitedTooLong)
            }
        }
        return promise.futureResult
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
