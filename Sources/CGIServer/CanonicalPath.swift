#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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

    /// Whether this path is `root` itself or lies below it.
    func isInside(_ root: CanonicalPath) -> Bool {
        path == root.path || path.hasPrefix(root.path == "/" ? "/" : root.path + "/")
    }
}
