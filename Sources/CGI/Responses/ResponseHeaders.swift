/// The header fields of a response, in order; names compare case-insensitively.
///
/// Setting a field never fails; fields are checked when the response head is written
/// (``validate()``), so a bad field stops the response before any byte of it goes out.
public struct ResponseHeaders: Sendable, Sequence {
    /// The fields in the order they are written.
    public private(set) var fields: [(name: String, value: String)] = []

    /// Creates an empty set of fields.
    public init() {}

    /// The first value of `name`; setting replaces every field of that name (at the place
    /// of the first), and setting nil removes them.
    public subscript(name: String) -> String? {
        get { fields.first { Self.sameName($0.name, name) }?.value }
        set {
            let position = fields.firstIndex { Self.sameName($0.name, name) } ?? fields.endIndex
            fields.removeAll { Self.sameName($0.name, name) }
            if let newValue { fields.insert((name, newValue), at: position) }
        }
    }

    /// Adds a field, keeping any others of the same name (as `Set-Cookie` needs).
    public mutating func add(_ name: String, _ value: String) {
        fields.append((name, value))
    }

    /// Iterates the fields in order.
    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        fields.makeIterator()
    }

    /// Checks every field: the name must be an RFC 9110 §5.6.2 token other than `Status`
    /// (the CGI status field, RFC 3875 §6.3.3, comes from the response's status), and the
    /// value must hold no CR, LF or NUL (RFC 9110 §5.5), which would end the field early and
    /// let a value inject headers.
    /// - Throws: ``CGIError/invalidHeader(name:)`` for the first bad field.
    public func validate() throws {
        for (name, value) in fields {
            guard HTTPSyntax.isToken(name), !Self.sameName(name, "Status"),
                !value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 })
            else { throw CGIError.invalidHeader(name: name) }
        }
    }

    private static func sameName(_ lhs: String, _ rhs: String) -> Bool {
        lhs.lowercased() == rhs.lowercased()
    }
}
