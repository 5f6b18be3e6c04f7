// @preconcurrency: `stdout` is a C global, which strict concurrency checking rejects.
@preconcurrency import Glibc

/// How a program learns that it was started as a FastCGI application rather than as a CGI
/// script (FastCGI 1.0 §2.2): with a listening socket on descriptor 0 (FCGI_LISTENSOCK_FILENO,
/// as lighttpd's `bin-path`, Apache mod_fcgid and `cgi fastcgi` start it), or with systemd's
/// socket activation (`LISTEN_FDS`, the socket on descriptor 3, `LISTEN_PID` naming this
/// process).
enum FastCGILaunch {
    /// The first descriptor systemd passes (SD_LISTEN_FDS_START).
    static let systemdFirstDescriptor: Int32 = 3

    /// The listening socket to serve, or nil for a CGI script. A CGI script's standard input
    /// is a pipe, a file or nothing, so the check is one `getsockopt` that fails with
    /// ENOTSOCK, and one `getenv`.
    static func listeningSocket() -> Int32? {
        if isListening(0) { return 0 }
        guard let count = getenv("LISTEN_FDS"), atoi(count) >= 1, let pid = getenv("LISTEN_PID"),
            pid_t(atoi(pid)) == getpid(), isListening(systemdFirstDescriptor)
        else { return nil }
        // Children of this process must not take the sockets for theirs (sd_listen_fds(3)).
        unsetenv("LISTEN_FDS")
        unsetenv("LISTEN_PID")
        unsetenv("LISTEN_FDNAMES")
        return systemdFirstDescriptor
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
    /// and writes fail with EPIPE instead.
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
    }
}
