/// A password stored as a salted, stretched hash (``PBKDF2`` with HMAC-SHA256), never as
/// itself, and checked in constant time.
///
/// The stored form is one line of text, `pbkdf2-sha256$ITERATIONS$SALT$HASH` with the salt and
/// hash in unpadded base64url, so it fits a configuration file, an environment variable or a
/// database column, and keeps its iteration count when the default rises.
///
/// ```swift
/// let stored = PasswordHash.make("correct horse")            // keep this
/// let ok = try PasswordHash.verify("correct horse", against: stored)
/// ```
public enum PasswordHash {
    /// The scheme's name at the start of a stored hash.
    public static let scheme = "pbkdf2-sha256"
    /// The iterations new hashes use: OWASP's figure for PBKDF2-HMAC-SHA256 (2023).
    public static let defaultIterations = 600_000
    /// The bytes of random salt in new hashes (RFC 8018 §4.1 asks for at least 8).
    public static let saltLength = 16

    /// The stored form of `password` with a new random salt.
    public static func make(_ password: String, iterations: Int = defaultIterations) -> String {
        make(password, salt: SecureRandom.bytes(count: saltLength), iterations: iterations)
    }

    /// The stored form of `password` with `salt` (tests compare it with other implementations).
    public static func make(_ password: String, salt: [UInt8], iterations: Int) -> String {
        let hash = PBKDF2.deriveKey(password: Array(password.utf8), salt: salt, iterations: iterations)
        return [scheme, String(iterations), Base64URL.encode(salt), Base64URL.encode(hash)].joined(separator: "$")
    }

    /// Whether `password` is the one `stored` was made from. The hashes are compared in
    /// constant time.
    /// - Throws: ``PasswordHashError/malformed`` when `stored` is not a hash ``make(_:iterations:)`` writes.
    public static func verify(_ password: String, against stored: String) throws -> Bool {
        let parts = stored.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == scheme, parts[1].utf8.allSatisfy(HTTPSyntax.isDigit),
            let iterations = Int(parts[1]), (1...100_000_000).contains(iterations),
            let salt = Base64URL.decode(parts[2]), let expected = Base64URL.decode(parts[3]), !expected.isEmpty
        else { throw PasswordHashError.malformed }
        let hash = PBKDF2.deriveKey(
            password: Array(password.utf8), salt: salt, iterations: iterations, length: expected.count)
        return ConstantTime.equals(hash, expected)
    }
}

/// Why a stored password hash could not be used.
public enum PasswordHashError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Not of the form `pbkdf2-sha256$ITERATIONS$SALT$HASH`.
    case malformed

    /// A sentence for a person.
    public var description: String {
        "the stored password hash is not of the form \(PasswordHash.scheme)$ITERATIONS$SALT$HASH"
    }
}
