import Glibc

/// An absolute file-system path with every symbolic link, `.` and `..` resolved (`realpath(3)`).
struct CanonicalPath: Equatable, Sendable {
    /// The resolved path, e.g. `/srv/site/htdocs/index.html`.
    var path: String

    /// Resolves `path`; `nil` when it does not exist or cannot be resolved.
    init?(resolving path: String) {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        self.path = String(cString: resolved)
    }

    /// The path of an open descriptor as the kernel knows it (`/proc/self/fd/N`): the file actually opened.
    init?(openDescriptor descriptor: Int32) {
        let resolved = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Int(PATH_MAX)) { buffer -> String? in
            let count = readlink("/proc/self/fd/\(descriptor)", buffer.baseAddress!, buffer.count)
            guard count > 0, buffer[0] == UInt8(ascii: "/") else { return nil }
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[..<count]), as: UTF8.self)
        }
        guard let resolved else { return nil }
        self.path = resolved
    }

    /// Whether this path is `root` itself or lies below it.
    func isInside(_ root: CanonicalPath) -> Bool {
        path == root.path || path.hasPrefix(root.path == "/" ? "/" : root.path + "/")
    }
}
