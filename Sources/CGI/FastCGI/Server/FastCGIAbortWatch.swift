import Glibc

/// Watches a FastCGI request's connection on a thread of its own while an asynchronous
/// handler runs, so that an ABORT_REQUEST that arrives while the handler awaits (a sleep, a
/// database) reaches it: the watch calls `onAbort` (which cancels the handler's task) once,
/// and ends. A synchronous handler needs no watch: it sees the abort at its next body read or
/// `flush()`.
///
/// The watch and the handler take turns at the connection (``FastCGIRequest`` locks): the
/// watch reads only what is waiting, and while the handler leaves the most body bytes a
/// request holds unread, it reads nothing more and looks again every 100 ms.
@usableFromInline
final class FastCGIAbortWatch: @unchecked Sendable {
    private let request: FastCGIRequest
    private let onAbort: @Sendable () -> Void
    /// A pipe whose write end ``stop()`` writes to, waking the watch's poll.
    private let wakeUp: (read: Int32, write: Int32)
    private var thread = pthread_t()

    /// Starts watching `request`; nil (and no watch) when the pipe or the thread cannot be
    /// made, with a line in the log.
    init?(request: FastCGIRequest, onAbort: @escaping @Sendable () -> Void) {
        self.request = request
        self.onAbort = onAbort
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else {
            StandardError.write("FastCGI: cannot watch the request for an abort (pipe: errno \(errno))\n")
            return nil
        }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        wakeUp = (ends[0], ends[1])
        let context = Unmanaged.passRetained(self).toOpaque()
        let started = pthread_create(
            &thread, nil,
            { context in
                Unmanaged<FastCGIAbortWatch>.fromOpaque(context!).takeRetainedValue().watch()
                return nil
            }, context)
        guard started == 0 else {
            Unmanaged<FastCGIAbortWatch>.fromOpaque(context).release()
            StandardError.write("FastCGI: cannot watch the request for an abort (pthread_create: \(started))\n")
            close(ends[0])
            close(ends[1])
            return nil
        }
    }

    /// Ends the watch and waits for its thread, after which the handler's side has the
    /// request to itself again.
    @usableFromInline
    func stop() {
        var byte: UInt8 = 0
        while write(wakeUp.write, &byte, 1) < 0 && errno == EINTR {}
        pthread_join(thread, nil)
        close(wakeUp.read)
        close(wakeUp.write)
    }

    /// The watch's thread: waits for the connection (or the wake-up), handles what arrived,
    /// and calls `onAbort` once the request is aborted.
    private func watch() {
        var holdingMost = false
        while true {
            var waiters = [
                pollfd(fd: wakeUp.read, events: Int16(POLLIN), revents: 0),
                pollfd(fd: holdingMost ? -1 : request.socket, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&waiters, 2, holdingMost ? 100 : -1)
            if ready < 0 && errno != EINTR { return }
            if waiters[0].revents != 0 { return }
            let state = request.handleArrivals()
            if state.aborted {
                onAbort()
                return
            }
            // A socket closed under the watch without an abort: nothing more to watch.
            if waiters[1].revents & Int16(POLLNVAL) != 0 { return }
            holdingMost = state.holdingMost
        }
    }
}
