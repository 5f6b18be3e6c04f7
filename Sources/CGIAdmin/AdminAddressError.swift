/// Why a `--admin` value is not an admin address, in words a user can act on.
public enum AdminAddressError: Error, Equatable, CustomStringConvertible {
    /// No `:PORT` at the end.
    case noPort(String)
    /// The port is not a number from 0 to 65535.
    case badPort(String)
    /// Nothing before the colon.
    case noHost(String)
    /// An IPv6 literal without its brackets (`[::1]:9000`).
    case unbracketedIPv6(String)

    /// The message, quoting the value given.
    public var description: String {
        switch self {
        case .noPort(let text): "--admin \(text): expected HOST:PORT, such as 127.0.0.1:9000"
        case .badPort(let text): "--admin \(text): the port must be a number from 0 to 65535 (0 picks a free one)"
        case .noHost(let text): "--admin \(text): no host before the port; use 127.0.0.1:PORT for loopback"
        case .unbracketedIPv6(let text): "--admin \(text): an IPv6 address goes in brackets, such as [::1]:9000"
        }
    }
}
