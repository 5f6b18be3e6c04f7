/// What the browser gets when a script fails, as complete CGI output (head and body) or as
/// a marker appended to a response already under way.
///
/// A page is split into an opening and a closing so the details can go between them: a
/// rendered ``ErrorReport`` for a thrown error, or what the ``CrashHandler`` composes when the
/// script crashes.
struct ScriptErrorPage {
    /// Everything before the details.
    var opening: String
    /// Everything after the details.
    var closing: String

    /// The page with `details` (already escaped for the page's format) in place.
    func with(details: String) -> String {
        opening + details + closing
    }

    /// The 500 response of a failed script. With ``ErrorReporting/Display/none`` it names
    /// only the reference; otherwise the details follow, as HTML or plain text.
    static func serverError(id: ReportID, display: ErrorReporting.Display) -> ScriptErrorPage {
        let explanation = "The script failed. If you report the problem, please quote the reference"
        switch display {
        case .none, .html:
            return ScriptErrorPage(
                opening: head(status: 500, contentType: "text/html; charset=utf-8")
                    + document(title: "500 Internal Server Error")
                    + "<h1>Internal Server Error</h1>\n<p>\(explanation) <code>\(id)</code>.</p>\n",
                closing: "</body>\n</html>\n")
        case .text:
            return ScriptErrorPage(
                opening: head(status: 500, contentType: "text/plain; charset=utf-8")
                    + "Internal Server Error\n\n\(explanation) \(id).\n\n",
                closing: "")
        }
    }

    /// The marker appended to a response whose head was already sent, in development; in
    /// production (``ErrorReporting/Display/none``) nothing is appended.
    static func marker(id: ReportID, display: ErrorReporting.Display) -> ScriptErrorPage {
        let notice = "The script failed after sending part of this response (reference \(id))."
        switch display {
        case .none:
            return ScriptErrorPage(opening: "", closing: "")
        case .html:
            // Closing tags that may be open, so the marker shows; a parser ignores the others.
            return ScriptErrorPage(
                opening: "</script></style></textarea></pre>\n"
                    + "<div class=\"cgi-error-marker\" style=\"border:3px solid #c00;padding:1em;background:#fee\">\n"
                    + "<p><strong>\(notice)</strong></p>\n",
                closing: "</div>\n")
        case .text:
            return ScriptErrorPage(opening: "\n\n*** \(notice) ***\n\n", closing: "")
        }
    }

    /// The 400 or 413 response to a request the library rejected (``CGIError/httpStatus``):
    /// the message speaks about the request, so it is shown in production too.
    static func clientError(_ error: CGIError) -> String {
        head(status: error.httpStatus, contentType: "text/html; charset=utf-8")
            + document(title: "\(error.httpStatus) \(HTTPStatus.reasonPhrase(error.httpStatus))")
            + "<h1>\(HTML.escape(HTTPStatus.reasonPhrase(error.httpStatus)))</h1>\n"
            + "<p>The request was not accepted: \(HTML.escape(error.description)).</p>\n</body>\n</html>\n"
    }

    /// A CGI response head with a status and a content type.
    private static func head(status: Int, contentType: String) -> String {
        "Status: \(status) \(HTTPStatus.reasonPhrase(status))\r\nContent-Type: \(contentType)\r\n\r\n"
    }

    /// The start of an HTML document, up to and including `<body>`.
    private static func document(title: String) -> String {
        "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>\(HTML.escape(title))</title>\n</head>\n<body>\n"
    }
}
