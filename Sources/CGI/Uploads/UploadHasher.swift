/// Computes one upload's SHA-256 while the upload is read: the library hands it each piece
/// of the upload as it arrives, and its digest becomes ``UploadedFile/sha256()``, so the file
/// is not read a second time. Chosen with ``FormOptions/uploadHasher``; a new one (`init()`)
/// starts for every upload.
///
/// ``SHA256`` is one, hashing on the reading thread. A program can give its own, for example
/// one that hashes large uploads on another core while the reading thread writes them.
public protocol UploadHasher: SendableMetatype {
    /// A hasher that has seen no bytes yet.
    init()

    /// Adds the next bytes of the upload (valid only during the call).
    mutating func update(_ bytes: UnsafeRawBufferPointer)

    /// The SHA-256 of all the bytes given.
    consuming func finalize() -> SHA256.Digest
}

extension SHA256: UploadHasher {}
