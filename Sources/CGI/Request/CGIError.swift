/// Everything the `CGI` library can reject, with a message a user (or the person reading
/// the server's error log) understands.
///
/// ``kind`` is a stable, machine-readable name; `cgi parse` prints it, and it never changes
/// meaning. New cases get new kinds.
public enum CGIError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A query or urlencoded field was malformed while strict parsing was on.
    case strictParsing(field: String)
    /// The request carries more fields (or multipart parts) than ``FormOptions/maxFields``.
    case tooManyFields(limit: Int)
    /// A multipart request whose boundary is missing or not valid (RFC 2046: 1–70 characters).
    case invalidBoundary(String)
    /// The request body is larger than the configured limit.
    case bodyTooLarge(limit: Int)
    /// The body ended (EOF or CONTENT_LENGTH reached) before the form was complete.
    case truncated(String)
    /// The body is not what its Content-Type says it is.
    case malformed(String)
    /// A multipart body has more parts than ``FormOptions/maxParts``.
    case tooManyParts(limit: Int)
    /// A multipart part's header block is larger than ``FormOptions/maxPartHeaderBytes``.
    case headerTooLarge(limit: Int)
    /// One uploaded file is larger than ``FormOptions/maxFileBytes``.
    case fileTooLarge(limit: Int)
    /// Text fields together hold more bytes than ``FormOptions/maxTextBytes``.
    case textTooLarge(limit: Int)
    /// Uploads spooled to disk together exceed ``FormOptions/maxDiskBytes``.
    case diskQuotaExceeded(limit: Int)
    /// CONTENT_LENGTH is present but not a non-negative decimal number (RFC 3875 §4.1.2).
    case invalidContentLength(String)
    /// A response header name or value would break the response (CR, LF or NUL, a name
    /// that is not an RFC 9110 token, or a `Status` field, which comes from the status).
    /// Nothing was written.
    case invalidHeader(name: String)
    /// A response status that cannot be written: a code outside 100–599 (RFC 9110 §15) or a
    /// reason phrase with CR, LF or NUL. Nothing was written.
    case invalidStatus(String)
    /// A cookie name, value or attribute is not allowed by RFC 6265.
    case invalidCookie(String)
    /// The response head was already sent; status and headers can no longer change.
    case headAlreadySent
    /// A system call failed.
    case io(operation: String, errno: Int32)
    /// The request's meta-variables (a FastCGI request's PARAMS) are larger than the limit.
    case requestHeadTooLarge(limit: Int)

    /// The stable machine-readable name of this error (as printed by `cgi parse`).
    public var kind: String {
        switch self {
        case .strictParsing: "strict_parsing"
        case .tooManyFields: "too_many_fields"
        case .invalidBoundary: "invalid_boundary"
        case .bodyTooLarge: "body_too_large"
        case .truncated: "truncated"
        case .malformed: "malformed"
        case .tooManyParts: "too_many_parts"
        case .headerTooLarge: "header_too_large"
        case .fileTooLarge: "file_too_large"
        case .textTooLarge: "text_too_large"
        case .diskQuotaExceeded: "disk_quota_exceeded"
        case .invalidContentLength: "invalid_content_length"
        case .invalidHeader: "invalid_header"
        case .invalidStatus: "invalid_status"
        case .invalidCookie: "invalid_cookie"
        case .headAlreadySent: "head_already_sent"
        case .io: "io"
        case .requestHeadTooLarge: "request_head_too_large"
        }
    }

    /// The HTTP status a server should answer with when a request fails this way.
    public var httpStatus: Int {
        switch self {
        case .bodyTooLarge, .fileTooLarge, .textTooLarge, .diskQuotaExceeded, .tooManyFields,
            .tooManyParts, .headerTooLarge:
            413
        case .requestHeadTooLarge:
            431
        case .strictParsing, .invalidBoundary, .truncated, .malformed, .invalidContentLength:
            400
        case .invalidHeader, .invalidStatus, .invalidCookie, .headAlreadySent, .io:
            500
        }
    }

    /// A sentence for a person.
    public var description: String {
        switch self {
        case .strictParsing(let field):
            "malformed form field \(Self.quote(field)) (strict parsing is on)"
        case .tooManyFields(let limit):
            "the request has more than \(limit) form fields"
        case .invalidBoundary(let boundary):
            "invalid multipart boundary \(Self.quote(boundary)): it must be 1 to 70 characters from RFC 2046's set"
        case .bodyTooLarge(let limit):
            "the request body is larger than the limit of \(limit) bytes"
        case .truncated(let detail):
            "the request body ended early: \(detail)"
        case .malformed(let detail):
            "malformed request body: \(detail)"
        case .tooManyParts(let limit):
            "the multipart body has more than \(limit) parts"
        case .headerTooLarge(let limit):
            "a multipart part's header block is larger than \(limit) bytes"
        case .fileTooLarge(let limit):
            "an uploaded file is larger than the limit of \(limit) bytes"
        case .textTooLarge(let limit):
            "the form's text fields hold more than \(limit) bytes"
        case .diskQuotaExceeded(let limit):
            "the uploads need more than the \(limit) bytes of temporary disk allowed"
        case .invalidContentLength(let value):
            "CONTENT_LENGTH \(Self.quote(value)) is not a non-negative whole number"
        case .invalidHeader(let name):
            "response header \(Self.quote(name)) is not allowed: a name must be a token other than Status, and a value must not contain CR, LF or NUL"
        case .invalidStatus(let status):
            "response status \(Self.quote(status)) is not allowed: the code must be 100 to 599 and the reason must not contain CR, LF or NUL"
        case .invalidCookie(let detail):
            "invalid cookie: \(detail)"
        case .headAlreadySent:
            "the response head was already sent"
        case .io(let operation, let errno):
            "\(operation) failed (errno \(errno))"
        case .requestHeadTooLarge(let limit):
            "the request's meta-variables and headers are larger than the limit of \(limit) bytes"
        }
    }

    /// Quotes a user-supplied value for a message, cut to a readable length.
    static func quote(_ value: String) -> String {
        let shown = value.count > 80 ? String(value.prefix(80)) + "…" : value
        var out = "\""
        for scalar in shown.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                out += "\\u{\(String(scalar.value, radix: 16))}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
