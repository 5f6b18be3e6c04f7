/// What `/status` shows, read from the metrics at one moment: the same numbers as `/metrics`,
/// with the rates and percentiles a person wants to see at a glance.
struct StatusReport: Sendable {
    /// One responder's line.
    struct Responder: Sendable {
        var kind: ResponderKind
        var requests: Int64
        /// Responses by status class (`2xx`, …).
        var byStatusClass: [String: Int64]
        /// Of the last ``TimerCell/window`` requests.
        var latency: Percentiles
    }

    /// One resident-script pool's line.
    struct Pool: Sendable {
        var name: String
        var busy: Int
        var idle: Int
        var restarts: Int64
        var recycles: Int64
        var retries: Int64
        var overloaded: Int64
    }

    var uptimeSeconds: Double
    var requests: Int64
    /// Requests per second since the previous report (or since start-up for the first).
    var requestsPerSecond: Double
    var responders: [Responder]
    var openConnections: Int
    var scriptsRunning: Int
    var scriptsQueued: Int
    var scriptsStarted: Int64
    var scriptsTimedOut: Int64
    var scriptsStopped: Int64
    /// Scripts that crashed, by signal name.
    var scriptsCrashed: [String: Int64]
    var compileCacheHits: Int64
    var compileCacheMisses: Int64
    var compileFailures: Int64
    var spoolBytes: Int
    var spoolLimitBytes: Int
    var pools: [Pool]
    var recentErrors: [RecentErrors.Entry]

    /// The report of what `registry` holds now; `rate` turns the request count into requests per second.
    init(registry: MetricsRegistry, recentErrors: RecentErrors, uptime: Double, rate: (Int64) -> Double) {
        func sum(_ name: MetricName, where match: ([String: String]) -> Bool = { _ in true }) -> Int64 {
            registry.counters(name).filter { match($0.labels) }.reduce(0) { $0 + $1.value }
        }
        func gauge(_ name: MetricName, where match: ([String: String]) -> Bool = { _ in true }) -> Int {
            Int(registry.gauges(name).filter { match($0.labels) }.reduce(0) { $0 + $1.value })
        }
        let requestCounters = registry.counters(.requests)
        let timers = registry.timers(.requestDuration)
        responders = ResponderKind.allCases.map { kind in
            var byClass: [String: Int64] = [:]
            for counter in requestCounters where counter.labels["responder"] == kind.rawValue {
                byClass[counter.labels["status_class"] ?? "", default: 0] += counter.value
            }
            let samples = timers.first { $0.labels["responder"] == kind.rawValue }?.value.recent ?? []
            return Responder(
                kind: kind, requests: byClass.values.reduce(0, +), byStatusClass: byClass,
                latency: Percentiles(nanoseconds: samples))
        }
        requests = responders.reduce(0) { $0 + $1.requests }
        requestsPerSecond = rate(requests)
        uptimeSeconds = uptime
        openConnections = gauge(.openConnections)
        scriptsRunning = gauge(.scriptsRunning)
        scriptsQueued = gauge(.scriptsQueued)
        scriptsStarted = sum(.scriptsStarted)
        scriptsTimedOut = sum(.scriptsTimedOut)
        scriptsStopped = sum(.scriptsStopped)
        scriptsCrashed = Dictionary(
            registry.counters(.scriptsCrashed).map { ($0.labels["signal"] ?? "", $0.value) }, uniquingKeysWith: +)
        compileCacheHits = sum(.compileCacheHits)
        compileCacheMisses = sum(.compileCacheMisses)
        compileFailures = sum(.compileFailures)
        spoolBytes = gauge(.spoolBytes)
        spoolLimitBytes = gauge(.spoolLimitBytes)
        let poolNames = Set(registry.gauges(.poolWorkers).compactMap { $0.labels["pool"] }).sorted()
        pools = poolNames.map { name in
            let inPool: ([String: String]) -> Bool = { $0["pool"] == name }
            return Pool(
                name: name, busy: gauge(.poolWorkers) { inPool($0) && $0["state"] == "busy" },
                idle: gauge(.poolWorkers) { inPool($0) && $0["state"] == "idle" }, restarts: sum(.poolRestarts, where: inPool),
                recycles: sum(.poolRecycles, where: inPool), retries: sum(.poolRetries, where: inPool),
                overloaded: sum(.poolOverloaded, where: inPool))
        }
        self.recentErrors = recentErrors.all
    }
}
