/// One CGI request: the meta-variables of RFC 3875 §4.1, typed; the request headers; the
/// cookies; and the form, parsed when the request is created.
///
/// ```swift
/// let request = try Request()
/// let name = request.form["name"] ?? "world"
/// ```
///
/// How the form is read depends on the method and the body's media type (compared
/// case-insensitively):
/// - GET and HEAD: the query string alone. A body that CONTENT_LENGTH announces stays unread
///   in ``body``.
/// - `application/x-www-form-urlencoded` (also a POST with no CONTENT_TYPE, as in Python's
///   `cgi`): the body's fields, then the query's. The body is held in memory, so its limit
///   is the smaller of ``FormOptions/maxBodyBytes`` and ``FormOptions/maxTextBytes``
///   (``CGIError/bodyTooLarge(limit:)`` names the one that applied). A `charset` parameter
///   naming a known encoding decodes the body instead of ``FormOptions/encoding``.
/// - `multipart/*`: the query's fields, then the parts (RFC 7578).
/// - anything else: the query's fields; the body stays unread in ``body`` for the script.
///
/// A request over a limit of ``FormOptions`` or with a malformed body fails with a
/// ``CGIError``; a bad CONTENT_LENGTH is ``CGIError/invalidContentLength(_:)`` (Python's
/// `cgi` reads to end of file instead).
public struct Request {
    /// Every meta-variable the request was built from.
    public let environment: [String: String]
    /// REQUEST_METHOD (§4.1.12), upper-cased as Python's `cgi` does; GET when unset.
    public let method: String
    /// SCRIPT_NAME (§4.1.13): the URL path that names the script; empty when unset.
    public let scriptName: String
    /// PATH_INFO (§4.1.5): the URL path after the script's name, decoded; empty when unset.
    public let pathInfo: String
    /// PATH_TRANSLATED (§4.1.6): PATH_INFO mapped to a file path by the server.
    public let pathTranslated: String?
    /// QUERY_STRING (§4.1.7), still URL-encoded; empty when unset.
    public let queryString: String
    /// SERVER_NAME (§4.1.14): the host name the request was addressed to.
    public let serverName: String?
    /// SERVER_PORT (§4.1.15).
    public let serverPort: Int?
    /// SERVER_PROTOCOL (§4.1.16), such as `HTTP/1.1`.
    public let serverProtocol: String?
    /// SERVER_SOFTWARE (§4.1.17).
    public let serverSoftware: String?
    /// GATEWAY_INTERFACE (§4.1.4), such as `CGI/1.1`.
    public let gatewayInterface: String?
    /// REMOTE_ADDR (§4.1.8): the client's network address.
    public let remoteAddress: String?
    /// REMOTE_PORT: the client's port (not in RFC 3875; servers commonly set it).
    public let remotePort: Int?
    /// REMOTE_HOST (§4.1.9): the client's host name, if the server looked it up.
    public let remoteHost: String?
    /// REMOTE_IDENT (§4.1.10).
    public let remoteIdent: String?
    /// REMOTE_USER (§4.1.11): the user name the client authenticated as.
    public let remoteUser: String?
    /// AUTH_TYPE (§4.1.1): the authentication scheme, such as `Basic`.
    public let authType: String?
    /// CONTENT_TYPE (§4.1.3): the body's media type with parameters.
    public let contentType: String?
    /// CONTENT_LENGTH (§4.1.2): the body's size in bytes.
    public let contentLength: Int?
    /// Whether the request came over TLS (HTTPS is `on` or `1`; not in RFC 3875, set by
    /// common servers).
    public let https: Bool
    /// The HTTP request headers (HTTP_* variables, CONTENT_TYPE and CONTENT_LENGTH).
    public let headers: RequestHeaders
    /// The cookies of HTTP_COOKIE in order, repeated names kept.
    public let cookies: [Cookie]
    /// The form fields of the query string and the body.
    public let form: Form
    /// The body when it is not a form (or on GET and HEAD), unread; nil when there is none
    /// or the form consumed it. ``contentType`` says what it holds.
    public let body: BodyStream?

    /// Reads a request from CGI meta-variables and the body on `input`.
    ///
    /// - Parameters:
    ///   - environment: the meta-variables; the process environment by default.
    ///   - input: the file descriptor the body is read from; standard input by default.
    ///   - options: how the form is parsed, and its limits.
    /// - Throws: ``CGIError`` for an invalid CONTENT_LENGTH or a form that is malformed or
    ///   over a limit.
    public init(
        environment: [String: String] = ProcessEnvironment.current(), input: Int32 = 0,
        options: FormOptions = FormOptions()
    ) throws {
        try self.init(environment: environment, body: .fileDescriptor(input), options: options)
    }

