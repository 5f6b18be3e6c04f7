import CGIGateway
import NIOCore

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
    /// The connection its last request ended on, kept for its next request (on that
    /// connection's event loop); closed when the worker drains or a request on another loop
    /// leases it.
    var keptConnection: FastCGIConnection?

    /// Whether it may take a request now: serving, free, of `generation`, and below `maxRequests`.
    func isAvailable(generation: Int, maxRequests: Int?) -> Bool {
        worker.isServing && !isLeased && worker.generation == generation && leases < (maxRequests ?? .max)
    }

    /// Whether its kept connection is open and belongs to `loop`.
    func keepsConnection(on loop: any EventLoop) -> Bool {
        guard let keptConnection else { return false }
        return keptConnection.channel.eventLoop === loop && keptConnection.channel.isActive
    }

    /// Closes the kept connection, if any (a worker that reads one connection at a time then
    /// accepts the next).
    mutating func closeKeptConnection() {
        keptConnection?.channel.close(promise: nil)
        keptConnection = nil
    }

    /// Tells the worker to finish and exit by `deadline`, closing its kept connection.
    mutating func drain(until deadline: ContinuousClock.Instant) {
        closeKeptConnection()
        worker.drain(until: deadline)
    }
}
