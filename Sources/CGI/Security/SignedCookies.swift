/// Signed cookies: a value the browser keeps but cannot change (a session id, a flash
/// message), signed by a ``Signer`` for the cookie's name.
///
/// ```swift
/// try response.setCookie(signer.cookie(name: "session", value: sessionID, maxAge: 86_400))
/// let sessionID = request.signedCookie("session", signer: signer)   // nil if absent or forged
/// ```
extension Signer {
    /// A `Set-Cookie` whose value is `value` signed for the cookie `name`, expiring (both the
    /// cookie and its signature) after `maxAge` seconds; `Path=/`, `HttpOnly` and
    /// `SameSite=Lax`, which the caller may change.
    public func cookie(name: String, value: String, maxAge: Int, now: Int = Signer.now()) -> SetCookie {
        var cookie = SetCookie(name: name, value: sign(value, purpose: Self.cookiePurpose(name), expiresIn: maxAge, now: now))
        cookie.path = "/"
        cookie.maxAge = maxAge
        cookie.httpOnly = true
        cookie.sameSite = .lax
        return cookie
    }

    /// The purpose a cookie's value is signed for: its name.
    static func cookiePurpose(_ name: String) -> String {
        "cookie " + name
    }
}

extension Request {
    /// The value of the cookie `name` that `signer` signed (``Signer/cookie(name:value:maxAge:now:)``),
    /// or nil when no cookie of that name carries a valid, unexpired signature.
    public func signedCookie(_ name: String, signer: Signer, now: Int = Signer.now()) -> String? {
        for cookie in cookies where cookie.name == name {
            if let value = try? signer.verify(cookie.value, purpose: Signer.cookiePurpose(name), now: now) {
                return value
            }
        }
        return nil
    }
}
