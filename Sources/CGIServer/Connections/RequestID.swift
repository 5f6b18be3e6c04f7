import Glibc

/// Identifies a request in the access log, the error log, error pages and the script's
/// environment (`UNIQUE_ID`), e.g. `4f3a9c1e-c12-3`: this server's start-up tag, then the
/// connection (12) and the request on it (the third). Kept as numbers: the text is made when
/// a log line or a script needs it.
struct RequestID: CustomStringConvertible, Sendable {
    /// The connection's number, counted from 1 since start-up.
    var connection: Int
    /// The request's number on its connection, counted from 1.
    var request: Int

    var description: String { "\(Self.serverTag)-c\(connection)-\(request)" }

    /// Eight random hex digits drawn once per server process, so that ids stay unique across
    /// restarts (a script's error report is a file named by the id, never overwritten).
    static let serverTag: String = {
        let hex = String(arc4random(), radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }()
}
