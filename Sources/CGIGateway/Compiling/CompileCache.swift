import CGICore
import Glibc
import SystemPackage

/// The folder where compiled scripts are kept: outside the served tree, one executable per
/// script content, named `NAME-KEY` where KEY is a digest of everything the executable
/// depends on (see ``ScriptCompiler``).
///
/// An executable appears in the cache only complete: it is compiled to `NAME-KEY.partial`
/// and renamed into place. The compiler's messages for a source that does not compile are
/// kept as `NAME-KEY.failed`. Compiles of one entry are serialised by an exclusive `flock(2)`
/// on `NAME-KEY.lock`, which holds between processes and, since every caller opens the lock
/// file anew, between threads of one process too.
///
/// With a size limit (``prune(toAtMost:keeping:)``), the least recently used executables are
/// removed first. An entry's last use is its access time: set when it is compiled and whenever
/// ``ScriptCompiler`` finds it here (``markUsed(_:)``), and by the kernel when it runs (under
/// the usual `relatime` mount option, at most once a day).
public struct CompileCache: Sendable, Equatable {
    /// The cache folder, as an absolute path: the compiler runs inside it, so paths handed
    /// to it must not depend on the working directory.
    public let directory: String

    /// Uses `directory` as the cache, creating it (mode 0700) and its parents if needed.
    public init(directory: String) throws(ScriptCompilerError) {
        do {
            try FilePath(directory).createFolders(permissions: .ownerReadWriteExecute)
        } catch {
            throw .cacheUnusable(path: directory, errno: error.rawValue)
        }
        guard let resolved = realpath(directory, nil) else { throw .cacheUnusable(path: directory, errno: errno) }
        defer { free(resolved) }
        self.directory = String(cString: resolved)
    }

    /// The default cache folder: `$XDG_CACHE_HOME/swift-cgi`, else `$HOME/.cache/swift-cgi`,
    /// else `/tmp/swift-cgi-UID`.
    public static var defaultDirectory: String {
        if let cache = environment("XDG_CACHE_HOME") { return cache + "/swift-cgi" }
        if let home = environment("HOME") { return home + "/.cache/swift-cgi" }
        return "/tmp/swift-cgi-\(getuid())"
    }

    /// The path of the entry for a script called `name` whose inputs digest to `key`.
    func path(name: String, key: String) -> String {
        directory + "/" + name + "-" + key
    }

    /// Whether the entry at `path` is complete and executable.
    func contains(_ path: String) -> Bool {
        access(path, X_OK) == 0
    }

    /// Runs `body` while holding the exclusive lock of the entry at `path`, waiting for it
    /// as long as another thread or process holds it.
    func withLock<Result>(
        on path: String, _ body: () throws(ScriptCompilerError) -> Result
    ) throws(ScriptCompilerError) -> Result {
        let lockPath = path + ".lock"
        let lock = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard lock >= 0 else { throw .cacheUnusable(path: lockPath, errno: errno) }
        defer { close(lock) }  // closing the file releases the lock
        while flock(lock, LOCK_EX) != 0 {
            guard errno == EINTR else { throw .cacheUnusable(path: lockPath, errno: errno) }
        }
        return try body()
    }

    /// Puts a finished executable from `partial` at `path` in one step (rename(2)), so that
    /// no reader ever sees half a file.
    ///
    /// The executable is rewritten in 128 KiB pieces first rather than renamed as the linker
    /// left it. Measured here (Linux 6.18, ext4): the page cache then holds the file in larger
    /// folios, and each process started from it takes about 10 fewer page faults (of about 80)
    /// for as long as the file stays cached, some 50 µs on every request
    /// (`Benchmarks/swift-script.sh`). Once the file was evicted and read back, it behaves like
    /// any other.
    func install(_ partial: String, at path: String) throws(ScriptCompilerError) {
        let copy = partial + ".copy"
        defer { unlink(partial) }
        if let failure = Self.rewrite(partial, to: copy) {
            unlink(copy)
            throw .cacheUnusable(path: path, errno: failure.rawValue)
        }
        guard rename(copy, path) == 0 else {
            let failure = errno
            unlink(copy)
            throw .cacheUnusable(path: path, errno: failure)
        }
    }

