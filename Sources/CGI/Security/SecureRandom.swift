/// Unpredictable bytes and tokens for session ids, CSRF tokens and signing keys.
///
/// The bytes come from the standard library's `SystemRandomNumberGenerator`, which on Linux
/// asks the kernel's CSPRNG through getrandom(2) (the source of Python's `secrets`).
///
/// ```swift
/// let sessionID = SecureRandom.token()          // 43 characters, 256 bits
/// ```
public enum SecureRandom {
    /// `count` random bytes.
    public static func bytes(count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count + 7)
        while bytes.count < count {
            withUnsafeBytes(of: generator.next() as UInt64) { bytes.append(contentsOf: $0) }
        }
        return Array(bytes.prefix(count))
    }

    /// A random token of `byteCount` bytes (32 by default, as Python's `secrets.token_urlsafe`)
    /// in unpadded base64url: letters, digits, `-` and `_`, safe in a URL, a cookie or a file
    /// name.
    public static func token(byteCount: Int = 32) -> String {
        Base64URL.encode(bytes(count: byteCount))
    }
}
