import Foundation

/// Where the guestbook keeps its entries, from `DATABASE_URL`:
///
/// - unset or empty: SQLite, `guestbook.sqlite` in the data folder;
/// - `sqlite:PATH` (or a plain path): SQLite at that path (`sqlite:` alone: the default file);
/// - `postgres://USER:PASSWORD@HOST:PORT/DATABASE` (or `postgresql://`): a PostgreSQL server,
///   which several backends can share. `?sslmode=disable`, `prefer` (the default) or
///   `require` says whether to use TLS.
enum DatabaseLocation: Equatable {
    case sqlite(path: String)
    case postgres(PostgresAddress)

    /// The location `url` names, with `dataFolder` for SQLite's default file.
    init(url: String?, dataFolder: String) throws(GuestbookError) {
        let url = url ?? ""
        let defaultFile = dataFolder + "/guestbook.sqlite"
        if url.isEmpty || url == "sqlite:" {
            self = .sqlite(path: defaultFile)
        } else if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            self = .postgres(try PostgresAddress(url: url))
        } else if url.hasPrefix("sqlite:") {
            self = .sqlite(path: String(url.dropFirst("sqlite:".count)))
        } else if url.hasPrefix("/") || !url.contains(":") {
            self = .sqlite(path: url)
        } else {
            throw .configuration("DATABASE_URL must be empty, sqlite:PATH or postgres://USER:PASSWORD@HOST:PORT/DATABASE")
        }
    }

    /// Opens the store (one connection in a CGI process, several when `resident`) and brings
    /// its schema up to date.
    func open(resident: Bool) async throws -> any Store {
        switch self {
        case .sqlite(let path): try SQLiteSchema.open(path: path, resident: resident)
        case .postgres(let address): try await PostgresSchema.open(address, resident: resident)
        }
    }
}
