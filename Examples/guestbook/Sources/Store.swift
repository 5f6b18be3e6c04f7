/// The guestbook's entries, wherever they are kept: SQLite in the data folder
/// (``SQLiteStore``) or a PostgreSQL server that several backends share (``PostgresStore``),
/// as `DATABASE_URL` says (``DatabaseLocation``).
///
/// Every method is one statement, so each is atomic on its own: a post is stored once or not
/// at all. A store that cannot reach its database throws ``DatabaseFailure``.
protocol Store: Sendable {
    /// Up to `limit` entries after skipping `offset`, newest (highest id) first; hidden ones only
    /// with `includingHidden`.
    func entries(limit: Int, offset: Int, includingHidden: Bool) async throws -> [Entry]
    /// The entry with `id`, hidden or not.
    func entry(id: Int64) async throws -> Entry?
    /// Stores `entry` (its `id` is ignored) and returns the id it was given.
    func insert(_ entry: Entry) async throws -> Int64
    /// Changes the name and message of entry `id`, marking it edited at `updatedAt`.
    func update(id: Int64, name: String, message: String, updatedAt: Int) async throws
    /// Deletes entry `id`.
    func delete(id: Int64) async throws
    /// Hides entry `id` from the public pages, or shows it again.
    func setHidden(id: Int64, _ hidden: Bool) async throws
    /// The media type of the image stored under `hash`, if an entry has it.
    func imageType(hash: String) async throws -> String?
    /// Lets go of the connections (at the end of the process).
    func close() async
}

extension Store {
    /// The visible entries of page `page` (from 1), newest first, and whether an older page
    /// exists; with `includingHidden`, the hidden ones too.
    func page(_ page: Int, includingHidden: Bool = false) async throws -> (entries: [Entry], hasMore: Bool) {
        let rows = try await entries(
            limit: Entry.pageSize + 1, offset: (page - 1) * Entry.pageSize, includingHidden: includingHidden)
        return (Array(rows.prefix(Entry.pageSize)), rows.count > Entry.pageSize)
    }
}
