import Foundation
import GRDB

/// The database as the guestbook uses it: reads straight from GRDB, writes one at a time
/// across processes.
///
/// SQLite's busy timeout polls with growing sleeps, which is unfair: with 64 CGI processes on
/// two cores, a writer descheduled while it holds the lock lets the others pile up, and an
/// unlucky one could keep missing the lock until its timeout ends in "database is locked".
/// So a write first takes an exclusive `flock(2)` on `guestbook.sqlite.lock`, where the kernel
/// wakes a waiter as soon as the lock is free, and only then begins its `IMMEDIATE`
/// transaction (the busy timeout stays as the backstop). A process that dies lets go of its lock.
struct Store {
    let writer: any DatabaseWriter
    private let lockDescriptor: Int32

    /// Wraps `writer`, taking write turns on the lock file at `lockPath`.
    init(writer: any DatabaseWriter, lockPath: String) throws {
        self.writer = writer
        lockDescriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard lockDescriptor >= 0 else {
            throw GuestbookError.configuration("cannot open \(lockPath): \(String(cString: strerror(errno)))")
        }
    }

    /// Runs `body` in a read transaction.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        try writer.read(body)
    }

    /// Runs `body` in an `IMMEDIATE` transaction, this process's turn among the writers.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        while flock(lockDescriptor, LOCK_EX) != 0 {
            guard errno == EINTR else { throw GuestbookError.configuration("cannot lock the database for writing") }
        }
        defer { flock(lockDescriptor, LOCK_UN) }
        return try writer.writeWithoutTransaction { db in
            var result: T?
            try db.inTransaction(.immediate) {
                result = try body(db)
                return .commit
            }
            return result!
        }
    }
}
