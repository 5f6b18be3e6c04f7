// @preconcurrency: `stdout`, a C global, is touched once at start-up, before any other thread exists.
@preconcurrency import Glibc

/// The file descriptor a response is written to: standard output (1), until `CGI.run` gives
/// the response a descriptor of its own so that `print` cannot corrupt it.
///
/// The head and body of a CGI response travel on standard output, and so does whatever the
/// script prints. A `print` before the head would become a header line, and one after it a
/// stray line of the body. So at start-up `CGI.run` keeps the response on a duplicate of
/// standard output and points descriptor 1, and with it `print`, at standard error, which
/// a CGI server copies to its error log. The lines arrive there as they are (tagging them
/// would need a pipe and a thread, which every request's start-up would pay for).
enum ResponseDescriptor {
    /// Where responses go by default: 1, or the duplicate once ``separateFromStandardOutput()``
    /// ran. A signal handler may read it (a plain load).
    @exclusivity(unchecked) nonisolated(unsafe) static var current: Int32 = 1

    /// Moves the response to a duplicate of standard output (closed on `exec`) and points
    /// descriptor 1 at standard error; what `print` buffered so far goes to standard error
    /// too, and from now on line by line. Once per process; when a descriptor cannot be
    /// duplicated, responses stay on standard output.
    static func separateFromStandardOutput() {
        guard current == 1 else { return }
        let response = fcntl(1, F_DUPFD_CLOEXEC, 3)
        guard response >= 0 else { return }
        guard dup2(2, 1) == 1 else {
            close(response)
            return
        }
        current = response
        fflush(stdout)
        setvbuf(stdout, nil, _IOLBF, 0)
    }
}
