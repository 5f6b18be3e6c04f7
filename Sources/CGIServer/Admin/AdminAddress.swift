/// Where the admin listener (`--admin HOST:PORT`) listens: an address of its own, never the
/// public listener's. It has no authentication, so it belongs on a loopback address (127.0.0.1,
/// ::1) or behind something that checks who asks.
public struct AdminAddress: Sendable, Equatable, CustomStringConvertible {
    /// An IPv4 or IPv6 literal (without brackets), or `localhost`.
    public var host: String
    /// The port; `0` lets the system pick one (printed in the `admin listening on` line).
    public var port: Int

    /// An address of `host` and `port`.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// `HOST:PORT` or `[IPV6]:PORT`, as `--admin` takes it; nil when it is not one.
    public init?(parsing text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port)
        else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") {
            host = String(host.dropFirst().dropLast())
        } else if host.contains(":") {
            return nil
        }
        guard !host.isEmpty else { return nil }
        self.init(host: host, port: port)
    }

    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
