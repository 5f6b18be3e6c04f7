import GRDB

/// An entry is a row of SQLite's `entry` table, its columns named as its properties.
extension Entry: FetchableRecord, MutablePersistableRecord {
    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
