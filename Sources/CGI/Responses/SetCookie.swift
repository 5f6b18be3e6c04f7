import Glibc

/// A cookie to set in the browser: one `Set-Cookie` response header (RFC 6265 §4.1).
///
/// ```swift
/// var cookie = SetCookie(name: "flash", value: "Saved, thank you!")
/// cookie.maxAge = 3600
/// cookie.httpOnly = true
/// try response.setCookie(cookie)
/// ```
///
/// Any value can be set: bytes that RFC 6265 does not allow in a cookie (space, `"`, `,`,
/// `;`, `\`, controls, non-ASCII) and `%` are percent-encoded (`Saved%2C%20thank%20you!`),
/// and ``Cookie/value`` (``Request/cookie(_:)``) decodes them again, as JavaScript's
/// `encodeURIComponent`/`decodeURIComponent` would. ``deleting(name:path:domain:)`` makes the
/// header that removes a cookie.
public struct SetCookie: Sendable, Equatable {
    /// The `SameSite` attribute (RFC 6265bis §4.1.2.7).
    public enum SameSite: String, Sendable {
        /// Sent only with requests from the cookie's own site.
        case strict = "Strict"
        /// Also sent with top-level navigations from other sites.
        case lax = "Lax"
        /// Sent with every request; browsers require ``SetCookie/secure`` with it.
        case none = "None"
    }

    /// The cookie's name: an RFC 9110 token.
    public var name: String
    /// The cookie's value, any text: written percent-encoded where RFC 6265 needs it.
    public var value: String
    /// `Path`: the URL path prefix the cookie is sent for.
    public var path: String?
    /// `Domain`: the host (and its subdomains) the cookie is sent to.
    public var domain: String?
    /// `Max-Age`: seconds until the cookie expires; 0 or less deletes it.
    public var maxAge: Int?
    /// `Expires`: when the cookie expires, in seconds since 1970-01-01 UTC.
    public var expires: Int?
    /// `Secure`: sent over HTTPS only.
    public var secure = false
    /// `HttpOnly`: hidden from scripts in the page.
    public var httpOnly = false
    /// `SameSite`: whether cross-site requests carry the cookie.
    public var sameSite: SameSite?

    /// Creates a cookie with no attributes (a session cookie for the current path).
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    /// A cookie that deletes the browser's cookie `name`: an empty value with `Max-Age=0`
    /// and an `Expires` in the past (for clients that know only `Expires`). `path` and
    /// `domain` must be the ones the cookie was set with, or the browser keeps it (RFC 6265
    /// §5.3 step 11).
    public static func deleting(name: String, path: String? = "/", domain: String? = nil) -> SetCookie {
        var cookie = SetCookie(name: name, value: "")
        cookie.path = path
        cookie.domain = domain
        cookie.maxAge = 0
        cookie.expires = 0
        return cookie
    }

    /// The `Set-Cookie` header value, such as `id=a3fW; Path=/; Max-Age=3600; HttpOnly`,
    /// with the value percent-encoded where needed.
    /// - Throws: ``CGIError/invalidCookie(_:)`` when the name is not a token, `Path` or
    ///   `Domain` holds a control character or `;`, or `SameSite=None` comes without `Secure`.
    public func headerValue() throws -> String {
        guard HTTPSyntax.isToken(name) else {
            throw CGIError.invalidCookie("the name \(CGIError.quote(name)) is not an RFC 9110 token")
        }
        var header = name + "=" + Self.encode(value)
        for (attribute, text) in [("Path", path), ("Domain", domain)] {
            guard let text else { continue }
            guard text.utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x7F && $0 != UInt8(ascii: ";") }) else {
                throw CGIError.invalidCookie("the \(attribute) of \(name) holds a control character or ';'")
            }
            header += "; \(attribute)=\(text)"
        }
        if let maxAge { header += "; Max-Age=\(maxAge)" }
        if let expires { header += "; Expires=\(HTTPDate.format(expires))" }
        if secure { header += "; Secure" }
        if httpOnly { header += "; HttpOnly" }
        if let sameSite {
            if sameSite == .none && !secure {
                throw CGIError.invalidCookie("\(name) has SameSite=None without Secure, which browsers reject")
            }
            header += "; SameSite=\(sameSite.rawValue)"
        }
        return header
    }

    /// `value` with every byte that is not an RFC 6265 §4.1.1 cookie-octet, and `%`, as `%XX`.
    static func encode(_ value: String) -> String {
        let hexDigits = Array("0123456789ABCDEF".utf8)
        var encoded: [UInt8] = []
        encoded.reserveCapacity(value.utf8.count)
        for byte in value.utf8 {
            if isCookieOctet(byte) && byte != UInt8(ascii: "%") {
                encoded.append(byte)
            } else {
                encoded += [UInt8(ascii: "%"), hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0xF)]]
            }
        }
        return String(decoding: encoded, as: UTF8.self)
    }

    /// Whether `byte` is a `cookie-octet`: visible ASCII other than `"`, `,`, `;` and `\`.
    private static func isCookieOctet(_ byte: UInt8) -> Bool {
        byte == 0x21 || (0x23...0x2B).contains(byte) || (0x2D...0x3A).contains(byte)
            || (0x3C...0x5B).contains(byte) || (0x5D...0x7E).contains(byte)
    }
}
