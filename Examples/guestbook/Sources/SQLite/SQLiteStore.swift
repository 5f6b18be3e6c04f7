import Foundation
import GRDB

/// The guestbook's entries in SQLite (``SQLiteSchema`` opens the file): reads straight from
/// GRDB, writes one at a time across processes.
///
/// SQLite's busy timeout polls with growing sleeps, which is unfair: with 64 CGI processes on
/// two cores, a writer descheduled while it holds the lock lets the others pile up, and an
/// unlucky one could keep missing the lock until its timeout ends in "database is locked".
/// So a write first takes an exclusive `flock(2)` on `guestbook.sqlite.lock`, where the kernel
/// wakes a waiter as soon as the lock is free, and only then begins its `IMMEDIATE`
/// transaction (the busy timeout stays as the backstop). A process that dies lets go of its lock.
///
/// The calls are synchronous underneath: a process answers one request at a time.
struct SQLiteStore: Store {
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

    func entries(limit: Int, offset: Int, includingHidden: Bool) throws -> [Entry] {
        let sql = includingHidden ? Self.pageOfAll : Self.pageOfVisible
        return try writer.read { db in
            // Compiled once per connection: a resident process reads a page at almost every request.
            try Entry.fetchAll(db.cachedStatement(sql: sql), arguments: [limit, offset])
        }
    }

    func entry(id: Int64) throws -> Entry? {
        try writer.read { try Entry.fetchOne($0, key: id) }
    }

    func insert(_ entry: Entry) throws -> Int64 {
        var entry = entry
        entry.id = nil
        try write { db in try entry.insert(db) }
        return entry.id ?? 0
    }

    func update(id: Int64, name: String, message: String, updatedAt: Int) throws {
        try write { db in
            try db.execute(
                sql: "UPDATE entry SET name = ?, message = ?, updatedAt = ? WHERE id = ?",
                arguments: [name, message, updatedAt, id])
        }
    }

    func delete(id: Int64) throws {
        _ = try write { try Entry.deleteOne($0, key: id) }
    }

    func setHidden(id: Int64, _ hidden: Bool) throws {
        try write { db in try db.execute(sql: "UPDATE entry SET hidden = ? WHERE id = ?", arguments: [hidden, id]) }
    }

    func imageType(hash: String) throws -> String? {
        try writer.read { db in
            try String.fetchOne(db, sql: "SELECT imageType FROM entry WHERE image = ? LIMIT 1", arguments: [hash])
        }
    }

    func close() {}

    /// The queries for a page of entries, newest first, all of them or the ones not hidden; built
    /// once, with ``Entry/columns`` in order for reading rows by position.
    private static let pageOfAll = pageQuery(filter: "")
    private static let pageOfVisible = pageQuery(filter: "WHERE hidden = 0")

    private static func pageQuery(filter: String) -> String {
        "SELECT \(Entry.columns.joined(separator: ", ")) FROM entry \(filter) ORDER BY id DESC LIMIT ? OFFSET ?"
    }

    /// Runs `body` in an `IMMEDIATE` transaction, this process's turn among the writers.
    private func write<T>(_ body: (Database) throws -> T) throws -> T {
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
