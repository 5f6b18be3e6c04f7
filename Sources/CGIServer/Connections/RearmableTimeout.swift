import NIOCore

/// A timeout that is re-armed far more often than it expires: a connection's request timeout
/// (twice per request on a kept-alive connection), a script's idle timeout (at every piece of
/// output). Rather than a scheduled task per arming, one task stays scheduled while the deadline
/// only moves later; when it runs before the current deadline, it schedules itself again for the
/// rest. Used on its event loop only.
final class RearmableTimeout {
    private let loop: any EventLoop
    private let expired: () -> Void
    /// When the timeout expires; `nil` while disarmed.
    private var deadline: NIODeadline?
    /// The task that checks the deadline, and when it runs.
    private var check: (task: Scheduled<Void>, at: NIODeadline)?

    /// A disarmed timeout on `loop` that calls `expired` when a deadline passes.
    init(loop: any EventLoop, expired: @escaping () -> Void) {
        self.loop = loop
        self.expired = expired
    }

    /// Expires `delay` from now (replacing any earlier deadline) unless disarmed or re-armed first.
    func arm(_ delay: TimeAmount) {
        let deadline = NIODeadline.now() + delay
        self.deadline = deadline
        if let check, check.at <= deadline { return }
        check?.task.cancel()
        scheduleCheck(at: deadline)
    }

    /// Will not expire until armed again.
    func disarm() {
        deadline = nil
    }

    /// Disarms and drops the scheduled check (its owner is done).
    func stop() {
        deadline = nil
        check?.task.cancel()
        check = nil
    }

    private func scheduleCheck(at time: NIODeadline) {
        let task = loop.assumeIsolated().scheduleTask(deadline: time) { [self] in
            check = nil
            guard let deadline else { return }
            if deadline > .now() { return scheduleCheck(at: deadline) }
            self.deadline = nil
            expired()
        }
        check = (task, time)
    }
}
