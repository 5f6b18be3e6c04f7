import Glibc

/// Signs short values with HMAC-SHA256 so that they can travel through the browser (a
/// cookie, a hidden field, a link) and come back tamper-evident, with an expiry.
///
/// A signed value reads `PAYLOAD.EXPIRY.MAC`: the value in base64url, the expiry in seconds
/// since 1970, and the HMAC-SHA256 of both and of a *purpose* under the key. The value is
/// readable by the client, not secret: sign a session id, not a password. The purpose (a
/// cookie's name, `csrf`, …) keeps a value signed for one use from being accepted for another.
///
/// ```swift
/// let signer = try Signer(key: Array(secret.utf8))     // 32 bytes or more, kept on the server
/// let signed = signer.sign("alice", purpose: "user", expiresIn: 3600)
/// let user = try signer.verify(signed, purpose: "user")  // "alice", or throws
/// ```
public struct Signer: Sendable {
    /// The fewest key bytes accepted: 256 bits, SHA-256's output size.
    public static let minimumKeyLength = 32
    private let key: [UInt8]

    /// Creates a signer.
    /// - Throws: ``SignatureError/keyTooShort(length:)`` for a key under
    ///   ``minimumKeyLength`` bytes (make one with `SecureRandom.token()`).
    public init(key: some Collection<UInt8>) throws {
        guard key.count >= Self.minimumKeyLength else { throw SignatureError.keyTooShort(length: key.count) }
        self.key = Array(key)
    }

    /// The current time in seconds since 1970-01-01 UTC.
    public static func now() -> Int {
        Int(time(nil))
    }

    /// `value` signed for `purpose`, valid for `seconds` from `now`.
    public func sign(_ value: String, purpose: String, expiresIn seconds: Int, now: Int = Signer.now()) -> String {
        let body = Base64URL.encode(Array(value.utf8)) + "." + String(now + seconds)
        return body + "." + Base64URL.encode(mac(body, purpose: purpose).bytes)
    }

    /// The value inside `signed`, checked against the key, `purpose` and the time `now`.
    /// - Throws: ``SignatureError/malformed``, ``SignatureError/badSignature`` or
    ///   ``SignatureError/expired(at:)``.
    public func verify(_ signed: String, purpose: String, now: Int = Signer.now()) throws -> String {
        let parts = signed.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let expiry = Int(parts[1]), parts[1].utf8.allSatisfy(HTTPSyntax.isDigit),
            let payload = Base64URL.decode(parts[0]), let received = Base64URL.decode(parts[2])
        else { throw SignatureError.malformed }
        let body = parts[0] + "." + parts[1]
        guard ConstantTime.equals(mac(String(body), purpose: purpose).bytes, received) else {
            throw SignatureError.badSignature
        }
        guard now < expiry else { throw SignatureError.expired(at: expiry) }
        return String(decoding: payload, as: UTF8.self)
    }

    /// The MAC of `purpose`, a NUL, and `body` (which holds no NUL, so the two cannot be
    /// shifted into each other).
    private func mac(_ body: String, purpose: String) -> SHA256.Digest {
        HMACSHA256.code(for: Array(purpose.utf8) + [0] + Array(body.utf8), key: key)
    }
}

/// Why a signed value was refused.
public enum SignatureError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Not of the form `PAYLOAD.EXPIRY.MAC`.
    case malformed
    /// The MAC does not match: the value was changed, signed with another key, or signed
    /// for another purpose.
    case badSignature
    /// The signature is good but the value expired at this time (seconds since 1970).
    case expired(at: Int)
    /// The signing key is shorter than ``Signer/minimumKeyLength``.
    case keyTooShort(length: Int)

    /// A sentence for a person.
    public var description: String {
        switch self {
        case .malformed: "the signed value is not of the form PAYLOAD.EXPIRY.MAC"
        case .badSignature: "the signature does not match: the value was changed or signed for another use"
        case .expired(let time): "the signed value expired at \(HTTPDate.format(time))"
        case .keyTooShort(let length):
            "the signing key has \(length) bytes; it needs at least \(Signer.minimumKeyLength)"
        }
    }
}
