import Glibc

/// Watches a FastCGI request's connection while an asynchronous handler runs, so that an
/// ABORT_REQUEST that arrives while the handler awaits (a sleep, a database) reaches it: the
/// watch calls `onAbort` (which cancels the handler's task) once. A synchronous handler needs
/// no watch: it sees the abort at its next body read or `flush()`.
///
/// One watch runs at a time (a process serves one request at a time), on one thread the process
/// starts on its first watch and keeps: a thread per request cost more than the request itself.
/// ``stop()`` returns once that thread no longer touches the request.
///
/// The watch and the handler take turns at the connection (``FastCGIRequest`` locks): the
/// watch reads only what is waiting, and while the handler leaves the most body bytes a
/// request holds unread, it reads nothing more and looks again every 100 ms.
@usableFromInline
final class FastCGIAbortWatch: @unchecked Sendable {
    private let watcher: AbortWatcher
    private let serial: Int

    /// Starts watching `request`; nil (and no watch) when the watching thread cannot be made,
    /// with a line in the log.
    init?(request: FastCGIRequest, onAbort: @escaping @Sendable () -> Void) {
        guard let watcher = AbortWatcher.shared else { return nil }
        self.watcher = watcher
        serial = watcher.watch(request, onAbort: onAbort)
    }

    /// Ends the watch; the handler's side then has the request to itself again.
    @usableFromInline
    func stop() {
        watcher.stop(serial)
    }
}

/// The thread behind every ``FastCGIAbortWatch``: it waits on a wake-up pipe while nothing is
/// watched, and on the pipe and the request's socket while a request is.
private final class AbortWatcher: @unchecked Sendable {
    /// The process's watcher, started on first use; nil when its pipe or thread cannot be made.
    static let shared: AbortWatcher? = AbortWatcher()

    private struct Job {
        let request: FastCGIRequest
        let onAbort: @Sendable () -> Void
        let serial: Int
    }

    /// Guards the fields below; with `released`, allocated once (the watcher lives as long as
    /// the process) and passed as pointers, never as `inout` (a Swift access would span the wait).
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    /// Signalled when the thread lets go of a request.
    private let released = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    /// The request to watch now (under `mutex`).
    private var job: Job?
    private var lastSerial = 0
    /// The serial of the job the thread has taken and not let go of yet; 0 for none (under `mutex`).
    private var watchingSerial = 0
    /// The last serial the thread has let go of (under `mutex`).
    private var releasedSerial = 0
    private let wakeUp: (read: Int32, write: Int32)

    private init?() {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else {
            StandardError.write("FastCGI: cannot watch requests for an abort (pipe: errno \(errno))\n")
            return nil
        }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        _ = fcntl(ends[0], F_SETFL, fcntl(ends[0], F_GETFL) | O_NONBLOCK)
        wakeUp = (ends[0], ends[1])
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(released, nil)
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let started = pthread_create(
            &thread, nil,
            { context in
                Unmanaged<AbortWatcher>.fromOpaque(context!).takeRetainedValue().run()
                return nil
            }, context)
        guard started == 0 else {
            Unmanaged<AbortWatcher>.fromOpaque(context).release()
            StandardError.write("FastCGI: cannot watch requests for an abort (pthread_create: \(started))\n")
            close(ends[0])
            close(ends[1])
            return nil
        }
        pthread_detach(thread)
    }

    /// Watches `request` from now on; returns the serial to stop it with.
    func watch(_ request: FastCGIRequest, onAbort: @escaping @Sendable () -> Void) -> Int {
        pthread_mutex_lock(mutex)
        lastSerial += 1
        let serial = lastSerial
        job = Job(request: request, onAbort: onAbort, serial: serial)
        pthread_mutex_unlock(mutex)
        wake()
        return serial
    }

    /// Ends the watch `serial` and waits until the thread has let go of its request (at once
    /// when the thread never took it).
    func stop(_ serial: Int) {
        pthread_mutex_lock(mutex)
        if job?.serial == serial { job = nil }
        guard watchingSerial == serial else {
            releasedSerial = max(releasedSerial, serial)
            pthread_mutex_unlock(mutex)
            return
        }
        pthread_mutex_unlock(mutex)
        wake()
        pthread_mutex_lock(mutex)
        while releasedSerial < serial { pthread_cond_wait(released, mutex) }
        pthread_mutex_unlock(mutex)
    }

    private func wake() {
        var byte: UInt8 = 0
        while write(wakeUp.write, &byte, 1) < 0 && errno == EINTR {}
    }

    /// Reads away the wake-up bytes.
    private func drainWakeUps() {
        var bytes = [UInt8](repeating: 0, count: 64)
        while read(wakeUp.read, &bytes, bytes.count) > 0 {}
    }

    /// Takes the current job when it is newer than `finished`.
    private func take(after finished: Int) -> Job? {
        drainWakeUps()
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        guard let job, job.serial > finished else { return nil }
        watchingSerial = job.serial
        return job
    }

    /// Whether `serial` is still the job to watch.
    private func isCurrent(_ serial: Int) -> Bool {
        drainWakeUps()
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return job?.serial == serial
    }

    /// Records that the thread no longer touches the request of `serial`.
    private func release(_ serial: Int) {
        pthread_mutex_lock(mutex)
        watchingSerial = 0
        releasedSerial = max(releasedSerial, serial)
        pthread_cond_broadcast(released)
        pthread_mutex_unlock(mutex)
    }

    /// The watching thread's name, as /proc shows it.
    static let threadName = "cgi-abort-watch"

    private func run() {
        // Named through /proc (Glibc does not export pthread_setname_np to Swift).
        let comm = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
        if comm >= 0 {
            _ = Self.threadName.withCString { write(comm, $0, strlen($0)) }
            close(comm)
        }
        var finished = 0
        while true {
            // A job watched to its end (aborted, its socket failed) waits for its stop like no job.
            guard let job = take(after: finished) else {
                var waiter = pollfd(fd: wakeUp.read, events: Int16(POLLIN), revents: 0)
                _ = poll(&waiter, 1, -1)
                continue
            }
            watch(job)
            finished = job.serial
            release(job.serial)
        }
    }

    /// Watches `job`'s request until it is aborted (calling `onAbort`), its socket fails, or
    /// the job is no longer the current one.
    private func watch(_ job: Job) {
        var holdingMost = false
        while true {
            var waiters = [
                pollfd(fd: wakeUp.read, events: Int16(POLLIN), revents: 0),
                pollfd(fd: holdingMost ? -1 : job.request.socket, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&waiters, 2, holdingMost ? 100 : -1)
            if ready < 0 && errno != EINTR { return }
            if waiters[0].revents != 0, !isCurrent(job.serial) { return }
            let state = job.request.handleArrivals()
            if state.aborted {
                job.onAbort()
                return
            }
            // A socket closed under the watch without an abort: nothing more to watch.
            if waiters[1].revents & Int16(POLLNVAL) != 0 { return }
            holdingMost = state.holdingMost
        }
    }
}
