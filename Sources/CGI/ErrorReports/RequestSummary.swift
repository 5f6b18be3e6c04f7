/// What an error report tells about the request: enough to reproduce it, with secrets
/// hidden.
///
/// Values of fields, query parameters and cookies whose names look secret
/// (``ErrorReporting/hiddenNames``) are replaced by ``ErrorReporting/hiddenValue``; cookie values are always
/// hidden, as they are usually session keys.
struct RequestSummary {
    /// A name and a value as a report shows them: a form field or a request detail. One
    /// type for both, as each array type costs its own type metadata at start-up.
    struct Entry {
        /// The field's name (`(no name)` for a multipart part without one), or the detail's
        /// label.
        var name: String
        /// The value as shown: a field's text (cut at ``shownValueLength``), hidden, or a
        /// description of an uploaded file; a detail's value as it is.
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
    var fields: [Entry]?
    /// The names of the cookies sent.
    var cookieNames: [String]
    /// Other request facts worth knowing (client address, user agent, content type), in a
    /// fixed order, present ones only.
    var details: [Entry]

    /// Summarises a request from its meta-variables; the form is not read yet (``add(_:reporting:)``).
    init(environment: [String: String], reporting: ErrorReporting) {
        method = environment["REQUEST_METHOD"] ?? "GET"
        path = (environment["SCRIPT_NAME"] ?? "") + (environment["PATH_INFO"] ?? "")
        query = reporting.redacting(query: environment["QUERY_STRING"] ?? "")
        fields = nil
        cookieNames = Self.cookieNames(in: environment["HTTP_COOKIE"] ?? "")
        // Appended one by one rather than mapped from a table of (label, variable) tuples:
        // a tuple array costs tuple and array type metadata at every start-up.
        details = []
        func addDetail(_ label: String, _ variable: String) {
            if let value = environment[variable] { details.append(Entry(name: label, shown: value)) }
        }
        addDetail("Client", "REMOTE_ADDR")
        addDetail("User-Agent", "HTTP_USER_AGENT")
        addDetail("Referer", "HTTP_REFERER")
        addDetail("Content-Type", "CONTENT_TYPE")
        addDetail("Content-Length", "CONTENT_LENGTH")
    }

    /// Adds the form, once parsed (cheaper than summarising the request again).
    mutating func add(_ form: Form, reporting: ErrorReporting) {
        fields = Self.fields(of: form, reporting: reporting)
    }

    /// The form's fields as a report shows them.
    private static func fields(of form: Form, reporting: ErrorReporting) -> [Entry] {
        form.fields.map { field in
            let name = field.name ?? "(no name)"
            switch field.value {
            case .file(let file):
                return Entry(name: name, shown: describe(file))
            case .text(let text, _):
                if reporting.hides(name) { return Entry(name: name, shown: ErrorReporting.hiddenValue) }
                let cut = text.count > shownValueLength ? text.prefix(shownValueLength) + "…" : text
                return Entry(name: name, shown: CGIError.quote(String(cut)))
            }
        }
    }

    /// The names in a `Cookie` header (`a=1; b=2`), spaces removed, empty ones left out.
    private static func cookieNames(in header: String) -> [String] {
        // A scan over the bytes rather than split/compactMap/filter: this runs at every
        // CGI.run start-up, where generic algorithms cost more in type metadata than the work.
        var names: [String] = []
        var name: [UInt8] = []
        var inName = true
        for byte in header.utf8 {
            switch byte {
            case UInt8(ascii: ";"):
                if !name.isEmpty { names.append(String(decoding: name, as: UTF8.self)) }
                name = []
                inName = true
            case UInt8(ascii: "="): inName = false
            case UInt8(ascii: " "): break
            default: if inName { name.append(byte) }
            }
        }
        if !name.isEmpty { names.append(String(decoding: name, as: UTF8.self)) }
        return names
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
        var out = ""
        write(to: &out)
        return out
    }

    /// Writes the summary as indented plain-text lines to `out`: a string, or the crash
    /// handler's buffer, which gets it at every start-up (so plain loops, no map/joined).
    func write(to out: inout some TextOutputStream) {
        out.write("  \(requestLine)\n")
        if let fields {
            out.write(fields.isEmpty ? "  Fields: none\n" : "  Fields:\n")
            for field in fields { out.write("    \(field.name) = \(field.shown)\n") }
        } else {
            out.write("  Fields: not read\n")
        }
        if !cookieNames.isEmpty {
            out.write("  Cookies (values hidden): ")
            for (index, name) in cookieNames.enumerated() { out.write(index == 0 ? name : ", " + name) }
            out.write("\n")
        }
        for detail in details { out.write("  \(detail.name): \(detail.shown)\n") }
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
        out += details.map { item($0.name, HTML.escape($0.shown)) }.joined()
        return "<dl class=\"request\">\n\(out)</dl>\n"
    }
}
