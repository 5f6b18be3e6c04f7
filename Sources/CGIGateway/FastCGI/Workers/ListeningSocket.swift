import Glibc

/// The socket every worker accepts on: bound and listening, numbered 3 or above, close-on-exec
/// (workers get their copy as descriptor 0 through the spawn's file actions).
package struct ListeningSocket: Sendable {
    /// The listening descriptor (3 or above, close-on-exec).
    package let descriptor: Int32
    /// Where it listens.
    package let address: ListenAddress

    /// Binds and listens on `address`. A unix socket file gets `mode`; a stale socket file left by
    /// a manager that died is replaced, but any other file at that path is an error.
    package init(_ address: ListenAddress, mode: mode_t) throws(ListeningSocketError) {
        self.address = address
        switch address {
        case .unix(let path):
            var info = stat()
            if lstat(path, &info) == 0 {
                guard info.st_mode & S_IFMT == S_IFSOCK, !Self.isServed(path) else {
                    throw .socket("\(path) exists and is not a stale socket", errno: EEXIST)
                }
                unlink(path)
            }
            descriptor = try Self.open(AF_UNIX, what: address)
            let result = Self.withUnixAddress(path) { bind(descriptor, $0, $1) }
            guard result == 0, chmod(path, mode) == 0 else { throw close(after: .socket("bind \(address)", errno: errno)) }
        case .tcp(let host, let port):
            descriptor = try Self.open(AF_INET, what: address)
            var reuse: Int32 = 1
            setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
            var inet = sockaddr_in()
            inet.sin_family = sa_family_t(AF_INET)
            inet.sin_port = port.bigEndian
            guard inet_pton(AF_INET, host == "localhost" ? "127.0.0.1" : host, &inet.sin_addr) == 1 else {
                throw close(after: .badListenAddress("\(host):\(port)"))
            }
            let result = withUnsafePointer(to: &inet) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard result == 0 else { throw close(after: .socket("bind \(address)", errno: errno)) }
        }
        guard listen(descriptor, SOMAXCONN) == 0 else { throw close(after: .socket("listen \(address)", errno: errno)) }
    }

    /// Closes the socket and removes a unix socket's file.
    package func close() {
        _ = Glibc.close(descriptor)
        if case .unix(let path) = address { unlink(path) }
    }

    private func close(after error: ListeningSocketError) -> ListeningSocketError {
        _ = Glibc.close(descriptor)
        return error
    }

    private static func open(_ family: Int32, what address: ListenAddress) throws(ListeningSocketError) -> Int32 {
        let made = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard made >= 0 else { throw .socket("socket for \(address)", errno: errno) }
        guard made < 3 else { return made }
        let moved = fcntl(made, F_DUPFD_CLOEXEC, Int32(3))
        let code = errno
        _ = Glibc.close(made)
        guard moved >= 0 else { throw .socket("socket for \(address)", errno: code) }
        return moved
    }

    /// Whether something still accepts on the unix socket at `path` (another manager running).
    private static func isServed(_ path: String) -> Bool {
        let probe = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard probe >= 0 else { return false }
        defer { _ = Glibc.close(probe) }
        return withUnixAddress(path) { connect(probe, $0, $1) } == 0
    }

    private static func withUnixAddress<R>(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        var unix = sockaddr_un()
        unix.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &unix.sun_path) { bytes in
            for (index, byte) in path.utf8.enumerated() { bytes[index] = byte }
        }
        return withUnsafePointer(to: &unix) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
    }
}
