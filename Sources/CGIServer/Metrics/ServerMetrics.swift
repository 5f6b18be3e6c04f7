import CoreMetrics
import Glibc

/// The server's metrics, recorded through swift-metrics. Every handle is made once at start-up
/// (a handle made per request would look its series up under a lock), so recording is an atomic
/// add, or a short lock for a duration.
///
/// Without `--admin` the factory is swift-metrics' no-op one: nothing is kept.
struct ServerMetrics: Sendable {
    /// Where the handles were made: the ``MetricsRegistry`` when metrics are on.
    let factory: any MetricsFactory
    /// Responses sent, indexed by ``ResponderKind`` and ``StatusClass``.
    private let requests: [ResponderKind: [StatusClass: Counter]]
    /// Request durations, by ``ResponderKind``.
    private let requestDurations: [ResponderKind: Timer]
    let receivedBytes: Counter
    let sentBytes: Counter
    let openConnections: Meter
    let scriptsStarted: Counter
    let scriptsRunning: Meter
    let scriptsQueued: Meter
    let scriptsTimedOut: Counter
    let scriptsStopped: Counter
    let spawnDuration: Timer
    let compileDuration: Timer
    let compileCacheHits: Counter
    let compileCacheMisses: Counter
    let compileFailures: Counter
    let spoolBytes: Meter
    let spoolLimitBytes: Meter

    /// Metrics made by `factory`.
    init(factory: any MetricsFactory) {
        self.factory = factory
        func counter(_ name: MetricName, _ labels: [(String, String)] = []) -> Counter {
            Counter(label: name.rawValue, dimensions: labels, factory: factory)
        }
        func meter(_ name: MetricName) -> Meter { Meter(label: name.rawValue, factory: factory) }
        func timer(_ name: MetricName, _ labels: [(String, String)] = []) -> Timer {
            Timer(label: name.rawValue, dimensions: labels, preferredDisplayUnit: .seconds, factory: factory)
        }
        var requests: [ResponderKind: [StatusClass: Counter]] = [:]
        var durations: [ResponderKind: Timer] = [:]
        for kind in ResponderKind.allCases {
            durations[kind] = timer(.requestDuration, [("responder", kind.rawValue)])
            for status in StatusClass.allCases {
                requests[kind, default: [:]][status] = counter(
                    .requests, [("responder", kind.rawValue), ("status_class", status.label)])
            }
        }
        self.requests = requests
        requestDurations = durations
        receivedBytes = counter(.receivedBytes)
        sentBytes = counter(.sentBytes)
        openConnections = meter(.openConnections)
        scriptsStarted = counter(.scriptsStarted)
        scriptsRunning = meter(.scriptsRunning)
        scriptsQueued = meter(.scriptsQueued)
        scriptsTimedOut = counter(.scriptsTimedOut)
        scriptsStopped = counter(.scriptsStopped)
        spawnDuration = timer(.spawnDuration)
        compileDuration = timer(.compileDuration)
        compileCacheHits = counter(.compileCacheHits)
        compileCacheMisses = counter(.compileCacheMisses)
        compileFailures = counter(.compileFailures)
        spoolBytes = meter(.spoolBytes)
        spoolLimitBytes = meter(.spoolLimitBytes)
    }

    /// Metrics that keep nothing (no `--admin`).
    static let disabled = ServerMetrics(factory: NOOPMetricsHandler.instance)

    /// Counts one response of `responder` with status `code`, which took `nanoseconds`.
    func recordResponse(_ responder: ResponderKind, status code: UInt, nanoseconds: Int64, bodyBytes: Int) {
        requests[responder]?[StatusClass(code: code)]?.increment()
        requestDurations[responder]?.recordNanoseconds(nanoseconds)
        sentBytes.increment(by: bodyBytes)
    }

    /// Counts a script that ended by `signal` although the server did not stop it.
    func recordCrash(signal: Int32) {
        let name = Self.signalNames[signal] ?? "SIG\(signal)"
        Counter(label: MetricName.scriptsCrashed.rawValue, dimensions: [("signal", name)], factory: factory).increment()
    }

    /// The names of the signals a crashed script usually dies of; others are `SIG` and their number.
    private static let signalNames: [Int32: String] = [
        SIGILL: "SIGILL", SIGTRAP: "SIGTRAP", SIGABRT: "SIGABRT", SIGBUS: "SIGBUS", SIGFPE: "SIGFPE", SIGKILL: "SIGKILL",
        SIGSEGV: "SIGSEGV", SIGPIPE: "SIGPIPE", SIGTERM: "SIGTERM", SIGXCPU: "SIGXCPU", SIGXFSZ: "SIGXFSZ", SIGSYS: "SIGSYS",
        SIGINT: "SIGINT", SIGQUIT: "SIGQUIT", SIGHUP: "SIGHUP", SIGALRM: "SIGALRM", SIGUSR1: "SIGUSR1", SIGUSR2: "SIGUSR2",
    ]
}
