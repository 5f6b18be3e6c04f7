/// One HTTP header field as a host passes it on: a request field the client sent, or a
/// response field a script wrote. Order and spelling are kept.
public struct HeaderField: Sendable, Equatable {
    /// The field name as written (case preserved).
    public var name: String
    /// The field value without surrounding whitespace.
    public var value: String

    /// Creates a header field.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}
