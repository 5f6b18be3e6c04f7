import CGI
import Glibc

/// A ``SHA256`` computed on a thread of its own, so a large upload is hashed on the second
/// core while the reading thread parses and writes it.
///
/// ``update(_:)`` copies the bytes into a bounded ring (``capacity`` bytes) and returns; it
/// waits only while the ring is full. ``finalize()`` waits for the thread to hash the rest.
/// Dropping the hash without finalizing it stops the thread too.
final class BackgroundSHA256 {
    /// The ring's size: the most bytes waiting to be hashed.
    static let capacity = 256 << 10

    private let ring: Ring
    private var thread: pthread_t?

    /// Continues `hash` on a new thread; nil when the thread cannot be started.
    ///
    /// The thread starts with asynchronous signals blocked (it inherits the mask set around
    /// `pthread_create`), so a script's own signal handlers still run on its main thread.
    init?(continuing hash: SHA256) {
        ring = Ring(hash: hash, capacity: Self.capacity)
        var blocked = sigset_t()
        var previous = sigset_t()
        sigfillset(&blocked)
        for fault in [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGABRT, SIGSYS] { sigdelset(&blocked, fault) }
        pthread_sigmask(SIG_BLOCK, &blocked, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        var thread = pthread_t()
        let context = Unmanaged.passRetained(ring).toOpaque()
        guard pthread_create(&thread, nil, { Ring.hashUntilClosed($0!) }, context) == 0 else {
            Unmanaged<Ring>.fromOpaque(context).release()
            return nil
        }
        self.thread = thread
    }

    /// Adds `bytes` to the hashed input (a copy: the caller may reuse them at once).
    func update(_ bytes: UnsafeRawBufferPointer) {
        ring.write(bytes)
    }

    /// Waits for the thread to hash everything given to it and returns the digest.
    func finalize() -> SHA256.Digest {
        stop()
        return ring.hash.finalize()
    }

    deinit { stop() }

    /// Closes the ring and joins the thread (once).
    private func stop() {
        guard let thread else { return }
        self.thread = nil
        ring.close()
        pthread_join(thread, nil)
    }
}

extension BackgroundSHA256 {
    /// The bytes handed from the reading thread to the hashing thread: a ring buffer guarded
    /// by a mutex. The writer copies into the free part and the hasher reads the filled part
    /// outside the lock; only the counters change under it.
    private final class Ring: @unchecked Sendable {
        /// The hash so far; the hashing thread's alone until it has been joined.
        var hash: SHA256
        private let storage: UnsafeMutableRawBufferPointer
        /// Bytes written and bytes hashed since the start; the ring holds the difference.
        private var written = 0
        private var hashed = 0
        private var isClosed = false
        private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        /// Signalled when bytes are written or the ring is closed.
        private let filled = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
        /// Signalled when bytes are hashed.
        private let drained = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

        init(hash: SHA256, capacity: Int) {
            self.hash = hash
            storage = .allocate(byteCount: capacity, alignment: 64)
            pthread_mutex_init(mutex, nil)
            pthread_cond_init(filled, nil)
            pthread_cond_init(drained, nil)
        }

        deinit {
            pthread_cond_destroy(drained)
            pthread_cond_destroy(filled)
            pthread_mutex_destroy(mutex)
            drained.deallocate()
            filled.deallocate()
            mutex.deallocate()
            storage.deallocate()
        }

        /// Copies `bytes` into the ring, waiting for room as needed.
        func write(_ bytes: UnsafeRawBufferPointer) {
            var rest = bytes[...]
            while !rest.isEmpty {
                pthread_mutex_lock(mutex)
                while written - hashed == storage.count { pthread_cond_wait(drained, mutex) }
                let start = written % storage.count
                let count = min(rest.count, storage.count - (written - hashed), storage.count - start)
                pthread_mutex_unlock(mutex)
                // The free part is the writer's alone until `written` moves past it.
                UnsafeMutableRawBufferPointer(rebasing: storage[start..<start + count])
                    .copyMemory(from: UnsafeRawBufferPointer(rebasing: rest.prefix(count)))
                rest = rest.dropFirst(count)
                pthread_mutex_lock(mutex)
                written += count
                pthread_cond_signal(filled)
                pthread_mutex_unlock(mutex)
            }
        }

        /// Ends the input: the hashing thread finishes what is in the ring and exits.
        func close() {
            pthread_mutex_lock(mutex)
            isClosed = true
            pthread_cond_signal(filled)
            pthread_mutex_unlock(mutex)
        }

        /// The hashing thread: hashes the ring's bytes as they come until it is closed and
        /// empty, then drops the reference it was started with.
        static func hashUntilClosed(_ context: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer? {
            let ring = Unmanaged<Ring>.fromOpaque(context).takeRetainedValue()
            while true {
                pthread_mutex_lock(ring.mutex)
                while ring.written == ring.hashed && !ring.isClosed { pthread_cond_wait(ring.filled, ring.mutex) }
                let start = ring.hashed % ring.storage.count
                let count = min(ring.written - ring.hashed, ring.storage.count - start)
                pthread_mutex_unlock(ring.mutex)
                if count == 0 { return nil }  // closed and empty
                // The filled part is the hasher's alone until `hashed` moves past it.
                ring.hash.update(UnsafeRawBufferPointer(rebasing: ring.storage[start..<start + count]))
                pthread_mutex_lock(ring.mutex)
                ring.hashed += count
                pthread_cond_signal(ring.drained)
                pthread_mutex_unlock(ring.mutex)
            }
        }
    }
}
