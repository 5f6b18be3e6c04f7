import Glibc

/// What a process manager (`cgi fastcgi`, or any that follows its conventions) asks of the
/// worker it starts, through two environment variables: `FCGI_MAX_REQUESTS=N`, to exit once
/// N requests were served (as after SIGTERM), and `FCGI_STATUS_FD=D`, a descriptor on which
/// the worker writes the byte `B` when a request begins and `E` once its END_REQUEST is sent,
/// so that the manager knows which worker is busy (for its request timeout) and how many
/// requests each served.
struct FastCGIManagerConventions {
    /// The requests to serve before exiting; nil for no limit.
    let maxRequests: Int?
    /// The status descriptor; nil when there is none.
    let statusDescriptor: Int32?

    /// The byte written when a request begins.
    static let began = UInt8(ascii: "B")
    /// The byte written once a request's END_REQUEST is sent.
    static let ended = UInt8(ascii: "E")

    /// Reads both variables, and removes them from the environment so that programs the
    /// handler starts do not take them for theirs. A value that is not a positive number, or
    /// a descriptor that is not open, is ignored with a line in the log.
    static func fromEnvironment() -> Self {
        let maxRequests = number("FCGI_MAX_REQUESTS", atLeast: 1, "a number of requests")
        var statusDescriptor = number("FCGI_STATUS_FD", atLeast: 0, "a descriptor").map { Int32(clamping: $0) }
        if let descriptor = statusDescriptor, fcntl(descriptor, F_SETFD, FD_CLOEXEC) != 0 {
            StandardError.write("FastCGI: FCGI_STATUS_FD=\(descriptor) is not an open descriptor; ignored\n")
            statusDescriptor = nil
        }
        return Self(maxRequests: maxRequests, statusDescriptor: statusDescriptor)
    }

    /// Whether `served` requests reach the limit.
    func isReached(served: Int) -> Bool {
        maxRequests.map { served >= $0 } ?? false
    }

    /// Tells the manager that a request began (`B`) or ended (`E`). A manager that went away
    /// is no reason to stop serving: a failed write is ignored.
    func report(_ byte: UInt8) {
        guard let statusDescriptor else { return }
        var byte = byte
        while write(statusDescriptor, &byte, 1) < 0 && errno == EINTR {}
    }

    /// The value of the variable `name`, removed from the environment, as a number of at
    /// least `minimum`; `meaning` says what it should be, for the log line about a bad value.
    private static func number(_ name: String, atLeast minimum: Int, _ meaning: String) -> Int? {
        guard let raw = getenv(name) else { return nil }
        let text = String(cString: raw)
        unsetenv(name)
        guard let number = Int(text), number >= minimum else {
            StandardError.write("FastCGI: \(name)=\(text) is not \(meaning); ignored\n")
            return nil
        }
        return number
    }
}
