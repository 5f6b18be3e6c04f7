import Glibc

/// A file created with `mkstemp` (mode 0600) that is deleted when this object goes away,
/// and in any case when the process exits, unless it was ``release()``d (moved elsewhere).
///
/// Upload spooling writes into it; ``UploadedFile`` then owns it.
final class TemporaryFile {
    /// The file's path.
    let path: String
    private var descriptor: Int32
    private var isOwned = true

    /// Creates an empty file named `cgi-upload-XXXXXX` in `directory`.
    init(in directory: String) throws {
        var template = Array("\(directory)/cgi-upload-XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        if descriptor < 0 {
            throw CGIError.io(operation: "creating a temporary file in \(directory)", errno: errno)
        }
        self.descriptor = descriptor
        self.path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        Self.registerForRemovalAtExit(path)
    }

    /// The directory for temporary files: `preferred`, else `$TMPDIR`, else `/tmp`.
    static func directory(preferred: String?) -> String {
        if let preferred, !preferred.isEmpty { return preferred }
        if let tmpdir = getenv("TMPDIR"), tmpdir.pointee != 0 { return String(cString: tmpdir) }
        return "/tmp"
    }

    /// Appends `bytes` to the file.
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        precondition(descriptor >= 0, "write after finishWriting()")
        try FileIO.write(bytes, to: descriptor, path: path)
    }

    /// Closes the file for writing (readers open it by path).
    func finishWriting() throws {
        guard descriptor >= 0 else { return }
        let result = close(descriptor)
        descriptor = -1
        if result != 0 { throw CGIError.io(operation: "closing \(path)", errno: errno) }
    }

    /// Stops managing the file: it is no longer deleted (it was renamed away).
    func release() {
        isOwned = false
        Self.pending.withLock { _ = $0.remove(path) }
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
        if isOwned {
            unlink(path)
            Self.pending.withLock { _ = $0.remove(path) }
        }
    }

    // MARK: Removal at exit

    /// Paths still to delete when the process exits.
    private static let pending = Locked<Set<String>>([])

    /// Installs the `atexit` handler once (global initializers run exactly once).
    private static let exitHandler: Void = {
        atexit { TemporaryFile.removeAllPending() }
    }()

    private static func registerForRemovalAtExit(_ path: String) {
        _ = exitHandler
        pending.withLock { _ = $0.insert(path) }
    }

    private static func removeAllPending() {
        pending.withLock { paths in
            for path in paths { unlink(path) }
            paths.removeAll()
        }
    }
}
