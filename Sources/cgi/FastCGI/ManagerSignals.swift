import Glibc

/// The signals the manager acts on (SIGTERM, SIGINT, SIGHUP, SIGCHLD), blocked and read from a
/// signalfd(2) that the manager's poll loop watches, so none is handled inside a signal handler.
/// Workers start with an empty signal mask (ScriptProcess), so the blocking is the manager's own.
struct ManagerSignals {
    typealias SignalFD = @convention(c) (Int32, UnsafePointer<sigset_t>, Int32) -> Int32

    /// The descriptor to poll for `POLLIN`.
    let descriptor: Int32

    /// Blocks the signals, sets them back to their default action (an ignored signal, such as
    /// SIGHUP under nohup, would never reach the descriptor) and opens the descriptor that reports them.
    init() throws(FastCGIError) {
        var watched = sigset_t()
        sigemptyset(&watched)
        let signals = [SIGTERM, SIGINT, SIGHUP, SIGCHLD]
        for signal in signals { sigaddset(&watched, signal) }
        pthread_sigmask(SIG_BLOCK, &watched, nil)
        for signal in signals { Glibc.signal(signal, SIG_DFL) }
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "signalfd") else {
            throw .system("signalfd", errno: ENOSYS)
        }
        let signalfd = unsafeBitCast(symbol, to: SignalFD.self)
        descriptor = signalfd(-1, &watched, O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { throw .system("signalfd", errno: errno) }
    }

    /// The signals delivered since the last call, in order (several SIGCHLD may come as one).
    func pending() -> [Int32] {
        var signals: [Int32] = []
        // struct signalfd_siginfo is 128 bytes; ssi_signo is its first field.
        var record = [UInt32](repeating: 0, count: 32)
        while record.withUnsafeMutableBytes({ read(descriptor, $0.baseAddress, 128) }) == 128 {
            signals.append(Int32(bitPattern: record[0]))
        }
        return signals
    }
}
