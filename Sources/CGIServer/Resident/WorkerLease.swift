import Glibc

/// One request's hold on a resident worker: the worker's own unix socket, to connect to and
/// send one FastCGI request on, and the connection its last request left open, when that one is
/// on the requesting event loop. Hand it back with ``ResidentPool/release(_:outcome:keeping:)``
/// exactly once.
struct WorkerLease: Sendable {
    /// The worker's listening socket file (in the server's private 0700 folder).
    let socketPath: String
    /// The worker's process id, for log lines.
    let pid: pid_t
    /// A connection to the worker kept from its last request (FCGI_KEEP_CONN), on the event loop
    /// the lease was asked on; nil when a new connection is needed.
    var connection: FastCGIConnection?

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
