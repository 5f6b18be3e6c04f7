/// How long to wait before starting a worker again when workers die straight after starting (a
/// program that crashes at start-up, a missing library): 0.1 s, doubling up to 10 s, back to no
/// wait once a worker lives a second or begins a request.
package struct RestartBackoff: Sendable {
    /// A worker that ends sooner than this after starting, having begun no request, died "straight after starting".
    package static let quickDeath = Duration.seconds(1)
    /// The first pause.
    package static let first = Duration.milliseconds(100)
    /// The longest pause.
    package static let longest = Duration.seconds(10)

    /// Workers that died straight after starting, in a row.
    package private(set) var quickDeaths = 0

    /// No worker has died yet.
    package init() {}

    /// Records how a worker ended and returns how long to wait before the next start.
    package mutating func workerEnded(livedFor lifetime: Duration, requests: Int) -> Duration {
        guard lifetime < Self.quickDeath, requests == 0 else {
            quickDeaths = 0
            return .zero
        }
        quickDeaths += 1
        return min(Self.first * (1 << min(quickDeaths - 1, 16)), Self.longest)
    }
}
