/// Which kind of responder answered a request: the `responder` label of the request metrics and
/// a column of the status page. A closed set, so that the metrics' cardinality stays bounded.
public enum ResponderKind: String, Sendable, CaseIterable {
    /// A static file, a directory redirect, or a 4xx about a file.
    case `static`
    /// A CGI script, run as a process per request (RFC 3875).
    case cgi
    /// A script kept running as a FastCGI worker pool by the server (`--resident`).
    case resident
    /// A FastCGI application the server passes requests to (`--fastcgi-pass`).
    case fastCGIPass = "fastcgi-pass"
    /// An answer the server made without a responder: a rejected request, `OPTIONS *`.
    case server
}
