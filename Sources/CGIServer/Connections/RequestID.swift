/// Identifies a request in the error log and in error pages, e.g. `c12-3` (connection 12, third
/// request). Kept as numbers: most requests never need the text.
struct RequestID: CustomStringConvertible, Sendable {
    /// The connection's number, counted from 1 since start-up.
    var connection: Int
    /// The request's number on its connection, counted from 1.
    var request: Int

    var description: String { "c\(connection)-\(request)" }
}
