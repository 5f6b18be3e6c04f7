import CoreMetrics

/// The metrics of one resident-script worker pool (`--resident`), for the pool to fill: workers
/// by state, restarts, recycles, retries, OVERLOADED answers and connections made, labelled by the pool's name (one
/// per configured script, so the series stay few). The status page lists every pool that has one.
struct PoolMetrics: Sendable {
    /// Workers answering a request now.
    let busyWorkers: Meter
    /// Workers waiting for a request.
    let idleWorkers: Meter
    /// Workers started again after they ended on their own.
    let restarts: Counter
    /// Workers replaced after their request limit.
    let recycles: Counter
    /// Requests sent again to another worker.
    let retries: Counter
    /// Requests answered as overloaded (`FCGI_OVERLOADED`, FastCGI 1.0 §5.5).
    let overloaded: Counter
    /// Connections made to the pool's workers (a request on a kept connection makes none).
    let connections: Counter

    /// The metrics of the pool named `pool`, made by the server's factory.
    init(pool: String, metrics: ServerMetrics) {
        let factory = metrics.factory
        func counter(_ name: MetricName) -> Counter {
            Counter(label: name.rawValue, dimensions: [("pool", pool)], factory: factory)
        }
        func workers(_ state: String) -> Meter {
            Meter(label: MetricName.poolWorkers.rawValue, dimensions: [("pool", pool), ("state", state)], factory: factory)
        }
        busyWorkers = workers("busy")
        idleWorkers = workers("idle")
        restarts = counter(.poolRestarts)
        recycles = counter(.poolRecycles)
        retries = counter(.poolRetries)
        overloaded = counter(.poolOverloaded)
        connections = counter(.poolConnections)
    }
}
