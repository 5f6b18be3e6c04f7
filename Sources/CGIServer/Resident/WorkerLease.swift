import Glibc

/// One request's hold on a resident worker: the worker's own unix socket, to connect to and
/// send one FastCGI request on, or a connection an earlier request left open on the requesting
/// event loop. Hand it back with ``ResidentPool/release(_:outcome:keeping:)``
/// exactly once.
struct WorkerLease: Sendable {
    /// The worker's listening socket file (in the server's private 0700 folder).
    let socketPath: String
    /// The worker's process id, for log lines.
    let pid: pid_t
    /// A connection to the worker kept from an earlier request (FCGI_KEEP_CONN), on the event
    /// loop the lease was asked on; nil when a new connection is needed.
    var connection: FastCGIConnection?
    /// Whether the new connection should first ask the worker how many connections it holds at
    /// once (GET_VALUES `FCGI_MAX_CONNS`), to tell the pool with
    /// ``ResidentPool/learn(connectionLimit:of:)``.
    var asksConnectionLimit = false

    /// How the request on a leased worker went.
    enum Outcome: Sendable {
        /// The worker answered (END_REQUEST): it may take the next request.
        case completed
        /// The worker refused the connection or closed it before its first STDOUT byte: it is
        /// killed, and the caller may retry on another worker while the body is unconsumed.
        case broken
        /// The request ran past the script timeout: the worker is killed (the client gets 504).
        case stuck
    }
}
