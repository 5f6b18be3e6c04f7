import GRDB

/// An entry is a row of SQLite's `entry` table, its columns named as its properties.
///
/// Rows are read by position, in the order of ``columns`` (which every query selects), not
/// through `Decodable`: a page of entries is the guestbook's most frequent read, and decoding
/// by name cost about a seventh of a resident worker's time per page.
extension Entry: FetchableRecord, MutablePersistableRecord {
    /// The table's columns in the order ``init(row:)`` reads them.
    static let columns = ["id", "name", "message", "image", "imageType", "createdAt", "updatedAt", "hidden"]

    static var databaseSelection: [any SQLSelectable] { columns.map { Column($0) } }

    init(row: Row) throws {
        self.init(
            id: row[0], name: row[1], message: row[2], image: row[3], imageType: row[4], createdAt: row[5],
            updatedAt: row[6], hidden: row[7])
    }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
