/// Cross-site request forgery protection with tokens bound to a session: a form carries a
/// token only this site can make for this visitor's session, and a POST without a valid one
/// is refused.
///
/// A token is a random nonce signed (``Signer``) for the session id, so it needs no storage
/// on the server, cannot be used with another session, and expires.
///
/// ```swift
/// let signer = try Signer(key: Array(secret.utf8))
/// let csrf = CSRFProtection(signer: signer)
///
/// CGI.run { request in
///     let session = request.signedCookie("session", signer: signer) ?? SecureRandom.token()
///     if request.method == "POST", !csrf.verify(request, sessionID: session) {
///         return Response(status: 403, body: "<p>The form expired; please reload the page.</p>")
///     }
///     let token = HTML.escape(csrf.token(for: session))
///     var response = Response(body: """
///         <form method="post"><input type="hidden" name="csrf_token" value="\(token)">
///         <input name="comment"> <button>Send</button></form>
///         """)
///     try response.setCookie(signer.cookie(name: "session", value: session, maxAge: 86_400))
///     return response
/// }
/// ```
public struct CSRFProtection: Sendable {
    /// The form field ``verify(_:sessionID:now:)`` reads the token from.
    public static let fieldName = "csrf_token"
    /// The request header ``verify(_:sessionID:now:)`` reads the token from when the form has
    /// none (for `fetch` calls).
    public static let headerName = "X-CSRF-Token"
    /// Signs the tokens.
    public let signer: Signer
    /// How long a token stays valid, in seconds.
    public var lifetime: Int

    /// Creates a protection whose tokens `signer` signs and that last `lifetime` seconds
    /// (two hours by default).
    public init(signer: Signer, lifetime: Int = 7200) {
        self.signer = signer
        self.lifetime = lifetime
    }

    /// A new token for the session `sessionID`, to put in a hidden form field named
    /// ``fieldName`` or send in the ``headerName`` header.
    public func token(for sessionID: String, now: Int = Signer.now()) -> String {
        signer.sign(SecureRandom.token(byteCount: 16), purpose: Self.purpose(sessionID), expiresIn: lifetime, now: now)
    }

    /// Whether `token` was made by ``token(for:now:)`` for `sessionID` and has not expired.
    public func isValid(_ token: String?, for sessionID: String, now: Int = Signer.now()) -> Bool {
        guard let token else { return false }
        return (try? signer.verify(token, purpose: Self.purpose(sessionID), now: now)) != nil
    }

    /// Whether `request` carries a valid token for `sessionID` in its ``fieldName`` form
    /// field or, failing that, its ``headerName`` header.
    public func verify(_ request: Request, sessionID: String, now: Int = Signer.now()) -> Bool {
        isValid(request.form[Self.fieldName] ?? request.headers[Self.headerName], for: sessionID, now: now)
    }

    private static func purpose(_ sessionID: String) -> String {
        "csrf " + sessionID
    }
}
