import Prometheus
import Synchronization

/// `/metrics` for `cgi fastcgi --admin`: swift-prometheus series set from a ``PoolStatusReport``
/// each time they are asked for (the manager records nothing itself). The series are made once:
/// the pool's, one per process state, and one per slot for each per-worker metric.
final class PoolMetrics: Sendable {
    private let registry: PrometheusCollectorRegistry
    private let acceptedRequests: Counter
    private let maxChildrenReached: Counter
    private let listenQueue: Gauge
    private let listenQueueMax: Gauge
    private let listenQueueLength: Gauge
    private let maxChildren: Gauge
    private let processes: [WorkerLine.State: Gauge]
    private let slots: [(requests: Gauge, busy: Gauge, duration: Gauge, memory: Gauge, started: Gauge)]
    /// One report at a time is written into the series, and emitted before the next; false once
    /// the queue's series were removed because the system cannot tell the queue.
    private let emitting = Mutex(true)

    /// The series of a pool of `workers` slots.
    init(workers: Int) {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        func counter(_ name: PoolMetricName) -> Counter { registry.makeCounter(name: name.rawValue, help: name.help) }
        func gauge(_ name: PoolMetricName, _ labels: [(String, String)] = []) -> Gauge {
            registry.makeGauge(name: name.rawValue, labels: labels, help: name.help)
        }
        acceptedRequests = counter(.acceptedRequests)
        maxChildrenReached = counter(.maxChildrenReached)
        listenQueue = gauge(.listenQueue)
        listenQueueMax = gauge(.listenQueueMax)
        listenQueueLength = gauge(.listenQueueLength)
        maxChildren = gauge(.maxChildren)
        var processes: [WorkerLine.State: Gauge] = [:]
        for state in [WorkerLine.State.idle, .busy, .draining] {
            processes[state] = gauge(.processes, [("state", state.rawValue)])
        }
        self.processes = processes
        slots = (0..<workers).map { slot in
            let label = [("slot", String(slot))]
            return (
                gauge(.workerRequests, label), gauge(.workerBusy, label), gauge(.workerRequestDuration, label),
                gauge(.workerResidentMemory, label), gauge(.workerStartTime, label)
            )
        }
    }

    /// `report` in the Prometheus text format. When the system cannot tell the accept queue (a
    /// kernel without unix_diag), its series are left out rather than shown as 0.
    func text(_ report: PoolStatusReport) -> [UInt8] {
        emitting.withLock { queueShown in
            if queueShown, report.listenQueueLength == nil {
                registry.unregisterGauge(listenQueue)
                registry.unregisterGauge(listenQueueMax)
                registry.unregisterGauge(listenQueueLength)
                queueShown = false
            }
            acceptedRequests.reset()
            acceptedRequests.increment(by: Int64(report.acceptedRequests))
            maxChildrenReached.reset()
            maxChildrenReached.increment(by: Int64(report.maxChildrenReached))
            listenQueue.set(Int64(report.listenQueue ?? 0))
            listenQueueMax.set(Int64(report.listenQueueMax ?? 0))
            listenQueueLength.set(Int64(report.listenQueueLength ?? 0))
            maxChildren.set(Int64(report.maxChildren))
            processes[.idle]?.set(Int64(report.idle))
            processes[.busy]?.set(Int64(report.active))
            processes[.draining]?.set(Int64(report.draining))
            for (slot, series) in slots.enumerated() {
                let worker = report.workers.first { $0.slot == slot }
                series.requests.set(Int64(worker?.requests ?? 0))
                series.busy.set(Int64(worker?.state == .busy ? 1 : 0))
                series.duration.set(worker?.requestDurationSeconds ?? 0)
                series.memory.set(Int64(worker?.residentBytes ?? 0))
                series.started.set(worker?.startTime ?? 0)
            }
            return registry.emitToBuffer()
        }
    }
}
