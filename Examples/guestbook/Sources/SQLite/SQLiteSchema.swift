import CGI
import GRDB

/// The guestbook's SQLite database (`DATABASE_URL` unset, or `sqlite:PATH`): WAL (readers
/// never wait for the writer), a busy timeout (a writer waits for another instead of failing
/// with "database is locked"), and the migrations, run at start.
///
/// A CGI process answers one request, so it opens one connection (`DatabaseQueue`); a
/// resident process answers many and keeps a `DatabasePool` (one writer, several readers).
enum SQLiteSchema {
    /// How long a connection waits for a lock before giving up, in seconds.
    static let busyTimeout = 10.0

    /// Opens (creating if needed) `path` and brings its schema up to date.
    static func open(path: String, resident: Bool) throws -> SQLiteStore {
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.prepareDatabase { db in
            // Durable at checkpoints, and much faster, in WAL mode (https://sqlite.org/pragma.html#pragma_synchronous).
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        let writer: any DatabaseWriter
        if resident {
            writer = try DatabasePool(path: path, configuration: configuration)
        } else {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            // A pool switches to WAL itself; a queue asks once (the mode is kept in the file).
            if try queue.read({ try String.fetchOne($0, sql: "PRAGMA journal_mode") }) != "wal" {
                try queue.writeWithoutTransaction { try $0.execute(sql: "PRAGMA journal_mode = WAL") }
            }
            writer = queue
        }
        // Every CGI request starts a process: look before taking the write lock to migrate.
        if try !writer.read(migrator.hasCompletedMigrations) {
            try migrator.migrate(writer)
        }
        return try SQLiteStore(writer: writer, lockPath: path + ".lock")
    }

    /// The schema, one migration per change, in order.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("entries") { db in
            try db.create(table: "entry") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("name", .text).notNull()
                table.column("message", .text).notNull()
                table.column("image", .text)  // the image's SHA-256, hexadecimal: its file name
                table.column("imageType", .text)
                table.column("createdAt", .integer).notNull()
                table.column("updatedAt", .integer)
                table.column("hidden", .boolean).notNull().defaults(to: false)
            }
            try db.create(index: "entry_visible", on: "entry", columns: ["hidden", "id"])
        }
        return migrator
    }
}
