import CGICore

/// Turns the header fields of a script's response into a ``ResponseHead``: reads `Status`,
/// decides the kind of response from `Location` and `Content-Type` (RFC 3875 §6.2), takes a
/// valid `Content-Length` for the host to frame the body with, and removes the fields the
/// server never trusts.
enum ResponseHeadClassifier {
    /// Fields removed from every response: the connection is the server's to manage.
    static let droppedNames: Set<String> = ["connection", "keep-alive", "upgrade", "trailer", "te"]

    static func classify(_ fields: [HeaderField]) throws(ResponseHeadError) -> ResponseHead {
        guard !fields.isEmpty else { throw .noHeaders }
        var status: (code: Int, reason: String)?
        var contentType: String?
        var location: String?
        var contentLength: ContentLength = .absent
        var kept: [HeaderField] = []
        var dropped: [String] = []
        for field in fields {
            let name = field.name.lowercased()
            switch name {
            case "status":
                guard status == nil else { throw .repeatedHeader(field.name) }
                status = try parseStatus(field.value)
                continue
            case "content-type":
                guard contentType == nil else { throw .repeatedHeader(field.name) }
                contentType = field.value
            case "location":
                guard location == nil else { throw .repeatedHeader(field.name) }
                location = field.value
            case "transfer-encoding":
                throw .transferEncoding(field.value)
            case "content-length":
                contentLength = contentLength.adding(field.value)
                if case .invalid = contentLength { dropped.append(field.name) }
                continue
            default:
                if droppedNames.contains(name) || name.hasPrefix("proxy-") {
                    dropped.append(field.name)
                    continue
                }
            }
            kept.append(field)
        }

        if let location {
            let isLocalPath = location.hasPrefix("/") && !location.hasPrefix("//")
            guard !location.isEmpty, !location.contains(" "), isLocalPath || hasScheme(location) else {
                throw .invalidLocation(location)
            }
            if isLocalPath, kept.count == 1, status == nil {
                return ResponseHead(
                    kind: .localRedirect(location), status: 200, reason: "OK", headers: [], droppedHeaders: dropped)
            }
            let code = status?.code ?? 302
            let kind: ResponseHead.Kind = status != nil && contentType != nil ? .clientRedirectWithDocument : .clientRedirect
            var head = ResponseHead(
                kind: kind, status: code, reason: status?.reason ?? HTTPStatus.reasonPhrase(code),
                headers: kept, droppedHeaders: dropped)
            if kind == .clientRedirectWithDocument { head.contentLength = contentLength.value }
            return head
        }
        guard contentType != nil || status != nil else { throw .missingContentType }
        let code = status?.code ?? 200
        var head = ResponseHead(
            kind: .document, status: code, reason: status?.reason ?? HTTPStatus.reasonPhrase(code),
            headers: kept, droppedHeaders: dropped)
        head.contentLength = contentLength.value
        return head
    }

    /// What the script's `Content-Length` fields say: nothing, one length (repeated fields must
    /// agree), or something the host cannot frame with (dropped, and the host frames itself).
    private enum ContentLength {
        case absent
        case valid(Int)
        case invalid

        /// The length, when it is valid.
        var value: Int? {
            if case .valid(let length) = self { length } else { nil }
        }

        /// This state after one more field with `text`: at most 18 digits (RFC 9110 §8.6).
        func adding(_ text: String) -> ContentLength {
            let digits = text.trimmingWhitespace()
            guard !digits.isEmpty, digits.utf8.count <= 18, digits.utf8.allSatisfy(HTTPSyntax.isDigit), let length = Int(digits)
            else { return .invalid }
            switch self {
            case .absent: return .valid(length)
            case .valid(let first): return first == length ? self : .invalid
            case .invalid: return .invalid
            }
        }
    }

    /// `NNN` or `NNN reason`, with NNN in 200–599 (RFC 3875 §6.3.3).
    private static func parseStatus(_ value: String) throws(ResponseHeadError) -> (code: Int, reason: String) {
        let bytes = Array(value.utf8)
        guard bytes.count >= 3, bytes[..<3].allSatisfy(HTTPSyntax.isDigit),
            bytes.count == 3 || bytes[3] == UInt8(ascii: " "),
            let code = Int(String(decoding: bytes[..<3], as: UTF8.self)), (200...599).contains(code)
        else { throw .invalidStatus(value) }
        let reason = String(decoding: HTTPSyntax.trimmingWhitespace(bytes[3...]), as: UTF8.self)
        return (code, reason.isEmpty ? HTTPStatus.reasonPhrase(code) : reason)
    }

    /// Whether `uri` starts with a scheme: `ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":"` (RFC 3986 §3.1).
    private static func hasScheme(_ uri: String) -> Bool {
        guard let colon = uri.firstIndex(of: ":"), let first = uri.first, first.isASCII, first.isLetter else { return false }
        return uri[..<colon].allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) }
    }
}
