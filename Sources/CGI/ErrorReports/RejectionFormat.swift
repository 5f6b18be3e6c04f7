/// The format of the answer to a request rejected before or by the handler: a
/// ``CGIError`` with a 4xx ``CGIError/httpStatus`` (400, 413, 415), such as a body over the
/// limit or malformed JSON. A JSON API wants JSON errors (``CGIError/json``), a site HTML pages.
///
/// ```swift
/// CGI.run(rejections: .json) { request in … }
/// ```
public enum RejectionFormat: Sendable, Equatable {
    /// As the request asks: JSON when its `Accept` header prefers `application/json` (or a
    /// `+json` type) to `text/html`, or names neither while the request's own body is JSON;
    /// otherwise HTML.
    case byAccept
    /// Always an HTML page.
    case html
    /// Always a JSON object.
    case json

    /// Whether a rejection of a request with these meta-variables is sent as JSON.
    func usesJSON(environment: [String: String]) -> Bool {
        switch self {
        case .html: return false
        case .json: return true
        case .byAccept:
            var json: Double?
            var html: Double?
            for range in (environment["HTTP_ACCEPT"] ?? "").split(separator: ",") {
                let header = HeaderValue(parsing: String(range))
                let type = header.value.lowercased()
                let quality = header.parameter("q").flatMap { Double($0) } ?? 1
                if JSON.isMediaType(type) {
                    json = max(json ?? 0, quality)
                } else if type == "text/html" {
                    html = max(html ?? 0, quality)
                }
            }
            if let json { return json > 0 && json > (html ?? 0) }
            let body = HeaderValue(parsing: environment["CONTENT_TYPE"] ?? "").value.lowercased()
            return html == nil && JSON.isMediaType(body)
        }
    }

    /// The whole answer (head and body) to `error` for a request with these meta-variables:
    /// a JSON object (``CGIError/json``) or an HTML page.
    func answer(to error: CGIError, environment: [String: String]) -> [UInt8] {
        guard usesJSON(environment: environment) else { return Array(ScriptErrorPage.clientError(error).utf8) }
        let response = Response.json(error.json, status: error.httpStatus)
        // A 4xx status and the JSON media type always make a valid head.
        return ((try? response.head()) ?? []) + response.body
    }
}
