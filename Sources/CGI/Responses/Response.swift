/// A whole CGI response: status, header fields and body, written at once as a CGI
/// document response (RFC 3875 §6.2.1).
///
/// ```swift
/// var response = Response(body: "<p>Hello, \(HTML.escape(name))</p>")
/// try response.setCookie(SetCookie(name: "seen", value: "1"))
/// try response.write()
/// ```
///
/// The output is a `Status` field (RFC 3875 §6.3.3), the header fields, a blank line and
/// the body, every line ending in CRLF. Nothing is checked until ``write(to:)``, which
/// refuses a bad status or header field (``CGIError/invalidStatus(_:)``,
/// ``CGIError/invalidHeader(name:)``) before writing a single byte. To send a response in
/// pieces, use ``ResponseWriter``.
public struct Response: Sendable {
    /// The Content-Type a new response has: HTML in UTF-8.
    public static let defaultContentType = "text/html; charset=utf-8"

    /// The status code (RFC 9110 §15).
    public var status: Int
    /// The reason phrase; nil writes the standard one for ``status``.
    public var reason: String?
    /// The header fields, `Content-Type` first.
    public var headers = ResponseHeaders()
    /// The body bytes.
    public var body: [UInt8]

    /// Creates a response with a text body (sent as UTF-8).
    public init(status: Int = 200, contentType: String = Response.defaultContentType, body: String = "") {
        self.init(status: status, contentType: contentType, bytes: Array(body.utf8))
    }

    /// Creates a response with a binary body.
    public init(status: Int = 200, contentType: String, bytes: [UInt8]) {
        self.status = status
        self.body = bytes
        headers["Content-Type"] = contentType
    }

    /// A client redirect (RFC 3875 §6.2.4): `status` (302 Found or 303 See Other, say) with
    /// `Location` and a short HTML page linking to `location` for clients that do not follow.
    public static func redirect(to location: String, status: Int = 302) -> Response {
        let link = HTML.escape(location)
        var response = Response(status: status, body: "<p>This page has moved to <a href=\"\(link)\">\(link)</a>.</p>\n")
        response.headers["Location"] = location
        return response
    }

    /// Adds a `Set-Cookie` field for `cookie`.
    /// - Throws: ``CGIError/invalidCookie(_:)`` when the cookie is not valid.
    public mutating func setCookie(_ cookie: SetCookie) throws {
        headers.add("Set-Cookie", try cookie.headerValue())
    }

    /// The response head: the `Status` line, the header fields and the blank line, in CRLF.
    /// - Throws: ``CGIError/invalidStatus(_:)`` or ``CGIError/invalidHeader(name:)``.
    public func head() throws -> [UInt8] {
        let reason = reason ?? HTTPStatus.reasonPhrase(status)
        guard (100...599).contains(status), !reason.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 })
        else { throw CGIError.invalidStatus("\(status) \(reason)") }
        try headers.validate()
        var text = "Status: \(status) \(reason)\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        return Array((text + "\r\n").utf8)
    }

    /// Writes the whole response (head and body) to `fileDescriptor`, by default (nil) to
    /// standard output, or under `CGI.run` to the response's own descriptor.
    /// - Throws: ``CGIError/invalidStatus(_:)`` or ``CGIError/invalidHeader(name:)`` with
    ///   nothing written, or ``CGIError/io(operation:errno:)``.
    public func write(to fileDescriptor: Int32? = nil) throws {
        try FileDescriptorOutput.write(try head() + body, to: fileDescriptor ?? ResponseDescriptor.current)
    }
}
