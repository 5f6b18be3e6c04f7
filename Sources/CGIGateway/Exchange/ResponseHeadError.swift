/// Why a script's output is not a valid CGI response head.
///
/// ``httpStatus`` tells the server what to answer:
/// - **502 Bad Gateway** when the output cannot be read as a CGI response at all: a malformed or
///   folded line, a bad `Status`, a `Location` that is not a URI, `Transfer-Encoding`, repeated
///   fields, output past the limits, or output ending before the blank line. The script broke the
///   gateway protocol, like an upstream that answers a proxy with garbage.
/// - **500 Internal Server Error** when the head reads fine but says too little to be a response:
///   no header fields at all, or neither `Content-Type`, `Location` nor `Status` (RFC 3875 §6.2.1
///   requires `Content-Type` for a document). The script's author has a bug to fix; Go answers the same.
///
/// The script's body is never sent after an error; ``description`` is the line for the log.
public enum ResponseHeadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Line `number` (1-based) is not `name: value`; `reason` says what is wrong and `excerpt`
    /// shows the line with unprintable bytes escaped.
    case malformedLine(number: Int, reason: String, excerpt: String)
    /// Line `number` is longer than the limit.
    case lineTooLong(number: Int, limit: Int)
    /// The header block is larger than the limit.
    case headTooLarge(limit: Int)
    /// The header block has more fields than the limit.
    case tooManyHeaders(limit: Int)
    /// The `Status` value is not a 3-digit code 200–599 with an optional reason phrase.
    case invalidStatus(String)
    /// The `Location` value is neither an absolute URI nor a path starting with a single `/`.
    case invalidLocation(String)
    /// A field that may appear once (`Status`, `Content-Type`, `Location`) appeared again.
    case repeatedHeader(String)
    /// The script sent `Transfer-Encoding`; the server frames responses itself.
    case transferEncoding(String)
    /// The output starts with a blank line: there are no header fields.
    case noHeaders
    /// Neither `Content-Type`, `Location` nor `Status` was given.
    case missingContentType
    /// The script wrote nothing on standard output.
    case noOutput
    /// The output ended before the blank line that ends the header block.
    case endOfOutput

    /// The HTTP status the server should answer with: 500 or 502, as the type's documentation explains.
    public var httpStatus: Int {
        switch self {
        case .noHeaders, .missingContentType: 500
        default: 502
        }
    }

    /// A sentence for the log, such as `malformed header line 3: no colon: "GARBAGE"`.
    public var description: String {
        switch self {
        case .malformedLine(let number, let reason, let excerpt):
            "malformed header line \(number): \(reason): \"\(excerpt)\""
        case .lineTooLong(let number, let limit): "script's header line \(number) is longer than \(limit) bytes"
        case .headTooLarge(let limit): "script's response header is larger than \(limit) bytes"
        case .tooManyHeaders(let limit): "script's response has more than \(limit) header fields"
        case .invalidStatus(let value): "script's Status is not a code 200-599 with a reason: \"\(value)\""
        case .invalidLocation(let value): "script's Location is not an absolute URI or /path: \"\(value)\""
        case .repeatedHeader(let name): "script's response has more than one \(name) header"
        case .transferEncoding(let value):
            "script's response has Transfer-Encoding \"\(value)\"; the server frames responses itself"
        case .noHeaders: "script's response starts with a blank line: no header fields"
        case .missingContentType: "script's response has no Content-Type or Location"
        case .noOutput: "script wrote no output"
        case .endOfOutput: "script's output ended before the blank line that ends the header"
        }
    }
}
