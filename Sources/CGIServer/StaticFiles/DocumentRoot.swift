import COpenBeneath
import Glibc

/// The document root as static files are opened from it. Every open is checked on the opened
/// descriptor: the file must lie inside the root and outside the script folder.
///
/// Two ways, the same answer:
/// - Fast: `openat2(2)` with `RESOLVE_BENEATH` from a descriptor of the root opened at start-up.
///   The kernel refuses every step that would leave the root, so the file is inside it by
///   construction. This way is only taken when neither folder lies inside the other (otherwise a
///   file beneath the root could still be a script).
/// - General, for whatever the fast way refuses or cannot do (an absolute symbolic link, which
///   may well point inside the root; a kernel without `openat2`; overlapping folders): `open`,
///   then compare the path the kernel gives for the descriptor (`/proc/self/fd/N`) with both folders.
final class DocumentRoot: Sendable {
    /// A file (or folder) opened inside the root, with its status.
    struct OpenFile {
        var descriptor: Int32
        var info: stat
    }

    /// The document root, resolved.
    let path: CanonicalPath
    /// The script folder, resolved; files inside it are never opened, even when it lies inside the root.
    let scriptRoot: CanonicalPath
    /// The root, open for the fast way; -1 when only the general way is used.
    private let descriptor: Int32

    init(path: CanonicalPath, scriptRoot: CanonicalPath) {
        self.path = path
        self.scriptRoot = scriptRoot
        let overlapping = scriptRoot.isInside(path) || path.isInside(scriptRoot)
        descriptor = overlapping ? -1 : open(path.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// Opens `relativePath` (segments joined by `/`; empty for the root itself) without ever
    /// blocking, even on a FIFO; `nil` when it does not exist, cannot be opened or lies outside.
    func openFile(at relativePath: String) -> OpenFile? {
        if descriptor >= 0 {
            let opened = copen_beneath(descriptor, relativePath.isEmpty ? "." : relativePath, Self.openFlags)
            if opened >= 0 { return status(of: opened) }
            switch errno {
            case EXDEV, ENOSYS, EPERM, EINVAL, E2BIG: break  // The general way decides.
            default: return nil
            }
        }
        let opened = open(relativePath.isEmpty ? path.path : path.path + "/" + relativePath, Self.openFlags)
        guard opened >= 0 else { return nil }
        guard let resolved = CanonicalPath(openDescriptor: opened), resolved.isInside(path),
            !resolved.isInside(scriptRoot)
        else {
            close(opened)
            return nil
        }
        return status(of: opened)
    }

    /// The absolute path of the regular file at `segments` (decoded URL path segments) when it
    /// exists inside the root and outside the script folder, as ``openFile(at:)`` checks; nil otherwise.
    func regularFilePath(segments: [String]) -> String? {
        guard !segments.contains(where: { $0.contains("/") || $0.contains("\\") }) else { return nil }
        let relativePath = segments.joined(separator: "/")
        guard let file = openFile(at: relativePath) else { return nil }
        close(file.descriptor)
        return file.info.st_mode & S_IFMT == S_IFREG ? path.path + "/" + relativePath : nil
    }

    private static let openFlags = O_RDONLY | O_CLOEXEC | O_NONBLOCK

    /// `descriptor` with its status; closes it and gives `nil` when `fstat` fails.
    private func status(of descriptor: Int32) -> OpenFile? {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            close(descriptor)
            return nil
        }
        return OpenFile(descriptor: descriptor, info: info)
    }
}
