import Glibc

/// The socket every worker accepts on: bound and listening, numbered 3 or above, close-on-exec
/// (workers get their copy as descriptor 0 through the spawn's file actions).
package struct ListeningSocket: Sendable {
    /// The listening descriptor (3 or above, close-on-exec).
    package let descriptor: Int32
    /// Where it listens.
    package let address: ListenAddress
    /// Whether someone else bound the socket (systemd): its file, if any, is theirs to remove.
    package var isInherited = false

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

    /// Takes a socket someone else bound and listens on (systemd's socket activation): a TCP
    /// socket on IPv4 or a unix socket, in the listening state.
    package init(inheriting descriptor: Int32) throws(ListeningSocketError) {
        var accepting: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(descriptor, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &length) == 0, accepting != 0 else {
            throw .socket("inherited descriptor \(descriptor) is not a listening socket", errno: errno == 0 ? ENOTSOCK : errno)
        }
        var storage = sockaddr_storage()
        var size = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &size) }
        }
        guard named == 0 else { throw .socket("getsockname on inherited descriptor \(descriptor)", errno: errno) }
        switch Int32(storage.ss_family) {
        case AF_INET:
            let inet = withUnsafeBytes(of: &storage) { $0.load(as: sockaddr_in.self) }
            var text = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
            var host = inet.sin_addr
            inet_ntop(AF_INET, &host, &text, socklen_t(text.count))
            address = .tcp(host: String(cString: text), port: UInt16(bigEndian: inet.sin_port))
        case AF_UNIX:
            let path = withUnsafeBytes(of: &storage) { raw in
                let bytes = raw.dropFirst(MemoryLayout<sa_family_t>.size).prefix(Int(size) - MemoryLayout<sa_family_t>.size)
                return String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            }
            address = .unix(path: path)
        default:
            throw .socket("inherited descriptor \(descriptor) is neither IPv4 TCP nor a unix socket", errno: EAFNOSUPPORT)
        }
        self.descriptor = descriptor
        isInherited = true
    }

    /// Closes the socket and removes a unix socket's file (unless the socket was inherited).
    package func close() {
        _ = Glibc.close(descriptor)
        if case .unix(let path) = address, !isInherited { unlink(path) }
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
