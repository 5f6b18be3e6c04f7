import CoreMetrics
import NIOConcurrencyHelpers
import Prometheus

/// The server's swift-metrics factory: every metric is a Prometheus series in ``prometheus``
/// (what `/metrics` shows), and a cell the status page can read back. Each metric name has its
/// help text here (``MetricName``), which Prometheus prints as `# HELP`.
final class MetricsRegistry: MetricsFactory {
    /// The series, in the Prometheus text format on demand.
    let prometheus = PrometheusCollectorRegistry()
    private let cells = NIOLockedValueBox<[Key: any AnyObject & Sendable]>([:])

    /// A metric's name and labels, which identify its cell.
    private struct Key: Hashable {
        var label: String
        var dimensions: [String]

        init(_ label: String, _ dimensions: [(String, String)]) {
            self.label = label
            self.dimensions = dimensions.flatMap { [$0.0, $0.1] }
        }
    }

    /// The buckets of every duration histogram, from 1 ms to 30 s.
    static let durationBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5),
        .seconds(10), .seconds(30),
    ]

    private func descriptor(_ label: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: label, unitName: "", helpText: MetricName(rawValue: label)?.help ?? label)
    }

    private func cell<Cell: AnyObject & Sendable>(_ label: String, _ dimensions: [(String, String)], make: () -> Cell) -> Cell {
        cells.withLockedValue { cells in
            let key = Key(label, dimensions)
            if let cell = cells[key] as? Cell { return cell }
            let cell = make()
            cells[key] = cell
            return cell
        }
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        cell(label, dimensions) { CounterCell(prometheus.makeCounter(descriptor: descriptor(label), labels: dimensions)) }
    }

    func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        cell(label, dimensions) { GaugeCell(prometheus.makeGauge(descriptor: descriptor(label), labels: dimensions)) }
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        cell(label, dimensions) {
            TimerCell(
                prometheus.makeDurationHistogram(descriptor: descriptor(label), labels: dimensions, buckets: Self.durationBuckets)
            )
        }
    }

    func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        prometheus.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        guard aggregate else { return prometheus.makeGauge(descriptor: descriptor(label), labels: dimensions) }
        return prometheus.makeValueHistogram(
            descriptor: descriptor(label), labels: dimensions, buckets: [0.001, 0.01, 0.1, 1, 10, 100, 1000])
    }

    // The server's metrics live as long as the server.
    func destroyCounter(_ handler: any CounterHandler) {}
    func destroyMeter(_ handler: any MeterHandler) {}
    func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {}
    func destroyRecorder(_ handler: any RecorderHandler) {}
    func destroyTimer(_ handler: any TimerHandler) {}

    // MARK: Reading back

    /// Every counter named `name`, with its labels as a dictionary.
    func counters(_ name: MetricName) -> [(labels: [String: String], value: Int64)] {
        read(name) { (cell: CounterCell) in cell.value }
    }

    /// Every gauge named `name`.
    func gauges(_ name: MetricName) -> [(labels: [String: String], value: Double)] {
        read(name) { (cell: GaugeCell) in cell.value }
    }

    /// Every timer named `name`: its recent durations and its count.
    func timers(_ name: MetricName) -> [(labels: [String: String], value: (recent: [Int64], total: Int64))] {
        read(name) { (cell: TimerCell) in cell.samples }
    }

    private func read<Cell, Value>(_ name: MetricName, _ value: (Cell) -> Value) -> [(labels: [String: String], value: Value)] {
        let matching = cells.withLockedValue { cells in
            cells.compactMap { key, cell in key.label == name.rawValue ? (cell as? Cell).map { (key, $0) } : nil }
        }
        return matching.map { key, cell in
            let pairs = stride(from: 0, to: key.dimensions.count, by: 2).map { (key.dimensions[$0], key.dimensions[$0 + 1]) }
            return (labels: Dictionary(pairs) { $1 }, value: value(cell))
        }
    }
}
