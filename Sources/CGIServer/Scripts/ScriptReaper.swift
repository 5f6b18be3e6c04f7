import CGIGateway
import Glibc
import NIOCore

/// A spawned script until it is reaped: stops its process group on request (SIGTERM, then SIGKILL
/// after a grace period), notices its exit without blocking the event loop, kills whatever it left
/// running in its group, reaps it and frees its slot. Every script is reaped exactly once.
final class ScriptReaper {
    let process: ScriptProcess
    private let loop: any EventLoop
    private let slots: ScriptSlots
    private let metrics: ServerMetrics
    private let killGrace: TimeAmount
    private var reaped = false
    /// Whether the server asked the script to stop (then a signal is no crash).
    private var stopped = false
    /// How the script ended, once it is reaped.
    private(set) var exitStatus: ExitStatus?
    /// Told how the script ended once it is reaped (see ``whenExited(within:_:)``).
    private var exitWaiters: [(ExitStatus?) -> Void] = []
    private var polling = false
    private var pollDelay = TimeAmount.milliseconds(1)
    /// The next step against a script that does not exit (a stop, or SIGKILL after SIGTERM); cancelled once it is reaped.
    private var escalation: Scheduled<Void>?

    init(process: ScriptProcess, loop: any EventLoop, slots: ScriptSlots, metrics: ServerMetrics, killGrace: TimeAmount) {
        self.process = process
        self.loop = loop
        self.slots = slots
        self.metrics = metrics
        self.killGrace = killGrace
    }

    /// Waits (polling with growing intervals) for the script to exit, then reaps it; stops it
    /// if it is still running after `limit`.
    func reapWhenExited(stoppingAfter limit: TimeAmount) {
        startPolling()
        guard !reaped else { return }
        escalation = loop.assumeIsolated().scheduleTask(in: limit) { [self] in stop() }
    }

    /// Asks the whole group to stop: SIGTERM now, SIGKILL after the grace period; then reaps.
    func stop() {
        guard !reaped else { return }
        if !stopped { metrics.scriptsStopped.increment() }
        stopped = true
        process.signalGroup(SIGTERM)
        escalation?.cancel()
        escalation = loop.assumeIsolated().scheduleTask(in: killGrace) { [self] in
            if !reaped { process.signalGroup(SIGKILL) }
        }
        startPolling()
    }

    private func startPolling() {
        guard !reaped, !polling else { return }
        polling = true
        check()
    }

    /// Whether the script itself (not necessarily its group) has exited.
    var hasExited: Bool { reaped || process.hasExited() }

    /// How the script ended if it has exited (it is reaped now); nil while it runs.
    func exitStatusIfExited() -> ExitStatus? {
        if !reaped, process.hasExited() { check() }
        return exitStatus
    }

    /// Calls `body` with the exit status once the script is reaped, or with nil if it still
    /// runs after `limit`.
    func whenExited(within limit: TimeAmount, _ body: @escaping (ExitStatus?) -> Void) {
        guard !reaped else { return body(exitStatus) }
        var called = false
        let once: (ExitStatus?) -> Void = { status in
            guard !called else { return }
            called = true
            body(status)
        }
        exitWaiters.append(once)
        loop.assumeIsolated().scheduleTask(in: limit) { once(nil) }
        startPolling()
    }

    private func check() {
        guard !reaped else { return }
        if process.hasExited() {
            // Whatever the script left behind in its group (a background child holding a pipe) ends with it.
            process.signalGroup(SIGKILL)
            exitStatus = process.wait()
            reaped = true
            if case .signaled(let signal) = exitStatus, !stopped { metrics.recordCrash(signal: signal) }
            escalation?.cancel()
            slots.release()
            for waiter in exitWaiters { waiter(exitStatus) }
            exitWaiters.removeAll()
            return
        }
        loop.assumeIsolated().scheduleTask(in: pollDelay) { [self] in check() }
        pollDelay = min(pollDelay * 2, .milliseconds(100))
    }
}
