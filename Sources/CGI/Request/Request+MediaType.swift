extension Request {
    /// The body's media type (CONTENT_TYPE) with the type and subtype lower-cased, such as
    /// `application/json` for `Application/JSON; charset=UTF-8`, and its parameters parsed
    /// (`mediaType?.parameter("charset")`); nil when the request has no CONTENT_TYPE.
    public var mediaType: HeaderValue? {
        guard let contentType else { return nil }
        var header = HeaderValue(parsing: contentType)
        header.value = header.value.lowercased()
        return header
    }
}
