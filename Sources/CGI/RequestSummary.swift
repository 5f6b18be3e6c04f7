/// What an error report tells about the request: enough to reproduce it, with secrets
/// hidden.
///
/// Values of fields, query parameters and cookies whose names look secret
/// (``ErrorReporting/hiddenNames``) are replaced by ``ErrorReporting/hiddenValue``; cookie values are always
/// hidden, as they are usually session keys.
struct RequestSummary {
    /// One form field as a report shows it.
    struct Field {
        /// The field's name (`(no name)` for a multipart part without one).
        var name: String
        /// The value as shown: the text (cut at ``shownValueLength``), hidden, or a
        /// description of an uploaded file.
        var shown: String
    }

    /// The most characters of a value a report shows.
    static let shownValueLength = 200

    /// REQUEST_METHOD.
    var method: String
    /// SCRIPT_NAME followed by PATH_INFO.
    var path: String
    /// QUERY_STRING with the values of secret parameters hidden.
    var query: String
    /// The form fields in order; nil when the form was not (or could not be) read.
    var fields: [Field]?
    /// The names of the cookies sent.
    var cookieNames: [String]
    /// Other request facts worth knowing (client address, user agent, content type), in a
    /// fixed order, present ones only.
    var details: [(name: String, value: String)]

    /// Summarises a request from its meta-variables and, once parsed, its form.
    init(environment: [String: String], form: Form?, reporting: ErrorReporting) {
        method = environment["REQUEST_METHOD"] ?? "GET"
        path = (environment["SCRIPT_NAME"] ?? "") + (environment["PATH_INFO"] ?? "")
        query = reporting.redacting(query: environment["QUERY_STRING"] ?? "")
        fields = form.map { form in
            form.fields.map { field in
                let name = field.name ?? "(no name)"
                switch field.value {
                case .file(let file):
                    return Field(name: name, shown: Self.describe(file))
                case .text(let text, _):
                    if reporting.hides(name) { return Field(name: name, shown: ErrorReporting.hiddenValue) }
                    let cut = text.count > Self.shownValueLength ? text.prefix(Self.shownValueLength) + "…" : text
                    return Field(name: name, shown: CGIError.quote(String(cut)))
                }
            }
        }
        cookieNames = (environment["HTTP_COOKIE"] ?? "").split(separator: ";").compactMap { pair in
            let name = pair.prefix { $0 != "=" }.filter { $0 != " " }
            return name.isEmpty ? nil : String(name)
        }
        details = [
            ("Client", "REMOTE_ADDR"), ("User-Agent", "HTTP_USER_AGENT"), ("Referer", "HTTP_REFERER"),
            ("Content-Type", "CONTENT_TYPE"), ("Content-Length", "CONTENT_LENGTH"),
        ].compactMap { label, variable in environment[variable].map { (label, $0) } }
    }

    /// An upload as reports and the diagnostics page show it: name, type and size.
    static func describe(_ file: UploadedFile) -> String {
        "upload \(CGIError.quote(file.filename)), \(file.contentType), \(file.size) bytes"
    }

    /// The method, path and query, as in an HTTP request line.
    var requestLine: String {
        "\(method) \(path)\(query.isEmpty ? "" : "?" + query)"
    }

    /// The summary as indented plain-text lines.
    var text: String {
        var out = "  \(requestLine)\n"
        if let fields {
            out += fields.isEmpty ? "  Fields: none\n" : "  Fields:\n"
            out += fields.map { "    \($0.name) = \($0.shown)\n" }.joined()
        } else {
            out += "  Fields: not read\n"
        }
        if !cookieNames.isEmpty { out += "  Cookies (values hidden): \(cookieNames.joined(separator: ", "))\n" }
        out += details.map { "  \($0.name): \($0.value)\n" }.joined()
        return out
    }

    /// The summary as an HTML definition list (the fields in a nested one), every value
    /// escaped.
    var html: String {
        func item(_ term: String, _ description: String) -> String {
            "<dt>\(HTML.escape(term))</dt><dd>\(description)</dd>\n"
        }
        var out = item("Request", HTML.escape(requestLine))
        let list = fields.map { $0.map { item($0.name, HTML.escape($0.shown)) }.joined() }
        out += item("Fields", list.map { $0.isEmpty ? "none" : "<dl>\n\($0)</dl>" } ?? "not read")
        if !cookieNames.isEmpty {
            out += item("Cookies (values hidden)", HTML.escape(cookieNames.joined(separator: ", ")))
        }
        out += details.map { item($0.name, HTML.escape($0.value)) }.joined()
        return "<dl class=\"request\">\n\(out)</dl>\n"
    }
}
