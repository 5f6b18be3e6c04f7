/// Collects one upload's bytes: in memory up to a threshold, then in a ``TemporaryFile``.
///
/// Small pieces are gathered into writes of up to ``writeSize`` bytes; large pieces are
/// written straight through, so memory use stays at one write buffer whatever the upload's size.
/// With `hashing`, every piece also goes through a running ``SHA256`` as it arrives, so the
/// upload's digest is known when it ends without reading it again; once the upload moves to
/// a file, the hash continues on a thread of its own (``BackgroundSHA256``).
struct UploadSpool {
    /// The most bytes gathered before a write to the temporary file.
    static let writeSize = 64 << 10
    /// Pieces at least this large are written as they are, without copying.
    static let directWriteSize = 16 << 10

    /// Uploads up to this many bytes stay in memory.
    let memoryThreshold: Int
    /// Where the temporary file is created.
    let directory: String
    /// The bytes received so far.
    private(set) var size = 0
    /// The in-memory contents, or bytes waiting to be written to the file.
    private var buffer: [UInt8] = []
    private var file: TemporaryFile?
    /// The hash of the bytes so far, when the spool computes one and has not handed it to
    /// `backgroundHash`.
    private var hash: SHA256?
    /// The hash once the upload is in a file.
    private var backgroundHash: BackgroundSHA256?

    /// Creates an empty spool; with `hashing`, it computes the upload's SHA-256 as it goes.
    init(memoryThreshold: Int, directory: String, hashing: Bool = false) {
        self.memoryThreshold = memoryThreshold
        self.directory = directory
        hash = hashing ? SHA256() : nil
    }

    /// Appends the next bytes of the upload.
    mutating func append(_ bytes: UnsafeRawBufferPointer) throws {
        size += bytes.count
        let file = try fileOnceOverThreshold()
        hash?.update(bytes)
        backgroundHash?.update(bytes)
        guard let file else {
            buffer.append(contentsOf: bytes)
            return
        }
        if bytes.count < Self.directWriteSize {
            if buffer.count + bytes.count > Self.writeSize { try flush(to: file) }
            buffer.append(contentsOf: bytes)
        } else {
            try flush(to: file)
            try file.write(bytes)
        }
    }

    /// Ends the upload and hands its contents to an ``UploadedFile``.
    consuming func finish(filename rawFilename: String, contentType: String) throws -> UploadedFile {
        let digest = backgroundHash?.finalize() ?? hash?.finalize()
        guard let file else {
            return UploadedFile(rawFilename: rawFilename, contentType: contentType, bytes: buffer, sha256: digest)
        }
        try flush(to: file)
        try file.finishWriting()
        return UploadedFile(
            rawFilename: rawFilename, contentType: contentType, temporaryFile: file, size: size, sha256: digest)
    }

    /// The temporary file, created when the upload first passes the memory threshold (and
    /// the hash moved to its thread then); nil while the upload still fits in memory.
    private mutating func fileOnceOverThreshold() throws -> TemporaryFile? {
        if let file { return file }
        if size <= memoryThreshold { return nil }
        let created = try TemporaryFile(in: directory)
        file = created
        if let running = hash, let background = BackgroundSHA256(continuing: running) {
            backgroundHash = background
            hash = nil
        }
        return created
    }

    private mutating func flush(to file: TemporaryFile) throws {
        try buffer.withUnsafeBytes { try file.write($0) }
        buffer.removeAll(keepingCapacity: true)
    }
}
