import CGIGateway
import Glibc

/// The server's private folder for its resident workers' sockets: made with mkdtemp(3) (mode
/// 0700, so only the server's user may connect) under `TMPDIR` or /tmp, removed at shutdown.
struct SocketFolder: Sendable {
    /// The folder's path.
    let path: String

    /// Makes a new folder.
    init() throws(ListeningSocketError) {
        let base = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array("\(base)/cgi-server-XXXXXX".utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
            throw .socket("mkdtemp \(base)", errno: errno)
        }
        path = String(cString: template)
        // A socket path must fit in sockaddr_un (108 bytes with its NUL).
        guard path.utf8.count < 80 else {
            rmdir(path)
            throw .badListenAddress("unix:\(path)")
        }
    }

    /// The path of the socket named `name` (a worker's number).
    func socketPath(_ name: String) -> String { "\(path)/\(name).sock" }

    /// Removes the folder and the socket files left in it (workers' sockets are removed as
    /// workers are reaped; this catches those of a server that stops while workers run).
    func remove() {
        if let folder = opendir(path) {
            while let entry = readdir(folder) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                if name.hasSuffix(".sock") { unlink("\(path)/\(name)") }
            }
            closedir(folder)
        }
        rmdir(path)
    }
}
