/// Percentiles of a set of durations, by the nearest-rank method: the p-th percentile is the
/// smallest value with at least p % of the values at or below it.
struct Percentiles: Sendable, Equatable {
    /// The 50th, 90th and 99th percentiles in seconds; nil when there are no values.
    var p50: Double?
    var p90: Double?
    var p99: Double?

    /// The percentiles of `nanoseconds`.
    init(nanoseconds: [Int64]) {
        let sorted = nanoseconds.sorted()
        func rank(_ percent: Int) -> Double? {
            guard !sorted.isEmpty else { return nil }
            let index = (percent * sorted.count + 99) / 100 - 1
            return Double(sorted[max(0, index)]) / 1e9
        }
        p50 = rank(50)
        p90 = rank(90)
        p99 = rank(99)
    }
}