    /// Copies `source` to a new executable file `destination` in 128 KiB reads and writes;
    /// the error of the failed open, read or write, or nil.
    private static func rewrite(_ source: String, to destination: String) -> Errno? {
        do {
            let input = try FileDescriptor.open(FilePath(source), .readOnly, options: .closeOnExec)
            defer { try? input.close() }
            let output = try FileDescriptor.open(
                FilePath(destination), .writeOnly, options: [.create, .exclusiveCreate, .closeOnExec],
                permissions: [.ownerReadWriteExecute, .groupReadExecute, .otherReadExecute])
            defer { try? output.close() }
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 128 << 10, alignment: 16)
            defer { buffer.deallocate() }
            while case let count = try input.read(into: buffer, retryOnInterrupt: true), count > 0 {
                _ = try output.writeAll(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
            }
            return nil
        } catch {
            return (error as? Errno) ?? .ioError
        }
    }

    /// Marks the entry at `path` as used now (its access time), for ``prune(toAtMost:keeping:)``.
    func markUsed(_ path: String) {
        let now = (1 << 30) - 1
        let unchanged = (1 << 30) - 2  // UTIME_NOW, UTIME_OMIT
        var times = [timespec(tv_sec: 0, tv_nsec: now), timespec(tv_sec: 0, tv_nsec: unchanged)]
        utimensat(AT_FDCWD, path, &times, 0)
    }

    /// Removes the least recently used executables, with their lock and failure files, until
    /// the executables left take at most `bytes` of disk; the one at `kept` (just compiled)
    /// stays whatever its size. Best effort: an entry that cannot be removed is skipped.
    func prune(toAtMost bytes: Int, keeping kept: String) {
        var entries = executables()
        var total = entries.reduce(0) { $0 + $1.bytes }
        entries.sort { ($0.lastUsed.tv_sec, $0.lastUsed.tv_nsec) < ($1.lastUsed.tv_sec, $1.lastUsed.tv_nsec) }
        for entry in entries where total > bytes && entry.path != kept {
            guard unlink(entry.path) == 0 else { continue }
            unlink(entry.path + ".lock")
            unlink(entry.path + ".failed")
            total -= entry.bytes
        }
    }

    /// The cache's executables (`NAME-KEY`, KEY a SHA-256 in hexadecimal), with their disk use
    /// and last use.
    private func executables() -> [(path: String, bytes: Int, lastUsed: timespec)] {
        guard let folder = opendir(directory) else { return [] }
        defer { closedir(folder) }
        var found: [(path: String, bytes: Int, lastUsed: timespec)] = []
        while let entry = readdir(folder) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard let dash = name.lastIndex(of: "-"), Self.isKey(name[name.index(after: dash)...]) else { continue }
            var info = stat()
            let path = directory + "/" + name
            guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            found.append((path, Int(info.st_blocks) * 512, info.st_atim))
        }
        return found
    }

    /// Whether `text` is a key: 64 lower-case hexadecimal digits.
    private static func isKey(_ text: Substring) -> Bool {
        text.utf8.count == 64
            && text.utf8.allSatisfy { HTTPSyntax.isDigit($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
    }

    /// Keeps the compiler's messages for an entry whose source does not compile
    /// (`NAME-KEY.failed`), so that the same source is not compiled again. Best effort: a
    /// failure to write only means the next request compiles again.
    func recordFailure(_ diagnostics: String, of path: String) {
        try? FilePath(path + ".failed").writeAtomically(Array(diagnostics.utf8), permissions: .ownerReadWrite)
    }

    /// The compiler's messages kept by ``recordFailure(_:of:)`` for the entry at `path`, if any.
    func recordedFailure(of path: String) -> String? {
        (try? WholeFile.read(path + ".failed")).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The digest naming an entry: SHA-256 of `bytes`, in hexadecimal.
    static func key(for bytes: [UInt8]) -> String {
        SHA256.hash(bytes).hexadecimal
    }

    private static func environment(_ name: String) -> String? {
        guard let value = getenv(name), value.pointee != 0 else { return nil }
        return String(cString: value)
    }
}
