extension Response {
    /// The media type of a JSON response (RFC 8259 §11: UTF-8, no charset parameter).
    public static let jsonContentType = "application/json"

    /// A response whose body is `value` as JSON text.
    ///
    /// ```swift
    /// return .json(["id": .integer(id), "tags": .array(tags.map(JSON.string))], status: 201)
    /// ```
    public static func json(_ value: JSON, status: Int = 200) -> Response {
        Response(status: status, contentType: jsonContentType, bytes: Array(value.encoded().utf8))
    }
}

extension CGIError {
    /// The error as a JSON object for a client, in the shape `cgi parse` prints:
    /// `{"error": {"kind": "body_too_large", "message": "…", "status": 413}}`.
    public var json: JSON {
        ["error": ["kind": .string(kind), "message": .string(description), "status": .integer(httpStatus)]]
    }
}
