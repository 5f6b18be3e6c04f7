import Glibc

/// The responder loop of a FastCGI process: it accepts connections on the listening socket
/// and hands out requests one at a time, from whichever connection has one.
///
/// One `poll(2)` watches the listening socket and every open connection, so a connection the
/// web server keeps open between requests (nginx's `keepalive`) never holds the process:
/// a request on any other connection is served as soon as it arrives.
///
/// A wake-up accepts at most one connection, and when a request is ready too, only if the
/// wake-up before did not accept: a process busy in a handler accepts nothing, and one about
/// to be busy rarely, so processes sharing the listening socket share a front's connections
/// instead of one taking them all while the others idle; yet a stream of requests on open
/// connections never keeps a new connection waiting for long.
///
/// The server follows a process manager's conventions (``FastCGIManagerConventions``): it
/// reports each request's beginning and end, and stops after the requests it was allowed.
final class FastCGIServer {
    private let listener: Int32
    private let limits: FastCGILimits
    /// The format of the answer to a request refused before it reaches the handler.
    private let rejections: RejectionFormat
    private var connections: [FastCGIConnection] = []
    /// Where the next scan of the connections starts, so that a busy one cannot starve the
    /// others.
    private var nextScan = 0
    /// The process environment's error reporting variables.
    private let processReporting: [String: String]
    /// Set when `accept` ran out of descriptors: the listening socket is not watched again
    /// until a connection closes (it would stay readable, and the poll would spin).
    private var acceptPaused = false
    /// Whether the last wake-up accepted a connection.
    private var acceptedLastTime = false
    /// Set when `accept` failed for good (the listening socket was closed): the process
    /// should end.
    private var listenerFailed = false
    /// What the process manager asked for.
    private let manager: FastCGIManagerConventions
    /// The requests handed out so far.
    private var served = 0
    /// Whether a request was handed out and not yet known to have ended.
    private var handedOut = false

    /// Serves the listening socket `listener`, answering requests refused before they reach
    /// the handler in the format `rejections` chooses.
    /// `manager` holds what a process manager asked for.
    init(
        listener: Int32, limits: FastCGILimits = FastCGILimits(), rejections: RejectionFormat = .byAccept,
        manager: FastCGIManagerConventions = .fromEnvironment()
    ) {
        self.listener = listener
        self.limits = limits
        self.rejections = rejections
        self.manager = manager
        let environment = ProcessEnvironment.current()
        processReporting = environment.filter { FastCGIRequest.reportingVariables.contains($0.key) }
        // Several processes may share the socket: the one that loses the race for a new
        // connection must not block in accept.
        _ = fcntl(listener, F_SETFL, fcntl(listener, F_GETFL) | O_NONBLOCK)
    }

    /// The next request whose PARAMS have arrived, waiting as long as it takes; nil when the
    /// listening socket fails (it was closed), or once SIGTERM arrived or the manager's limit
    /// of requests is reached and the requests already begun were handed out, after which the
    /// process should end. Asking for the next request says that the previous one ended: its
    /// END_REQUEST was sent.
    func nextRequest() -> FastCGIRequest? {
        if handedOut {
            handedOut = false
            manager.report(FastCGIManagerConventions.ended)
        }
        while !listenerFailed {
            let open = connections.count
            connections.removeAll { $0.isClosed }
            if connections.count < open { acceptPaused = false }
            // Records already read (a pipelined request, say) come first.
            if let request = scan({ $0.hasBufferedBytes }) { return handOut(request) }
            let stopping = FastCGILaunch.stopRequested || manager.isReached(served: served)
            if stopping {
                // A request whose BEGIN_REQUEST arrived is still answered; nothing else is.
                for connection in connections where !connection.hasBegunRequest { connection.close() }
                connections.removeAll { $0.isClosed }
                if connections.isEmpty { return nil }
            }
            let accepting = !stopping && connections.count < limits.maxConnections && !acceptPaused
            var waiters = [
                pollfd(fd: accepting ? listener : -1, events: Int16(POLLIN), revents: 0),
                pollfd(fd: stopping ? -1 : FastCGILaunch.stopSignal.read, events: Int16(POLLIN), revents: 0),
            ]
            waiters += connections.map { pollfd(fd: $0.socket, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&waiters, nfds_t(waiters.count), -1)
            if ready < 0 {
                if errno == EINTR { continue }
                StandardError.write("FastCGI: poll failed (errno \(errno)); stopping\n")
                return nil
            }
            if waiters[0].revents & Int16(POLLNVAL | POLLERR) != 0 { return nil }
            let readable = Set(waiters.dropFirst(2).filter { $0.revents != 0 }.map(\.fd))
            let polled = connections.filter { readable.contains($0.socket) }
            for connection in polled { connection.receive() }
            let request = scan({ readable.contains($0.socket) && !$0.isClosed })
            // One accept at most; with a request ready, not on two wake-ups in a row.
            let newConnection = waiters[0].revents & Int16(POLLIN) != 0 && !FastCGILaunch.stopRequested
            acceptedLastTime = newConnection && (request == nil || !acceptedLastTime)
            if acceptedLastTime { acceptOne() }
            if let request { return handOut(request) }
        }
        return nil
    }

    /// Counts `request`, tells the manager it began, and makes it the one ``log(_:separator:)``
    /// writes to.
    private func handOut(_ request: FastCGIRequest) -> FastCGIRequest {
        served += 1
        handedOut = true
        manager.report(FastCGIManagerConventions.began)
        FastCGIRequest.current.withLock { $0 = request }
        return request
    }

    /// Handles the buffered records of the connections that `pick` selects, starting after the
    /// one served last; returns the first request that is ready.
    private func scan(_ pick: (FastCGIConnection) -> Bool) -> FastCGIRequest? {
        let count = connections.count
        for step in 0..<count {
            let connection = connections[(nextScan + step) % count]
            guard pick(connection), let request = connection.handleBufferedRecords() else { continue }
            nextScan = (nextScan + step + 1) % count
            return request
        }
        return nil
    }

    /// Accepts one waiting connection, unless the limit of open connections is reached; sets
    /// ``listenerFailed`` when the listening socket is unusable.
    private func acceptOne() {
        guard connections.count < limits.maxConnections else { return }
        let socket = accept(listener, nil, nil)
        if socket >= 0 {
            // Not inherited by what the handler might spawn. (Accepted sockets are blocking on
            // Linux, whatever the listening socket is.)
            _ = fcntl(socket, F_SETFD, FD_CLOEXEC)
            connections.append(
                FastCGIConnection(socket: socket, limits: limits, rejections: rejections, processReporting: processReporting))
            return
        }
        switch errno {
        case EAGAIN, EWOULDBLOCK, EINTR, ECONNABORTED, EPROTO:
            // Another process took it, or it went away.
            break
        case EMFILE, ENFILE, ENOBUFS, ENOMEM:
            StandardError.write("FastCGI: cannot accept a connection (errno \(errno)); serving the open ones\n")
            acceptPaused = !connections.isEmpty
        default:
            StandardError.write("FastCGI: the listening socket failed (errno \(errno)); stopping\n")
            listenerFailed = true
        }
    }
}
