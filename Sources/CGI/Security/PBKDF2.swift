/// PBKDF2 with HMAC-SHA256 as its pseudorandom function (RFC 8018 §5.2): a key stretched from
/// a password, slow on purpose, the same as Python's `hashlib.pbkdf2_hmac("sha256", …)`.
/// ``PasswordHash`` stores passwords with it.
///
/// ```swift
/// let key = PBKDF2.deriveKey(password: Array("secret".utf8), salt: salt, iterations: 600_000)
/// ```
public enum PBKDF2 {
    /// The derived key of `length` bytes (32 by default, one HMAC-SHA256 output) from
    /// `password` and `salt` after `iterations` rounds (at least 1).
    public static func deriveKey(
        password: some Collection<UInt8>, salt: some Collection<UInt8>, iterations: Int, length: Int = 32
    ) -> [UInt8] {
        precondition(iterations >= 1 && length >= 1, "PBKDF2 needs at least one iteration and one byte")
        let keyed = HMACSHA256(key: password)
        let salt = Array(salt)
        var derived: [UInt8] = []
        derived.reserveCapacity(length + 32)
        var blockIndex: UInt32 = 1
        while derived.count < length {
            // T_i = U_1 ^ U_2 ^ … ^ U_c, with U_1 = PRF(P, S || INT(i)) and U_j = PRF(P, U_{j-1}).
            var first = keyed
            first.update(salt + withUnsafeBytes(of: blockIndex.bigEndian) { Array($0) })
            var block = first.finalize().bytes
            var previous = block
            previous.withUnsafeMutableBytes { u in
                for _ in 1..<iterations {
                    keyed.code(appending: UnsafeRawBufferPointer(u), into: u)
                    for index in 0..<32 { block[index] ^= u[index] }
                }
            }
            derived += block
            blockIndex += 1
        }
        return Array(derived.prefix(length))
    }
}
