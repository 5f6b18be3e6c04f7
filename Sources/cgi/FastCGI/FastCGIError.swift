import Glibc

/// Why `cgi fastcgi` cannot start, in words a user can act on.
enum FastCGIError: Error, CustomStringConvertible {
    case badListenAddress(String)
    case noListenAddress
    case badSocketMode(String)
    case badEnvironment(String)
    case programNotFound(String)
    case socket(String, errno: Int32)

    var description: String {
        switch self {
        case .badListenAddress(let text):
            "--listen \(text): expected unix:PATH (under 108 bytes) or HOST:PORT (an IPv4 address or localhost)"
        case .noListenAddress: "--listen is needed unless systemd passes the socket (LISTEN_FDS)"
        case .badSocketMode(let text): "--socket-mode \(text): expected an octal mode such as 0660"
        case .badEnvironment(let text): "--env \(text): expected NAME=VALUE"
        case .programNotFound(let name): "\(name): no such executable (give a path, a .swift script, or a program on PATH)"
        case .socket(let what, let code): "\(what): \(String(cString: strerror(code)))"
        }
    }
}
