/// HMAC-SHA256 (RFC 2104 with FIPS 180-4 SHA-256): a message authentication code, the same
/// as Python's `hmac.new(key, message, "sha256")`.
///
/// ```swift
/// let mac = HMACSHA256.code(for: Array("message".utf8), key: key)
/// let ok = ConstantTime.equals(mac.bytes, received)
/// ```
public struct HMACSHA256: Sendable {
    /// SHA-256's block size in bytes: keys are padded (or first hashed) to this length.
    static let blockSize = 64
    private var inner = SHA256()
    private var outer = SHA256()

    /// Starts a MAC with `key` (any length; longer than 64 bytes is hashed first, RFC 2104 §2).
    public init(key: some Collection<UInt8>) {
        var block = key.count > Self.blockSize ? SHA256.hash(key).bytes : Array(key)
        block += [UInt8](repeating: 0, count: Self.blockSize - block.count)
        inner.update(block.map { $0 ^ 0x36 })
        outer.update(block.map { $0 ^ 0x5c })
    }

    /// Adds `bytes` to the authenticated message.
    public mutating func update(_ bytes: [UInt8]) {
        inner.update(bytes)
    }

    /// The MAC of everything added: 32 bytes.
    public consuming func finalize() -> SHA256.Digest {
        outer.update(inner.finalize().bytes)
        return outer.finalize()
    }

    /// Writes the MAC of what was added and `message` to `mac` (32 bytes, which may be where
    /// `message` is), leaving this MAC as it was and allocating nothing: PBKDF2's inner loop
    /// keys one MAC and uses it for every iteration.
    func code(appending message: UnsafeRawBufferPointer, into mac: UnsafeMutableRawBufferPointer) {
        var inner = inner
        var outer = outer
        inner.finish(appending: message, into: mac)
        outer.finish(appending: UnsafeRawBufferPointer(mac), into: mac)
    }

    /// The MAC of `message` under `key` in one call.
    public static func code(for message: some Collection<UInt8>, key: some Collection<UInt8>) -> SHA256.Digest {
        var mac = HMACSHA256(key: key)
        mac.update(Array(message))
        return mac.finalize()
    }
}
