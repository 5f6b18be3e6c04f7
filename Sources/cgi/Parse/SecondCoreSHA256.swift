import CGI

/// `cgi parse`'s ``UploadHasher``: hashes an upload's first bytes on the reading thread and,
/// once the upload is larger than ``handOverSize`` (and so goes to a temporary file),
/// continues on a thread of its own (``BackgroundSHA256``), so a large upload is hashed on
/// the second core while the reading thread parses and writes it.
struct SecondCoreSHA256: UploadHasher {
    /// The bytes hashed on the reading thread before the hash moves to its own thread: the
    /// default ``FormOptions/memoryThreshold``, past which an upload is written to a file.
    static let handOverSize = FormOptions().memoryThreshold

    /// The hash so far, while it runs on the reading thread.
    private var hash = SHA256()
    /// The hash once it runs on its own thread.
    private var background: BackgroundSHA256?
    /// The bytes given so far.
    private var size = 0

    init() {}

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        if let background {
            background.update(bytes)
            return
        }
        hash.update(bytes)
        size += bytes.count
        // Where no thread can be started, the hash simply stays on this one.
        if size > Self.handOverSize { background = BackgroundSHA256(continuing: hash) }
    }

    consuming func finalize() -> SHA256.Digest {
        background?.finalize() ?? hash.finalize()
    }
}
