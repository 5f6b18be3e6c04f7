import PostgresNIO

/// The guestbook's entries in PostgreSQL (``PostgresSchema`` connects and migrates): the
/// same statements as ``SQLiteStore``, in PostgreSQL's words. Each is one statement in its
/// own transaction, and PostgreSQL takes concurrent writers itself: no lock of the
/// guestbook's, on one machine or several.
struct PostgresStore: Store {
    let connections: PostgresConnections

    /// The columns of an entry, in the order ``entry(_:)`` decodes them.
    private typealias Row = (Int64, String, String, String?, String?, Int, Int?, Bool)

    func entries(limit: Int, offset: Int, includingHidden: Bool) async throws -> [Entry] {
        try await connections.with { connection in
            let query: PostgresQuery =
                includingHidden
                ? "SELECT id, name, message, image, image_type, created_at, updated_at, hidden FROM entry ORDER BY id DESC LIMIT \(limit) OFFSET \(offset)"
                : "SELECT id, name, message, image, image_type, created_at, updated_at, hidden FROM entry WHERE NOT hidden ORDER BY id DESC LIMIT \(limit) OFFSET \(offset)"
            return try await Self.entries(connection.query(query, logger: PostgresConnections.logger))
        }
    }

    func entry(id: Int64) async throws -> Entry? {
        try await connections.with { connection in
            try await Self.entries(
                connection.query(
                    "SELECT id, name, message, image, image_type, created_at, updated_at, hidden FROM entry WHERE id = \(id)",
                    logger: PostgresConnections.logger)
            ).first
        }
    }

    func insert(_ entry: Entry) async throws -> Int64 {
        try await connections.with { connection in
            let rows = try await connection.query(
                """
                INSERT INTO entry (name, message, image, image_type, created_at, hidden)
                VALUES (\(entry.name), \(entry.message), \(entry.image), \(entry.imageType), \(entry.createdAt), \(entry.hidden))
                RETURNING id
                """, logger: PostgresConnections.logger)
            for try await id in rows.decode(Int64.self) { return id }
            throw DatabaseFailure(isUnavailable: false, detail: "INSERT INTO entry returned no id")
        }
    }

    func update(id: Int64, name: String, message: String, updatedAt: Int) async throws {
        try await execute("UPDATE entry SET name = \(name), message = \(message), updated_at = \(updatedAt) WHERE id = \(id)")
    }

    func delete(id: Int64) async throws {
        try await execute("DELETE FROM entry WHERE id = \(id)")
    }

    func setHidden(id: Int64, _ hidden: Bool) async throws {
        try await execute("UPDATE entry SET hidden = \(hidden) WHERE id = \(id)")
    }

    func imageType(hash: String) async throws -> String? {
        try await connections.with { connection in
            let rows = try await connection.query(
                "SELECT image_type FROM entry WHERE image = \(hash) LIMIT 1", logger: PostgresConnections.logger)
            for try await type in rows.decode(String?.self) { return type }
            return nil
        }
    }

    func close() async {
        await connections.close()
    }

    private func execute(_ query: PostgresQuery) async throws {
        try await connections.with { connection in
            try await connection.query(query, logger: PostgresConnections.logger)
            return ()
        }
    }

    /// The entries of `rows` (the columns of ``Row``, in order).
    private static func entries(_ rows: PostgresRowSequence) async throws -> [Entry] {
        var entries: [Entry] = []
        for try await (id, name, message, image, imageType, createdAt, updatedAt, hidden) in rows.decode(Row.self) {
            entries.append(
                Entry(
                    id: id, name: name, message: message, image: image, imageType: imageType, createdAt: createdAt,
                    updatedAt: updatedAt, hidden: hidden))
        }
        return entries
    }
}
