import Glibc

/// Why `cgi fastcgi` cannot start, in words a user can act on (socket errors are
/// ``ListeningSocketError``s).
enum FastCGIError: Error, CustomStringConvertible {
    case noListenAddress
    case badSocketMode(String)
    case badEnvironment(String)
    case programNotFound(String)
    case system(String, errno: Int32)
    /// The admin listener (`--admin`) could not bind its address.
    case admin(String, reason: String)

    var description: String {
        switch self {
        case .noListenAddress: "--listen is needed unless systemd passes the socket (LISTEN_FDS)"
        case .badSocketMode(let text): "--socket-mode \(text): expected an octal mode such as 0660"
        case .badEnvironment(let text): "--env \(text): expected NAME=VALUE"
        case .programNotFound(let name): "\(name): no such executable (give a path, a .swift script, or a program on PATH)"
        case .system(let what, let code): "\(what): \(String(cString: strerror(code)))"
        case .admin(let address, let reason): "--admin \(address): cannot listen: \(reason)"
        }
    }
}
