import Glibc

/// A cookie to set in the browser: one `Set-Cookie` response header (RFC 6265 §4.1).
///
/// ```swift
/// var cookie = SetCookie(name: "session", value: token)
/// cookie.maxAge = 3600
/// cookie.httpOnly = true
/// try response.setCookie(cookie)
/// ```
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
    /// The cookie's value: RFC 6265 cookie-octets (no spaces, `"`, `,`, `;` or `\`), optionally
    /// in double quotes.
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

    /// The `Set-Cookie` header value, such as `id=a3fW; Path=/; Max-Age=3600; HttpOnly`.
    /// - Throws: ``CGIError/invalidCookie(_:)`` when the name is not a token, the value is
    ///   not cookie-octets, `Path` or `Domain` holds a control character or `;`, or
    ///   `SameSite=None` comes without `Secure`.
    public func headerValue() throws -> String {
        guard HTTPSyntax.isToken(name) else {
            throw CGIError.invalidCookie("the name \(CGIError.quote(name)) is not an RFC 9110 token")
        }
        guard Self.isCookieValue(value) else {
            throw CGIError.invalidCookie(
                "the value of \(name) may hold only letters, digits and !#$%&'()*+-./:<=>?@[]^_`{|}~ (RFC 6265 §4.1.1)")
        }
        var header = name + "=" + value
        for (attribute, text) in [("Path", path), ("Domain", domain)] {
            guard let text else { continue }
            guard text.utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x7F && $0 != UInt8(ascii: ";") }) else {
                throw CGIError.invalidCookie("the \(attribute) of \(name) holds a control character or ';'")
            }
            header += "; \(attribute)=\(text)"
        }
        if let maxAge { header += "; Max-Age=\(maxAge)" }
        if let expires { header += "; Expires=\(Self.httpDate(expires))" }
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

    /// Whether `value` is `*cookie-octet` or `DQUOTE *cookie-octet DQUOTE` (RFC 6265 §4.1.1).
    private static func isCookieValue(_ value: String) -> Bool {
        var octets = Substring(value).utf8[...]
        if octets.count >= 2, octets.first == UInt8(ascii: "\""), octets.last == UInt8(ascii: "\"") {
            octets = octets.dropFirst().dropLast()
        }
        return octets.allSatisfy { byte in
            byte == 0x21 || (0x23...0x2B).contains(byte) || (0x2D...0x3A).contains(byte)
                || (0x3C...0x5B).contains(byte) || (0x5D...0x7E).contains(byte)
        }
    }

    /// `seconds` since the epoch as an IMF-fixdate (RFC 9110 §5.6.7), e.g.
    /// `Sun, 06 Nov 1994 08:49:37 GMT`.
    static func httpDate(_ seconds: Int) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func twoDigits(_ number: Int32) -> String { number < 10 ? "0\(number)" : "\(number)" }
        return "\(days[Int(parts.tm_wday)]), \(twoDigits(parts.tm_mday)) \(months[Int(parts.tm_mon)]) "
            + "\(parts.tm_year + 1900) \(twoDigits(parts.tm_hour)):\(twoDigits(parts.tm_min)):"
            + "\(twoDigits(parts.tm_sec)) GMT"
    }
}
