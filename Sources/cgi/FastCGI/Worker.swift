import CGIGateway
import Glibc

/// One worker process and what the manager knows of it.
struct Worker {
    let process: ScriptProcess
    /// The `SIGHUP` generation it belongs to: older generations are drained.
    let generation: Int
    let startedAt: ContinuousClock.Instant
    /// The manager's end of the worker's status pipe; -1 (which poll(2) skips) once the worker
    /// closed its end.
    private(set) var statusPipe: Int32
    /// Requests begun, as the status pipe reported.
    var requests = 0
    /// When the request in progress began, or `nil` between requests.
    var busySince: ContinuousClock.Instant?
    /// Set once the worker was asked to finish (SIGTERM): it no longer counts towards `--workers`,
    /// and past this instant it is killed.
    var drainDeadline: ContinuousClock.Instant?
    /// Set when the manager killed the worker for a request past `--request-timeout`.
    var killedForTimeout = false

    var pid: pid_t { process.pid }

    /// Asks the worker to finish its request and exit, and gives it until `deadline`.
    mutating func drain(until deadline: ContinuousClock.Instant) {
        guard drainDeadline == nil else { return }
        drainDeadline = deadline
        process.signalGroup(SIGTERM)
    }

    /// Closes the manager's end of the status pipe.
    mutating func closeStatusPipe() {
        if statusPipe >= 0 { close(statusPipe) }
        statusPipe = -1
    }

    /// Reads everything the status pipe holds and updates the request count and busy time.
    /// The pipe is read on the manager's status tick, so `now` is at most a tick after the
    /// request began.
    mutating func readStatus(now: ContinuousClock.Instant) {
        var bytes = [UInt8](repeating: 0, count: 4096)
        while statusPipe >= 0 {
            let count = bytes.withUnsafeMutableBytes { read(statusPipe, $0.baseAddress, $0.count) }
            if count == 0 { closeStatusPipe() }
            for byte in bytes.prefix(max(count, 0)) {
                switch WorkerStatus(rawValue: byte) {
                case .began: requests += 1; busySince = now
                case .ended: busySince = nil
                case nil: break
                }
            }
            if count < bytes.count { return }
        }
    }
}
