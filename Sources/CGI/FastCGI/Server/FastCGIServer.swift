import Glibc

/// The responder loop of a FastCGI process: it accepts connections on the listening socket
/// and hands out requests one at a time, from whichever connection has one.
///
/// One `poll(2)` watches the listening socket and every open connection, so a connection the
/// web server keeps open between requests (nginx's `keepalive`) never holds the process:
/// a request on any other connection is served as soon as it arrives.
final class FastCGIServer {
    private let listener: Int32
    private let limits: FastCGILimits
    private var connections: [FastCGIConnection] = []
    /// Where the next scan of the connections starts, so that a busy one cannot starve the
    /// others.
    private var nextScan = 0
    /// The process environment's error reporting variables.
    private let processReporting: [String: String]

    /// Serves the listening socket `listener`.
    init(listener: Int32, limits: FastCGILimits = FastCGILimits()) {
        self.listener = listener
        self.limits = limits
        let environment = ProcessEnvironment.current()
        processReporting = environment.filter { FastCGIRequest.reportingVariables.contains($0.key) }
        // Several processes may share the socket: the one that loses the race for a new
        // connection must not block in accept.
        _ = fcntl(listener, F_SETFL, fcntl(listener, F_GETFL) | O_NONBLOCK)
    }

    /// The next request whose PARAMS have arrived, waiting as long as it takes; nil when the
    /// listening socket fails (it was closed), after which the process should end.
    func nextRequest() -> FastCGIRequest? {
        while true {
            connections.removeAll { $0.isClosed }
            // Records already read (a pipelined request, say) come first.
            if let request = scan({ $0.hasBufferedBytes }) { return request }
            var waiters = [pollfd(fd: connections.count < limits.maxConnections ? listener : -1, events: Int16(POLLIN), revents: 0)]
            waiters += connections.map { pollfd(fd: $0.socket, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&waiters, nfds_t(waiters.count), -1)
            if ready < 0 {
                if errno == EINTR { continue }
                StandardError.write("FastCGI: poll failed (errno \(errno)); stopping\n")
                return nil
            }
            if waiters[0].revents & Int16(POLLNVAL | POLLERR) != 0 { return nil }
            if waiters[0].revents & Int16(POLLIN) != 0 && !acceptWaiting() { return nil }
            let readable = Set(waiters.dropFirst().filter { $0.revents != 0 }.map(\.fd))
            let polled = connections.filter { readable.contains($0.socket) }
            for connection in polled { connection.receive() }
            if let request = scan({ readable.contains($0.socket) && !$0.isClosed }) { return request }
        }
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

    /// Accepts the connections waiting, up to the limit. Returns false when the listening
    /// socket is unusable.
    private func acceptWaiting() -> Bool {
        while connections.count < limits.maxConnections {
            let socket = accept(listener, nil, nil)
            if socket >= 0 {
                // Not inherited by what the handler might spawn. (Accepted sockets are
                // blocking on Linux, whatever the listening socket is.)
                _ = fcntl(socket, F_SETFD, FD_CLOEXEC)
                connections.append(
                    FastCGIConnection(socket: socket, limits: limits, processReporting: processReporting))
                continue
            }
            switch errno {
            case EAGAIN, EWOULDBLOCK, EINTR, ECONNABORTED, EPROTO:
                return true
            case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                StandardError.write("FastCGI: cannot accept a connection (errno \(errno)); serving the open ones\n")
                return true
            default:
                StandardError.write("FastCGI: the listening socket failed (errno \(errno)); stopping\n")
                return false
            }
        }
        return true
    }
}
