/// Where a FastCGI application listens: `unix:PATH` (a Unix domain socket) or `HOST:PORT`
/// (TCP; an IPv6 host in brackets, `[::1]:9000`).
public enum FastCGIAddress: Sendable, Hashable, CustomStringConvertible {
    /// A Unix domain socket.
    case unix(path: String)
    /// A TCP address.
    case tcp(host: String, port: Int)

    /// Reads `unix:PATH` or `HOST:PORT`.
    /// - Throws: ``FastCGIPassError`` naming what is wrong.
    public init(parsing text: String) throws(FastCGIPassError) {
        if text.hasPrefix("unix:") {
            let path = String(text.dropFirst(5))
            guard path.hasPrefix("/") else { throw FastCGIPassError("the socket path in \(text) must be absolute") }
            self = .unix(path: path)
            return
        }
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port)
        else { throw FastCGIPassError("\(text) is neither unix:PATH nor HOST:PORT") }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw FastCGIPassError("\(text) has no host") }
        self = .tcp(host: host, port: port)
    }

    /// `unix:PATH` or `HOST:PORT`, as given on the command line.
    public var description: String {
        switch self {
        case .unix(let path): "unix:\(path)"
        case .tcp(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        }
    }
}

/// A `--fastcgi-pass SUFFIX=ADDRESS` that cannot be used, and why.
public struct FastCGIPassError: Error, Sendable, CustomStringConvertible {
    /// What is wrong, for the person who wrote it.
    public var description: String

    init(_ description: String) {
        self.description = description
    }
}