    /// Reads a request from CGI meta-variables and the body from `input` (a descriptor or a
    /// FastCGI request's STDIN).
    init(environment: [String: String], body input: BodyInput, options: FormOptions) throws {
        func variable(_ name: String) -> String? {
            // RFC 3875 §4.1: an empty value is the same as an unset one.
            guard let value = environment[name], !value.isEmpty else { return nil }
            return value
        }
        self.environment = environment
        method = variable("REQUEST_METHOD")?.uppercased() ?? "GET"
        scriptName = variable("SCRIPT_NAME") ?? ""
        pathInfo = variable("PATH_INFO") ?? ""
        pathTranslated = variable("PATH_TRANSLATED")
        queryString = variable("QUERY_STRING") ?? ""
        serverName = variable("SERVER_NAME")
        serverPort = variable("SERVER_PORT").flatMap { Int($0) }
        serverProtocol = variable("SERVER_PROTOCOL")
        serverSoftware = variable("SERVER_SOFTWARE")
        gatewayInterface = variable("GATEWAY_INTERFACE")
        remoteAddress = variable("REMOTE_ADDR")
        remotePort = variable("REMOTE_PORT").flatMap { Int($0) }
        remoteHost = variable("REMOTE_HOST")
        remoteIdent = variable("REMOTE_IDENT")
        remoteUser = variable("REMOTE_USER")
        authType = variable("AUTH_TYPE")
        contentType = variable("CONTENT_TYPE")
        switch variable("HTTPS")?.lowercased() {
        case "on", "1": https = true
        default: https = false
        }
        headers = RequestHeaders(environment: environment)
        cookies = variable("HTTP_COOKIE").map { Cookie.parse(header: $0) } ?? []
        contentLength = try variable("CONTENT_LENGTH").map(Self.parseContentLength)

        (form, body) = try Self.readForm(
            method: method, contentType: contentType, contentLength: contentLength, query: queryString,
            input: input, options: options)
    }

    /// Reads the form as the method and media type ask (see ``Request``), and returns it with
    /// the body when the form leaves it unread.
    private static func readForm(
        method: String, contentType: String?, contentLength: Int?, query queryString: String, input: BodyInput,
        options: FormOptions
    ) throws -> (Form, BodyStream?) {
        let query = Array(queryString.utf8)
        let mediaType = HeaderValue(parsing: contentType ?? "")
        let type = mediaType.value.lowercased()
        if method == "GET" || method == "HEAD" {
            let form = Form(try URLEncodedForm.parse(query, source: .query, options: options))
            guard let contentLength, contentLength > 0 else { return (form, nil) }
            return (form, try BodyStream(input: input, contentLength: contentLength, limit: options.maxBodyBytes))
        }
        if type == "application/x-www-form-urlencoded" || (type.isEmpty && method == "POST") {
            let limit = min(options.maxBodyBytes, options.maxTextBytes)
            let bytes = try BodyStream(input: input, contentLength: contentLength, limit: limit).readAll()
            // Body and query count together, checked before anything is parsed (as in Python).
            try options.checkFieldCount(
                URLEncodedForm.fieldCount(of: bytes, separator: options.separator)
                    + URLEncodedForm.fieldCount(of: query, separator: options.separator))
            // A charset parameter the body declares wins over the configured encoding.
            var bodyOptions = options
            if let charset = mediaType.parameter("charset"), let encoding = TextEncoding(name: charset) {
                bodyOptions.encoding = encoding
            }
            let fields =
                try URLEncodedForm.parse(bytes, source: .body, options: bodyOptions)
                + URLEncodedForm.parse(query, source: .query, options: options)
            return (Form(fields), nil)
        }
        let queryFields = try URLEncodedForm.parse(query, source: .query, options: options)
        let stream = try BodyStream(input: input, contentLength: contentLength, limit: options.maxBodyBytes)
        guard type.hasPrefix("multipart/") else { return (Form(queryFields), stream) }
        // The parts may use what the query left of the field limit.
        var partOptions = options
        partOptions.maxFields = options.maxFields.map { $0 - queryFields.count }
        let parts = try MultipartFormReader(contentType: mediaType, options: partOptions).readFields(from: stream)
        return (Form(queryFields + parts), nil)
    }

    /// The value of the first cookie called `name`, or nil.
    public func cookie(_ name: String) -> String? {
        cookies.first { $0.name == name }?.value
    }

    /// CONTENT_LENGTH as a number: `1*digit` (RFC 3875 §4.1.2).
    private static func parseContentLength(_ text: String) throws -> Int {
        guard text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }), let length = Int(text)
        else { throw CGIError.invalidContentLength(text) }
        return length
    }
}
