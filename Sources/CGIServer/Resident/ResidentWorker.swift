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
    /// Connections its requests ended on, kept for its next requests: at most one per event loop,
    /// and no more than ``connectionLimit``.
    private(set) var keptConnections: [FastCGIConnection] = []
    /// How many connections it holds open at once, as it answered GET_VALUES (`FCGI_MAX_CONNS`);
    /// nil until it answers, and then one is assumed: a worker that reads one connection at a
    /// time must see its kept connection closed before it accepts another.
    var connectionLimit: Int?
    /// Whether a request was sent to ask for ``connectionLimit``.
    var askedForConnectionLimit = false

    /// Whether it may take a request now: serving, free, of `generation`, and below `maxRequests`.
    func isAvailable(generation: Int, maxRequests: Int?) -> Bool {
        worker.isServing && !isLeased && worker.generation == generation && leases < (maxRequests ?? .max)
    }

    /// Whether it keeps an open connection on `loop`.
    func keepsConnection(on loop: any EventLoop) -> Bool {
        keptConnections.contains { $0.channel.eventLoop === loop && $0.channel.isActive }
    }

    /// Its kept connection on `loop`, taken out for a request; otherwise nil, after closing kept
    /// connections until a new one fits within ``connectionLimit``.
    mutating func connection(for loop: any EventLoop) -> FastCGIConnection? {
        keptConnections.removeAll { !$0.channel.isActive }
        if let index = keptConnections.firstIndex(where: { $0.channel.eventLoop === loop }) {
            return keptConnections.remove(at: index)
        }
        while keptConnections.count >= (connectionLimit ?? 1) {
            keptConnections.removeFirst().channel.close(promise: nil)
        }
        return nil
    }

    /// Keeps `connection`, whose request ended cleanly, for a later request on its event loop.
    mutating func keep(_ connection: FastCGIConnection) {
        keptConnections.append(connection)
    }

    /// Closes every kept connection (a worker draining ends once they are closed).
    mutating func closeKeptConnections() {
        for connection in keptConnections { connection.channel.close(promise: nil) }
        keptConnections.removeAll()
    }

    /// Tells the worker to finish and exit by `deadline`, closing its kept connections.
    mutating func drain(until deadline: ContinuousClock.Instant) {
        closeKeptConnections()
        worker.drain(until: deadline)
    }
}
