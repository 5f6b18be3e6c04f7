/// One field of a form: a query or urlencoded pair, or one multipart part.
public struct FormField: Sendable {
    /// Where a field came from.
    public enum Source: Sendable, Equatable {
        /// The query string (QUERY_STRING).
        case query
        /// The request body (urlencoded or multipart).
        case body
    }

    /// What a field holds.
    public enum Value: Sendable {
        /// A text field: the decoded text and the raw bytes it was decoded from
        /// (so binary data sent without a filename is never lost).
        case text(String, bytes: [UInt8])
        /// An uploaded file (a multipart part with a `filename` parameter, even an empty one).
        case file(UploadedFile)
    }

    /// The field's name; nil for a multipart part without a `name` parameter.
    public var name: String?
    /// The field's content.
    public var value: Value
    /// Where the field came from.
    public var source: Source
    /// The part's Content-Type for multipart parts; nil for query and urlencoded fields.
    public var contentType: String?

    /// Creates a field.
    public init(name: String?, value: Value, source: Source, contentType: String? = nil) {
        self.name = name
        self.value = value
        self.source = source
        self.contentType = contentType
    }

    /// The text of a text field; nil for a file.
    public var text: String? {
        if case .text(let text, _) = value { return text }
        return nil
    }

    /// The uploaded file; nil for a text field.
    public var file: UploadedFile? {
        if case .file(let file) = value { return file }
        return nil
    }
}
