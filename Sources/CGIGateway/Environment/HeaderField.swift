/// One HTTP header field as a host passes it on: a request field the client sent, or a
/// response field a script wrote. Order and spelling are kept.
public struct HeaderField: Sendable, Equatable {
    /// The field name as written (case preserved).
    public var name: String
    /// The field value without surrounding whitespace. When the bytes sent are not valid UTF-8,
    /// this is their decoding with U+FFFD in place of each invalid sequence, and ``rawValue``
    /// holds the bytes themselves.
    public var value: String
    /// The value's bytes as sent, when they are not valid UTF-8 (`obs-text`, bytes 0x80–0xFF,
    /// is allowed in field values, RFC 9110 §5.5); `nil` when ``value`` holds them exactly.
    public var rawValue: [UInt8]?

    /// Creates a header field; `rawValue` is the value's bytes when `value` cannot hold them.
    public init(name: String, value: String, rawValue: [UInt8]? = nil) {
        self.name = name
        self.value = value
        self.rawValue = rawValue
    }

    /// The value's bytes: ``rawValue`` when there is one, the UTF-8 of ``value`` otherwise.
    public var valueBytes: [UInt8] {
        rawValue ?? Array(value.utf8)
    }
}
