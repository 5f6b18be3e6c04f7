import Foundation
import Glibc

/// A fresh folder under the system's temporary folder that lives as long as this object.
///
/// When the object goes away (the test ends, passed or failed), every process still working
/// inside the folder is killed and the folder is removed with its content. Hold it in the
/// suite's instance or use ``withTemporaryDirectory(_:_:)`` for one scope.
public final class TemporaryDirectory: @unchecked Sendable {
    /// The folder's real path (symbolic links resolved).
    public let path: String

    /// The folder as a file URL.
    public var url: URL { URL(fileURLWithPath: path, isDirectory: true) }

    /// Creates an empty folder in `parent` named `prefix` followed by six random characters.
    public init(prefix: String = "cgi-tests", in parent: String = NSTemporaryDirectory()) throws {
        var template = Array((parent + "/\(prefix).XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            throw TemporaryDirectoryError(prefix: prefix, errno: errno)
        }
        let created = String(cString: made)
        guard let resolved = realpath(created, nil) else {
            path = created
            return
        }
        path = String(cString: resolved)
        free(resolved)
    }

    /// `path` + "/" + `name`.
    public func appending(_ name: String) -> String {
        path + "/" + name
    }

    /// Makes a fresh, empty folder inside this one and returns its path; it goes with this one.
    public func newFolder() throws -> String {
        var template = Array((path + "/folder.XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw TemporaryDirectoryError(prefix: path + "/folder", errno: errno) }
        return String(cString: made)
    }

    /// A folder that lives until the test process exits, for something several tests share
    /// (a compile cache, say).
    public static func removedAtExit(prefix: String) throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory(prefix: prefix)
        ExitCleanup.remove(directory)
        return directory
    }

    deinit {
        removeNow()
    }

    /// Kills what still works inside the folder and removes it.
    fileprivate func removeNow() {
        ProcessSweep.killProcesses(workingInside: path)
        Self.openFolders(path)
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Gives the owner every right on `folder` and the folders inside it, so that folders a
    /// test made unreadable or unwritable cannot stop the removal. Links are neither followed
    /// nor changed: chmod(2) through a test's link to `/` or `/etc` would change that folder.
    private static func openFolders(_ folder: String) {
        var info = stat()
        guard lstat(folder, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else { return }
        chmod(folder, 0o700)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] {
            openFolders(folder + "/" + name)
        }
    }
}

/// Runs `body` with a fresh ``TemporaryDirectory`` that is cleaned up when `body` returns or throws.
public func withTemporaryDirectory<Value>(
    _ prefix: String = "cgi-tests", _ body: (TemporaryDirectory) throws -> Value
) throws -> Value {
    let directory = try TemporaryDirectory(prefix: prefix)
    return try withExtendedLifetime(directory) { try body(directory) }
}

/// A temporary folder that could not be made.
public struct TemporaryDirectoryError: Error, CustomStringConvertible {
    /// The folder name's prefix.
    public let prefix: String
    /// The `mkdtemp(3)` error.
    public let errno: Int32

    public var description: String {
        "cannot make a temporary folder \(prefix).XXXXXX: \(String(cString: strerror(errno)))"
    }
}

/// Folders removed when the test process exits.
private enum ExitCleanup {
    nonisolated(unsafe) private static var folders: [TemporaryDirectory] = []
    private static let lock = NSLock()
    private static let registered: Void = { atexit { ExitCleanup.removeAll() } }()

    static func remove(_ folder: TemporaryDirectory) {
        _ = registered
        lock.withLock { folders.append(folder) }
    }

    private static func removeAll() {
        lock.withLock { folders }.forEach { $0.removeNow() }
    }
}
