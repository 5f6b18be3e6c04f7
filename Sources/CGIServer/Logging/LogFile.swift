import Glibc

/// A log file written at a fixed descriptor number and reopened by path when asked (SIGHUP,
/// after logrotate moved it away): the new file is put at the same number with `dup2(2)`, which
/// swaps it in one step, so a thread writing a line at that moment writes it whole to the old
/// file or to the new one, and never to a closed or reused descriptor.
struct LogFile: Sendable {
    /// Why the file cannot be opened.
    struct OpenError: Error, CustomStringConvertible {
        /// The file's path.
        var path: String
        /// What `open(2)` reported.
        var errno: Int32
        var description: String { "cannot open log file \(path): \(String(cString: strerror(errno)))" }
    }

    /// The file's path, opened again by ``reopen()``.
    let path: String
    /// The descriptor lines are written to.
    let descriptor: Int32

    /// Opens `path` for appending (created with mode 0644 if missing) at a new descriptor.
    init(path: String) throws(OpenError) {
        self.path = path
        descriptor = try Self.open(path)
    }

    /// Opens `path` for appending at `descriptor`, replacing what it referred to (such as
    /// standard error, so that everything written there goes to the file).
    init(path: String, at descriptor: Int32) throws(OpenError) {
        self.path = path
        self.descriptor = descriptor
        try reopen()
    }

    /// Opens ``path`` again (creating it) and puts it at ``descriptor``.
    func reopen() throws(OpenError) {
        let fresh = try Self.open(path)
        defer { close(fresh) }
        guard dup2(fresh, descriptor) >= 0 else { throw OpenError(path: path, errno: errno) }
        // dup2 clears close-on-exec; the standard descriptors keep it off, as they always have it.
        if descriptor > STDERR_FILENO { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
    }

    private static func open(_ path: String) throws(OpenError) -> Int32 {
        let descriptor = Glibc.open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw OpenError(path: path, errno: errno) }
        return descriptor
    }
}
