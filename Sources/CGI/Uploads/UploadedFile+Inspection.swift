extension UploadedFile {
    /// A name to store the upload under, made from ``filename``: never empty, hidden, a path,
    /// `.` or `..` (`.htaccess` gives `htaccess`, `..` gives `upload`, `a b?.png` gives
    /// `a_b_.png`). Two uploads may have the same one: add something unique to it.
    public var storageName: String {
        StorageName.make(from: filename)
    }

    /// The first `count` bytes of the file (fewer when the file is shorter), read without
    /// loading the rest.
    public func firstBytes(_ count: Int) throws -> [UInt8] {
        var bytes: [UInt8] = []
        guard count > 0 else { return bytes }
        do {
            try readChunks(size: min(count, 64 << 10)) { chunk in
                bytes += chunk.prefix(count - bytes.count)
                if bytes.count == count { throw PrefixRead() }
            }
        } catch is PrefixRead {}
        return bytes
    }

    /// The media type the file's first bytes announce (``FileSignature``), whatever the
    /// client claimed in ``contentType``; nil for a type it does not know.
    public func sniffedMediaType() throws -> String? {
        FileSignature.mediaType(of: try firstBytes(FileSignature.prefixLength))
    }
}

/// Thrown by ``UploadedFile/firstBytes(_:)`` to stop reading once it has its bytes.
private struct PrefixRead: Error {}
