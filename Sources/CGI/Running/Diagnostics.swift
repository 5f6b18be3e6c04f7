import Glibc

extension CGI {
    /// A page that describes the request and the script's surroundings, as Python's
    /// `cgi.test()` did: the form fields and uploads, the environment sorted by name, the
    /// working directory, user and group ids, and what the standard CGI variables mean.
    ///
    /// ```swift
    /// CGI.run { request in CGI.diagnostics(request) }
    /// ```
    ///
    /// Every value is HTML-escaped. Values of variables, fields and query parameters whose
    /// names contain one of `hiding` (ignoring case), and cookie values, are replaced by
    /// `(hidden)`; pass `[]` to show everything but cookie values.
    public static func diagnostics(
        _ request: Request, hiding: [String] = ErrorReporting.defaultHiddenNames
    ) -> Response {
        let rules = ErrorReporting(hiddenNames: hiding)
        func table(_ rows: [(String, String)]) -> String {
            "<table>\n"
                + rows.map { "<tr><th>\(HTML.escape($0.0))</th><td>\(HTML.escape($0.1))</td></tr>\n" }.joined()
                + "</table>\n"
        }

        var page = "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>CGI diagnostics</title>\n"
        page += "</head>\n<body>\n<h1>CGI diagnostics</h1>\n"
        page += "<p>\(HTML.escape("\(request.method) \(request.scriptName)\(request.pathInfo)"))</p>\n"

        page += "<h2>Form</h2>\n"
        page +=
            request.form.isEmpty
            ? "<p>No form fields.</p>\n"
            : table(
                request.form.fields.map { field in
                    let name = field.name ?? "(no name)"
                    switch field.value {
                    case .text(let text, _):
                        return (name, rules.hides(name) ? ErrorReporting.hiddenValue : text)
                    case .file(let file):
                        return (name, RequestSummary.describe(file))
                    }
                })

        page += "<h2>Environment</h2>\n"
        page += table(
            request.environment.sorted { $0.key < $1.key }.map {
                ($0.key, rules.redacting(variable: $0.key, value: $0.value))
            })

        page += "<h2>Process</h2>\n"
        page += table([
            ("Working directory", workingDirectory() ?? "(unknown)"),
            ("Program", ErrorReport.programDescription()),
            ("User id", "\(getuid()) (effective \(geteuid()))"),
            ("Group id", "\(getgid()) (effective \(getegid()))"),
        ])

        page += "<h2>The CGI variables</h2>\n<dl>\n"
        for (name, meaning) in variableMeanings {
            let state = request.environment[name] == nil ? " (not set)" : ""
            page += "<dt><code>\(name)</code>\(state)</dt><dd>\(HTML.escape(meaning))</dd>\n"
        }
        page += "</dl>\n</body>\n</html>\n"
        return Response(body: page)
    }

    /// The current working directory, or nil when it cannot be determined.
    private static func workingDirectory() -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The meta-variables of RFC 3875 §4.1 (and two common additions), with their meaning.
    private static let variableMeanings: [(String, String)] = [
        ("AUTH_TYPE", "The authentication scheme the server checked, such as Basic."),
        ("CONTENT_LENGTH", "The size of the request body in bytes."),
        ("CONTENT_TYPE", "The media type of the request body, such as a form's encoding."),
        ("GATEWAY_INTERFACE", "The CGI version the server speaks, CGI/1.1."),
        ("HTTPS", "Set to on when the request came over TLS (not in RFC 3875)."),
        ("PATH_INFO", "The part of the URL path after the script's name."),
        ("PATH_TRANSLATED", "PATH_INFO mapped to a file path by the server."),
        ("QUERY_STRING", "The part of the URL after the ?, still URL-encoded."),
        ("REMOTE_ADDR", "The network address of the client."),
        ("REMOTE_HOST", "The client's host name, when the server looked it up."),
        ("REMOTE_IDENT", "The user name an ident server reported for the client."),
        ("REMOTE_PORT", "The client's port (not in RFC 3875)."),
        ("REMOTE_USER", "The user name the client authenticated as."),
        ("REQUEST_METHOD", "The HTTP method: GET, POST, HEAD, …"),
        ("SCRIPT_NAME", "The URL path that names this script."),
        ("SERVER_NAME", "The host name the request was addressed to."),
        ("SERVER_PORT", "The port the request arrived on."),
        ("SERVER_PROTOCOL", "The HTTP version of the request, such as HTTP/1.1."),
        ("SERVER_SOFTWARE", "The name and version of the server."),
        ("HTTP_*", "Each request header, named in upper case with - as _: HTTP_USER_AGENT, HTTP_COOKIE, …"),
    ]
}
