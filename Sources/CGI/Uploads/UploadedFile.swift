import Glibc

/// A file uploaded in a multipart form.
///
/// Small uploads (up to ``FormOptions/memoryThreshold``) are held in memory; larger ones
/// were spooled to a temporary file (mode 0600) while the body was read. The temporary file
/// is deleted when this object goes away, and at the latest when the process exits, unless
/// the upload was moved with ``move(to:)``.
///
/// ```swift
/// if let photo = request.form.file("photo"), try photo.sniffedMediaType() == "image/jpeg" {
///     // A fresh random prefix: a second upload of `cat.jpg` must not replace the first.
///     try photo.move(to: "/srv/photos/\(SecureRandom.token(byteCount: 12))-\(photo.storageName)")
/// }
/// ```
///
/// Never store an upload under ``filename``: it may be empty, hidden (`.htaccess`) or a
/// name already taken; ``storageName`` is safe to use in a path.
public final class UploadedFile: Sendable {
    /// The client's filename reduced to its last path component (`C:\dir\a.txt` gives
    /// `a.txt`, `../../etc/passwd` gives `passwd`, `..` gives ""), for display; may be empty
    /// or hidden (RFC 7578 §4.2: receivers must not use the path information). To store the
    /// file, use ``storageName``.
    public let filename: String
    /// The filename exactly as the client sent it (after RFC 5987 decoding), paths included.
    public let rawFilename: String
    /// The part's Content-Type (`text/plain` when the part has none, RFC 7578 §4.4).
    public let contentType: String
    /// The file's size in bytes.
    public let size: Int
    /// The SHA-256 of the contents, computed while the upload was read (``FormOptions/uploadHasher``);
    /// nil when it was not.
    private let digest: SHA256.Digest?

    private enum Storage {
        /// Held in memory.
        case memory([UInt8])
        /// In a temporary file this object deletes.
        case temporary(TemporaryFile)
        /// Moved to a path the caller chose; no longer deleted.
        case moved(path: String)
    }

    private let storage: Locked<Storage>

    /// Creates an in-memory upload.
    public convenience init(rawFilename: String, contentType: String, bytes: [UInt8]) {
        self.init(rawFilename: rawFilename, contentType: contentType, bytes: bytes, sha256: nil)
    }

    /// Creates an in-memory upload whose SHA-256, when not nil, is already known to be `sha256`.
    convenience init(rawFilename: String, contentType: String, bytes: [UInt8], sha256: SHA256.Digest?) {
        self.init(
            rawFilename: rawFilename, contentType: contentType, size: bytes.count, storage: .memory(bytes),
            sha256: sha256)
    }

    /// Creates an upload stored in `temporaryFile`, which it now owns; its SHA-256, when not
    /// nil, is already known to be `sha256`.
    convenience init(
        rawFilename: String, contentType: String, temporaryFile: TemporaryFile, size: Int, sha256: SHA256.Digest? = nil
    ) {
        self.init(
            rawFilename: rawFilename, contentType: contentType, size: size, storage: .temporary(temporaryFile),
            sha256: sha256)
    }

    private init(rawFilename: String, contentType: String, size: Int, storage: Storage, sha256: SHA256.Digest?) {
        self.rawFilename = rawFilename
        self.filename = Self.baseName(of: rawFilename)
        self.contentType = contentType
        self.size = size
        self.storage = Locked(storage)
        self.digest = sha256
    }

    /// The path of the file on disk (the temporary file, or where it was moved), or nil
    /// while the upload is held in memory.
    public var path: String? {
        storage.withLock { storage in
            switch storage {
            case .memory: nil
            case .temporary(let file): file.path
            case .moved(let path): path
            }
        }
    }

    /// The whole file in memory. Meant for small files; use ``readChunks(size:_:)`` for large ones.
    public func bytes() throws -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(size)
        try readChunks { bytes.append(contentsOf: $0) }
        return bytes
    }

    /// Reads the file from the start in chunks of up to `size` bytes, calling `body` with each.
    /// The bytes are valid only during the call.
    public func readChunks(size: Int = 64 << 10, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        switch storage.withLock({ $0 }) {
        case .memory(let bytes):
            try bytes.withUnsafeBytes { all in
                for start in stride(from: 0, to: all.count, by: max(size, 1)) {
                    try body(UnsafeRawBufferPointer(rebasing: all[start..<min(start + size, all.count)]))
                }
            }
        case .temporary(let file):
            try FileIO.readChunks(of: file.path, chunkSize: size, body)
        case .moved(let path):
            try FileIO.readChunks(of: path, chunkSize: size, body)
        }
    }

    /// The SHA-256 of the file's contents: the one computed while the upload was read when
    /// ``FormOptions/uploadHasher`` was set (of the bytes received, even if the file was changed
    /// on disk since), else computed now by reading the file.
    public func sha256() throws -> SHA256.Digest {
        if let digest { return digest }
        var hash = SHA256()
        try readChunks { hash.update($0) }
        return hash.finalize()
    }

    /// Moves the file to `destination` (replacing a file there): a rename when it is on the
    /// same filesystem, a copy otherwise. From then on the file lives at `destination`, is
    /// no longer deleted, and reading it reads `destination`. The file keeps mode 0600.
    public func move(to destination: String) throws {
        try storage.withLock { storage in
            switch storage {
            case .memory(let bytes):
                try FileIO.create(destination, with: bytes)
            case .temporary(let file):
                try Self.rename(file.path, to: destination)
                file.release()
            case .moved(let path):
                try Self.rename(path, to: destination)
            }
            storage = .moved(path: destination)
        }
    }

    /// Copies the file to `destination` (replacing a file there, mode 0600); this upload
    /// stays where it is.
    public func save(to destination: String) throws {
        switch storage.withLock({ $0 }) {
        case .memory(let bytes):
            try FileIO.create(destination, with: bytes)
        case .temporary(let file):
            try FileIO.copy(from: file.path, to: destination)
        case .moved(let path):
            try FileIO.copy(from: path, to: destination)
        }
    }

    /// Renames `source` to `destination`, copying and deleting across filesystems (`EXDEV`).
    private static func rename(_ source: String, to destination: String) throws {
        if Glibc.rename(source, destination) == 0 { return }
        guard errno == EXDEV else { throw CGIError.io(operation: "moving \(source) to \(destination)", errno: errno) }
        try FileIO.copy(from: source, to: destination)
        unlink(source)
    }

    /// The last component of a client path, whether it uses `/` or `\` (Windows) separators;
    /// "" for `.` and `..`.
    static func baseName(of path: String) -> String {
        let last = path.split(separator: "/", omittingEmptySubsequences: false).last ?? ""
        let name = last.split(separator: "\\", omittingEmptySubsequences: false).last ?? ""
        return name == "." || name == ".." ? "" : String(name)
    }
}
