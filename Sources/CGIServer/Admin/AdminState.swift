import CGIAdmin
import NIOConcurrencyHelpers
import NIOCore

/// What the admin listener reads: the metrics registry, and the live values it samples into
/// gauges when asked (scripts running and queued, open connections, the spool), which costs the
/// requests nothing.
final class AdminState: AdminPages {
    let registry: MetricsRegistry
    private let server: ServerContext
    private let connections: ConnectionRegistry
    private let started = NIODeadline.now()
    /// The request count and time of the previous status report, and the rate it showed.
    private let lastReport = NIOLockedValueBox<(time: NIODeadline, requests: Int64, rate: Double)?>(nil)

    init(registry: MetricsRegistry, server: ServerContext, connections: ConnectionRegistry) {
        self.registry = registry
        self.server = server
        self.connections = connections
    }

    /// The metrics in the Prometheus text format (version 0.0.4).
    func metricsText() -> [UInt8] {
        sampleGauges()
        return registry.prometheus.emitToBuffer()
    }

    /// The status now.
    func report() -> StatusReport {
        sampleGauges()
        let now = NIODeadline.now()
        let uptime = Double((now - started).nanoseconds) / 1e9
        return StatusReport(registry: registry, recentErrors: server.recentErrors, uptime: uptime) { requests in
            lastReport.withLockedValue { last in
                // The rate since the previous report, once at least a second has passed.
                guard let previous = last else {
                    let rate = uptime > 0 ? Double(requests) / uptime : 0
                    last = (now, requests, rate)
                    return rate
                }
                let elapsed = Double((now - previous.time).nanoseconds) / 1e9
                guard elapsed >= 1 else { return previous.rate }
                let rate = Double(requests - previous.requests) / elapsed
                last = (now, requests, rate)
                return rate
            }
        }
    }

    /// The status report as JSON (`/status?format=json`).
    func statusJSON() -> String { report().json }

    /// The status report as a page that reloads itself (`/status`).
    func statusHTML() -> String { report().html }

    private func sampleGauges() {
        let metrics = server.metrics
        metrics.scriptsRunning.set(server.scriptSlots.running)
        metrics.scriptsQueued.set(server.scriptSlots.queued)
        metrics.openConnections.set(connections.count)
        let spool = SpoolBudget.process.use
        metrics.spoolBytes.set(spool.used)
        metrics.spoolLimitBytes.set(spool.limit == Int.max ? 0 : spool.limit)
    }
}
