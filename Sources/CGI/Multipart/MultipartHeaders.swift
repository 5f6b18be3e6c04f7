/// The header block of one multipart part (RFC 2046 §5.1.1, RFC 7578 §4.8): names compared
/// without regard to case (RFC 5322 §1.2.2), folded lines unfolded (RFC 5322 §2.2.3).
public struct MultipartHeaders: Sendable, Equatable {
    /// One `Name: value` line.
    public struct Field: Sendable, Equatable {
        /// The name as sent.
        public var name: String
        /// The value with surrounding whitespace removed and folding undone.
        public var value: String
    }

    /// The fields in order.
    public var fields: [Field]

    /// Creates headers from fields.
    public init(_ fields: [Field] = []) {
        self.fields = fields
    }

    /// The value of the first field called `name` (any case), or nil.
    public subscript(name: String) -> String? {
        let name = name.lowercased()
        return fields.first { $0.name.lowercased() == name }?.value
    }

    /// Parses a header block: the lines between a delimiter and the blank line, without the
    /// blank line. Lines end in CRLF or a bare LF; text is decoded with `encoding`.
    /// - Throws: ``CGIError/malformed(_:)`` for a line without a colon, an empty name, or a
    ///   continuation line with nothing to continue.
    init(parsing block: UnsafeRawBufferPointer, encoding: TextEncoding) throws {
        var fields: [Field] = []
        var line = block[...]
        while !line.isEmpty {
            let end = line.firstIndex(of: UInt8(ascii: "\n")) ?? line.endIndex
            var content = line[..<end]
            line = end == line.endIndex ? line[end...] : line[(end + 1)...]
            if content.last == UInt8(ascii: "\r") { content = content.dropLast() }
            if let first = content.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") {
                guard !fields.isEmpty else {
                    throw CGIError.malformed("a part's header block starts with a continuation line")
                }
                let continuation = encoding.decode(content).trimmingWhitespace()
                let previous = fields[fields.count - 1].value
                fields[fields.count - 1].value = previous.isEmpty ? continuation : previous + " " + continuation
                continue
            }
            guard let colon = content.firstIndex(of: UInt8(ascii: ":")) else {
                throw CGIError.malformed("part header line \(CGIError.quote(encoding.decode(content))) has no colon")
            }
            let name = encoding.decode(content[..<colon]).trimmingWhitespace()
            guard !name.isEmpty, !name.contains(" "), !name.contains("\t") else {
                throw CGIError.malformed("part header line \(CGIError.quote(encoding.decode(content))) has no valid name")
            }
            fields.append(Field(name: name, value: encoding.decode(content[(colon + 1)...]).trimmingWhitespace()))
        }
        self.fields = fields
    }
}
