import PostgresNIO

extension DatabaseFailure {
    /// SQLSTATE classes that mean the server cannot serve now rather than that a statement was
    /// wrong: 08 connection exception, 53 insufficient resources (too many connections), 57
    /// operator intervention (shutting down, starting up).
    static let unavailableClasses: Set<Substring> = ["08", "53", "57"]

    /// postgres-nio's errors that mean no connection: refused, timed out, closed, pool stopped.
    static let connectionCodes: Set<PSQLError.Code> = [
        .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed,
    ]

    /// What `error`, thrown by postgres-nio talking to `address`, means for the visitor.
    init(_ error: any Error, address: PostgresAddress) {
        var error = error
        if let transaction = error as? PostgresTransactionError,
            let inner = transaction.closureError ?? transaction.beginError ?? transaction.commitError
        {
            error = inner
        }
        guard let psql = error as? PSQLError else {
            // Not the connection's: a row that does not decode, a cancelled task.
            self.init(isUnavailable: false, detail: "\(address.redacted): \(String(reflecting: error))")
            return
        }
        let state = psql.serverInfo?[.sqlState]
        let unavailable =
            Self.connectionCodes.contains(psql.code)
            || (psql.code == .server && state.map { Self.unavailableClasses.contains($0.prefix(2)) } ?? false)
        var detail = "\(address.redacted): \(psql.code)"
        if let state { detail += " SQLSTATE \(state)" }
        if let message = psql.serverInfo?[.message] { detail += ": \(message)" }
        if let underlying = psql.underlying { detail += " (\(underlying))" }
        self.init(isUnavailable: unavailable, detail: detail)
    }
}
