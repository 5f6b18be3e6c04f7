extension Request {
    /// The body parsed as JSON, for a JSON API.
    ///
    /// ```swift
    /// CGI.run { request in
    ///     let input = try request.json()          // 400, 413 or 415 for the client, as JSON if it asks
    ///     return .json(["received": input])
    /// }
    /// ```
    ///
    /// The body is read here, so call this once. Errors are ``CGIError``s with the status a
    /// client should get (``CGIError/httpStatus``); thrown from a `CGI.run` handler they are
    /// answered in the format ``RejectionFormat`` chooses, or catch them and answer with
    /// ``Response/json(_:status:)`` and ``CGIError/json``.
    /// - Parameters:
    ///   - maxBytes: the largest body accepted.
    ///   - maxDepth: the deepest nesting of arrays and objects accepted.
    /// - Throws: ``CGIError/unsupportedMediaType(_:expected:)`` (415) when the Content-Type is
    ///   not `application/json` or a `+json` type; ``CGIError/bodyTooLarge(limit:)`` (413);
    ///   ``CGIError/malformed(_:)`` (400) for a missing body or one that is not JSON.
    public func json(maxBytes: Int = 1 << 20, maxDepth: Int = 100) throws -> JSON {
        guard JSON.isMediaType(mediaType?.value ?? "") else {
            throw CGIError.unsupportedMediaType(contentType ?? "", expected: "application/json")
        }
        guard let body else { throw CGIError.malformed("the request has no JSON body") }
        let bytes = try body.readAll(maxBytes: maxBytes)
        do {
            return try JSON(parsing: bytes, limits: JSONLimits(maxBytes: maxBytes, maxDepth: maxDepth))
        } catch let error as JSONError {
            throw CGIError.malformed(error.description)
        }
    }
}

extension JSON {
    /// Whether the lower-cased media type `type` is JSON: `application/json` or an
    /// `application/…+json` type (RFC 6839 §3.1).
    static func isMediaType(_ type: String) -> Bool {
        type == "application/json" || (type.hasPrefix("application/") && type.hasSuffix("+json"))
    }
}
