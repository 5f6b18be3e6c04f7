import CGICore
// @preconcurrency: `stdout` is a C global, which strict concurrency checking rejects.
@preconcurrency import Glibc

/// How a program learns that it was started as a FastCGI application rather than as a CGI
/// script (FastCGI 1.0 §2.2): with a listening socket on descriptor 0 (FCGI_LISTENSOCK_FILENO,
/// as lighttpd's `bin-path`, Apache mod_fcgid and `cgi fastcgi` start it), or with systemd's
/// socket activation (`LISTEN_FDS`, the socket on descriptor 3, `LISTEN_PID` naming this
/// process).
enum FastCGILaunch {
    /// The listening socket to serve, or nil for a CGI script; found once per process (the
    /// systemd variables are removed on the way, so a second look would miss them).
    static let listeningSocket: Int32? = findListeningSocket()

    /// Looks for the listening socket. A CGI script's standard input is a pipe, a file or
    /// nothing, so the check is one `getsockopt` that fails with ENOTSOCK, and one `getenv`.
    private static func findListeningSocket() -> Int32? {
        if isListening(0) { return 0 }
        guard let passed = SocketActivation.passedDescriptors(), isListening(passed.lowerBound) else { return nil }
        return SocketActivation.take()?.lowerBound
    }

    /// Whether `descriptor` is a socket in the listening state (SO_ACCEPTCONN).
    private static func isListening(_ descriptor: Int32) -> Bool {
        var accepting: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        return getsockopt(descriptor, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &length) == 0 && accepting != 0
    }

    /// Makes standard output safe for a resident program: responses go out on sockets, so
    /// descriptor 1 (closed or /dev/null under the spec's launch) becomes a copy of standard
    /// error, where a stray `print` lands in the log instead of in a response. A closed
    /// standard error becomes /dev/null first, so that no connection is ever accepted onto
    /// descriptor 1 or 2. A peer that goes away must not kill the process: SIGPIPE is ignored
    /// and writes fail with EPIPE instead. SIGTERM (FastCGI 1.0 §2.2: the web server asks the
    /// application to exit) ends the process once the request under way is answered, whatever
    /// mask or disposition the process inherited: it sets ``stopRequested`` and writes to
    /// ``stopSignal``, which wakes the server's poll whichever thread the signal interrupts (an
    /// asynchronous `CGI.run` waits for requests on a thread of the concurrency runtime's pool,
    /// while the signal may go to the main thread).
    static func prepareProcess() {
        if fcntl(2, F_GETFD) < 0 {
            let null = open("/dev/null", O_WRONLY | O_CLOEXEC)
            if null >= 0 && null != 2 {
                dup2(null, 2)
                close(null)
            }
        }
        fflush(stdout)
        dup2(2, 1)
        setvbuf(stdout, nil, _IOLBF, 0)
        signal(SIGPIPE, SIG_IGN)
        var ends: [Int32] = [-1, -1]
        if pipe(&ends) == 0 {
            for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
            _ = fcntl(ends[1], F_SETFL, O_NONBLOCK)
            stopSignal = (ends[0], ends[1])
        }
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in
            let saved = errno
            FastCGILaunch.stopRequested = true
            var byte: UInt8 = 1
            _ = write(FastCGILaunch.stopSignal.write, &byte, 1)
            errno = saved
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0  // no SA_RESTART: a waiting poll returns EINTR and sees the request
        sigaction(SIGTERM, &action, nil)
        var terminate = sigset_t()
        sigemptyset(&terminate)
        sigaddset(&terminate, SIGTERM)
        sigprocmask(SIG_UNBLOCK, &terminate, nil)
    }

    /// Set by SIGTERM: serve no further request.
    nonisolated(unsafe) static var stopRequested = false
    /// A pipe SIGTERM writes a byte to, whose read end the server polls; -1 when it could not
    /// be made (the poll then still returns EINTR when the signal interrupts its thread).
    nonisolated(unsafe) static var stopSignal: (read: Int32, write: Int32) = (-1, -1)
}
