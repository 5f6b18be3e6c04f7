import CGI

/// A database the guestbook could not use, said so that the visitor gets a clear page
/// (``response(base:)``) and the error log gets the details (``detail``).
struct DatabaseFailure: Error, CustomStringConvertible {
    /// Whether trying again later may work: the server is down, restarting, refusing
    /// connections or out of them (503), rather than a statement that failed (500).
    let isUnavailable: Bool
    /// What went wrong, for the error log (may name the server, never the password).
    let detail: String

    var description: String {
        (isUnavailable ? "database unavailable: " : "database error: ") + detail
    }

    /// The page the visitor sees: 503 with `Retry-After` when the database is unavailable, 500 otherwise.
    func response(base: String) -> Response {
        let content =
            isUnavailable
            ? "<p id=\"database-error\">The guestbook's database cannot be reached just now; please try again in a moment.</p>"
            : "<p id=\"database-error\">The guestbook's database could not answer this request.</p>"
        var response = Page(title: "Database unavailable", content: content, base: base).response(status: isUnavailable ? 503 : 500)
        if isUnavailable { response.headers["Retry-After"] = "5" }
        return response
    }
}
