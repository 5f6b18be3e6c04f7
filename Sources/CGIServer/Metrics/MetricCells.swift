import CoreMetrics
import Prometheus
import Synchronization

/// A counter that counts twice: in its Prometheus series, and in a value the status page reads.
final class CounterCell: CounterHandler {
    private let series: Prometheus.Counter
    private let count = Atomic<Int64>(0)

    init(_ series: Prometheus.Counter) {
        self.series = series
    }

    /// The count so far.
    var value: Int64 { count.load(ordering: .relaxed) }

    func increment(by amount: Int64) {
        series.increment(by: amount)
        count.add(amount, ordering: .relaxed)
    }

    func reset() {
        series.reset()
        count.store(0, ordering: .relaxed)
    }
}

/// A gauge (a swift-metrics meter) with a value the status page reads.
final class GaugeCell: MeterHandler {
    private let series: Prometheus.Gauge
    private let current = Mutex<Double>(0)

    init(_ series: Prometheus.Gauge) {
        self.series = series
    }

    /// The value now.
    var value: Double { current.withLock { $0 } }

    func set(_ value: Int64) { set(Double(value)) }

    func set(_ value: Double) {
        current.withLock { $0 = value }
        series.set(value)
    }

    func increment(by amount: Double) {
        current.withLock { $0 += amount }
        series.increment(by: amount)
    }

    func decrement(by amount: Double) {
        current.withLock { $0 -= amount }
        series.decrement(by: amount)
    }
}

/// A timer: a Prometheus histogram, and the most recent durations, from which the status page
/// reads percentiles of the last requests (not of all since start-up).
final class TimerCell: TimerHandler {
    /// How many recent durations are kept.
    static let window = 1024

    private let series: DurationHistogram
    private let recent = Mutex<(samples: [Int64], next: Int, total: Int64)>(([], 0, 0))

    init(_ series: DurationHistogram) {
        self.series = series
    }

    func recordNanoseconds(_ duration: Int64) {
        series.recordNanoseconds(duration)
        recent.withLock { state in
            if state.samples.count < Self.window {
                state.samples.append(duration)
            } else {
                state.samples[state.next] = duration
            }
            state.next = (state.next + 1) % Self.window
            state.total += 1
        }
    }

    /// The recent durations in nanoseconds (in no order), and how many were recorded since start-up.
    var samples: (recent: [Int64], total: Int64) {
        recent.withLock { ($0.samples, $0.total) }
    }
}
