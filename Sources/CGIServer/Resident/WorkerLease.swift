import Glibc

/// One request's hold on a resident worker: the worker's own unix socket, to connect to and
/// send one FastCGI request on. Hand it back with ``ResidentPool/release(_:outcome:)`` exactly once.
struct WorkerLease: Sendable {
    /// The worker's listening socket file (in the server's private 0700 folder).
    let socketPath: String
    /// The worker's process id, for log lines.
    let pid: pid_t

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
