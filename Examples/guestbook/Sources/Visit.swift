import CGI

/// One visitor's request as the guestbook sees it: the signed session cookie (made on the
/// first visit), the flash message of the previous request, and the cookies to set.
struct Visit {
    let request: Request
    let signer: Signer
    /// The session id CSRF tokens are bound to.
    let session: String
    /// The script's URL, which the guestbook's links start with.
    let base: String
    private let isNewSession: Bool
    private var cookies: [SetCookie] = []

    /// How long the session cookie lasts, in seconds.
    static let sessionLifetime = 86_400 * 30

    init(request: Request, signer: Signer) {
        self.request = request
        self.signer = signer
        let existing = request.signedCookie("session", signer: signer)
        session = existing ?? SecureRandom.token()
        isNewSession = existing == nil
        base = request.scriptName
    }

    /// Shows `message` once, on the next page.
    mutating func flash(_ message: String) {
        cookies.append(signer.cookie(name: "flash", value: message, maxAge: 60))
    }

    /// The message the previous request left, deleted as it is read.
    mutating func takeFlash() -> String? {
        guard request.cookie("flash") != nil else { return nil }
        cookies.append(.deleting(name: "flash"))
        return request.signedCookie("flash", signer: signer)
    }

    /// Sets `cookie` on the response.
    mutating func set(_ cookie: SetCookie) {
        cookies.append(cookie)
    }

    /// `response` with the cookies of this visit.
    func finish(_ response: Response) throws -> Response {
        var response = response
        if isNewSession { try response.setCookie(signer.cookie(name: "session", value: session, maxAge: Self.sessionLifetime)) }
        for cookie in cookies { try response.setCookie(cookie) }
        return response
    }
}
