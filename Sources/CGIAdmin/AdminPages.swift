/// What an admin listener serves, rendered when a request asks (so the program it watches
/// pays nothing between requests): `/metrics`, `/status?format=json` and `/status`.
package protocol AdminPages: Sendable {
    /// `/metrics`: the Prometheus text format (version 0.0.4).
    func metricsText() -> [UInt8]
    /// `/status?format=json`: one JSON object.
    func statusJSON() -> String
    /// `/status`: an HTML page that reloads itself (``AdminStatusPage``).
    func statusHTML() -> String
}
