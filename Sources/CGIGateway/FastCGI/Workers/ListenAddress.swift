/// Where a FastCGI worker pool listens: `unix:PATH` or `HOST:PORT` (an IPv4 address or `localhost`).
package enum ListenAddress: Equatable, Sendable, CustomStringConvertible {
    /// A unix socket file.
    case unix(path: String)
    /// A TCP port on an IPv4 address.
    case tcp(host: String, port: UInt16)

    /// Parses `unix:PATH` or `HOST:PORT`.
    package init(parsing text: String) throws(ListeningSocketError) {
        if text.hasPrefix("unix:") {
            let path = String(text.dropFirst("unix:".count))
            guard !path.isEmpty, path.utf8.count < 108 else { throw .badListenAddress(text) }
            self = .unix(path: path)
            return
        }
        guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]), port > 0
        else { throw .badListenAddress(text) }
        let host = String(text[..<colon])
        guard !host.isEmpty else { throw .badListenAddress(text) }
        self = .tcp(host: host, port: port)
    }

    /// What the manager prints once it is ready: `unix:PATH` or `fastcgi://HOST:PORT`.
    package var description: String {
        switch self {
        case .unix(let path): "unix:\(path)"
        case .tcp(let host, let port): "fastcgi://\(host):\(port)"
        }
    }
}
