import CGIGateway

/// A worker of a resident pool: the ``Worker`` (whose rules the pool applies, as `cgi fastcgi`
/// does), its own socket, and what the pool needs to hand it out one request at a time.
struct ResidentWorker {
    /// The process, its status pipe and the shared rules.
    var worker: Worker
    /// The socket the worker accepts on (its descriptor 0).
    let socketPath: String
    /// Whether a request holds it now.
    var isLeased = false
    /// Requests handed to it. Counted here as well as on the status pipe, whose bytes may lag:
    /// a worker handed `maxRequests` requests gets no more (it exits after them by itself).
    var leases = 0
    /// Since when it has been waiting for a request.
    var idleSince: ContinuousClock.Instant

    /// Whether it may take a request now: serving, free, of `generation`, and below `maxRequests`.
    func isAvailable(generation: Int, maxRequests: Int?) -> Bool {
        worker.isServing && !isLeased && worker.generation == generation && leases < (maxRequests ?? .max)
    }
}
