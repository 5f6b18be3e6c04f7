import CGICore
import NIOHTTP1

/// A request refused before anything runs for it, with the status it gets and why.
///
/// Every rejection closes the connection afterwards: once framing is in doubt, no later byte can be trusted.
enum RequestRejection: Error, Equatable {
    /// The request target is longer than the configured limit (414).
    case targetTooLong
    /// An HTTP/1.1 request without a `Host` header (400).
    case missingHost
    /// More than one `Host` header (400).
    case repeatedHost
    /// A `Host` that is not a host name with an optional port (400).
    case invalidHost
    /// A header value holds a control byte such as NUL, CR or DEL (400).
    case controlByteInHeader
    /// Both `Content-Length` and `Transfer-Encoding`, the classic smuggling vector (400).
    case ambiguousFraming
    /// A `Content-Length` that is not one plain decimal number, or several that disagree (400).
    case invalidContentLength
    /// `Transfer-Encoding` on an HTTP/1.0 request, whose framing it cannot define (400, RFC 9112 §6.1).
    case transferEncodingInHTTP10
    /// A transfer coding other than `chunked` (501).
    case unsupportedTransferEncoding
    /// The announced body is larger than the configured limit (413).
    case bodyTooLarge
    /// The target is not an origin-form path, climbs above the root, or has a NUL or bad percent-encoding (400).
    case malformedTarget(String)

    /// The status the client receives.
    var status: HTTPResponseStatus {
        switch self {
        case .targetTooLong: .uriTooLong
        case .missingHost, .repeatedHost, .invalidHost, .controlByteInHeader, .ambiguousFraming,
            .transferEncodingInHTTP10, .invalidContentLength, .malformedTarget:
            .badRequest
        case .unsupportedTransferEncoding: .notImplemented
        case .bodyTooLarge: .payloadTooLarge
        }
    }

    /// A sentence for the error page and the log.
    var message: String {
        switch self {
        case .targetTooLong: "The request target is too long."
        case .missingHost: "An HTTP/1.1 request needs a Host header."
        case .repeatedHost: "The request has more than one Host header."
        case .invalidHost: "The Host header is not a valid host name."
        case .transferEncodingInHTTP10: "Transfer-Encoding is not defined for HTTP/1.0 requests."
        case .controlByteInHeader: "A header value contains a control character."
        case .ambiguousFraming: "The request has both Content-Length and Transfer-Encoding."
        case .invalidContentLength: "The Content-Length header is invalid."
        case .unsupportedTransferEncoding: "Only the chunked transfer coding is supported."
        case .bodyTooLarge: "The request body is larger than this server accepts."
        case .malformedTarget(let reason): "The request target is not a valid path: \(reason)."
        }
    }

    /// Checks a request head against the framing rules (RFC 9112 §6) and the configured limits.
    static func check(_ head: HTTPRequestHead, configuration: ServerConfiguration) throws(RequestRejection) {
        guard head.uri.utf8.count <= configuration.maxRequestTargetSize else { throw .targetTooLong }
        let hosts = head.headers["Host"]
        if head.version == .http1_1 && hosts.isEmpty { throw .missingHost }
        if hosts.count > 1 { throw .repeatedHost }
        if hosts.contains(where: { ServerName.parse($0) == nil }) { throw .invalidHost }
        for (_, value) in head.headers where value.utf8.contains(where: { ($0 < 0x20 && $0 != 0x09) || $0 == 0x7F }) {
            throw .controlByteInHeader
        }
        let lengths = head.headers["Content-Length"]
        let codings = head.headers["Transfer-Encoding"]
        if !lengths.isEmpty && !codings.isEmpty { throw .ambiguousFraming }
        if !codings.isEmpty && head.version == .http1_0 { throw .transferEncodingInHTTP10 }
        if !codings.isEmpty,
            codings.joined(separator: ",").split(separator: ",").map({ $0.trimmingWhitespace().lowercased() }) != ["chunked"]
        {
            throw .unsupportedTransferEncoding
        }
        guard let length = try contentLength(head) else { return }
        guard length <= configuration.maxBodySize else { throw .bodyTooLarge }
    }

    /// The declared body length: `nil` without a `Content-Length` header.
    static func contentLength(_ head: HTTPRequestHead) throws(RequestRejection) -> Int? {
        let lengths = head.headers["Content-Length"]
        guard let first = lengths.first else { return nil }
        guard lengths.count == 1, !first.isEmpty, first.utf8.count <= 18, first.utf8.allSatisfy(HTTPSyntax.isDigit),
            let length = Int(first)
        else { throw .invalidContentLength }
        return length
    }
}
