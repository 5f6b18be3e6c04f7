import Glibc

/// systemd's socket activation (sd_listen_fds(3)): the service manager binds the sockets and
/// starts the program with them as descriptors 3, 4, …, saying how many in `LISTEN_FDS` and for
/// which process in `LISTEN_PID` (so that a child that inherited the variables does not take
/// them for its own).
package enum SocketActivation {
    /// The first descriptor passed (SD_LISTEN_FDS_START).
    package static let firstDescriptor: Int32 = 3

    /// The descriptors passed to this process, or `nil` when it was not socket-activated
    /// (no `LISTEN_FDS`, a count below 1, or `LISTEN_PID` naming another process).
    package static func passedDescriptors() -> Range<Int32>? {
        guard let count = getenv("LISTEN_FDS").map({ atoi($0) }), count >= 1, let pid = getenv("LISTEN_PID"),
            pid_t(atoi(pid)) == getpid()
        else { return nil }
        return firstDescriptor..<(firstDescriptor + count)
    }

    /// Takes the passed descriptors for this process: removes the variables, so that children
    /// never take the sockets for theirs, and marks the descriptors close-on-exec, as
    /// `sd_listen_fds(1)` does. Returns `nil` when the process was not socket-activated.
    package static func take() -> Range<Int32>? {
        guard let descriptors = passedDescriptors() else { return nil }
        unsetenv("LISTEN_FDS")
        unsetenv("LISTEN_PID")
        unsetenv("LISTEN_FDNAMES")
        for descriptor in descriptors { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        return descriptors
    }
}
