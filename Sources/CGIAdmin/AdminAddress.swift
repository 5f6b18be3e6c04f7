/// Where an admin listener (`--admin HOST:PORT` of `cgi-server` and of `cgi fastcgi`) listens:
/// an address of its own, never the public listener's. It has no authentication, so it belongs
/// on a loopback address (127.0.0.1, ::1) or behind something that checks who asks.
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

    /// `HOST:PORT` or `[IPV6]:PORT`, as `--admin` takes it; throws, saying what is wrong, when
    /// `text` is not one.
    public init(validating text: String) throws(AdminAddressError) {
        guard let colon = text.lastIndex(of: ":") else { throw .noPort(text) }
        guard let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else { throw .badPort(text) }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") {
            host = String(host.dropFirst().dropLast())
        } else if host.contains(":") || host.contains("[") || host.contains("]") {
            throw .unbracketedIPv6(text)
        }
        guard !host.isEmpty else { throw .noHost(text) }
        self.init(host: host, port: port)
    }

    /// `HOST:PORT` or `[IPV6]:PORT`, as `--admin` takes it; nil when it is not one.
    public init?(parsing text: String) {
        guard let address = try? AdminAddress(validating: text) else { return nil }
        self = address
    }

    /// `HOST:PORT`, or `[HOST]:PORT` for an IPv6 literal.
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
