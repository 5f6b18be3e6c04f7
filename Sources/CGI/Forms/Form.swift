/// A request's form: every field of the query string and the body, in arrival order.
///
/// Names may repeat; nothing is ever "a string or a list". The order is CPython's `cgi`
/// order: for an urlencoded body, body fields then query fields; for multipart, query
/// fields then parts; for GET and HEAD, the query alone.
///
/// ```swift
/// let name = form["name"] ?? "world"
/// let colours = form.values("colour")
/// if let photo = form.file("photo") { try photo.save(to: "/srv/photos/\(photo.filename)") }
/// ```
public struct Form: Sendable, RandomAccessCollection {
    /// Every field in arrival order.
    public private(set) var fields: [FormField]

    /// Creates a form from fields in arrival order.
    public init(_ fields: [FormField] = []) {
        self.fields = fields
    }

    /// The first text value of the field `name`, or nil if there is none.
    public subscript(name: String) -> String? {
        // A plain loop: lazy collection types cost a script start-up time on first use.
        for field in fields where field.name == name {
            if let text = field.text { return text }
        }
        return nil
    }

    /// Every text value of the field `name`, in order (empty if there is none).
    public func values(_ name: String) -> [String] {
        fields.compactMap { $0.name == name ? $0.text : nil }
    }

    /// The first file uploaded under `name`, or nil.
    public func file(_ name: String) -> UploadedFile? {
        for field in fields where field.name == name {
            if let file = field.file { return file }
        }
        return nil
    }

    /// Every file uploaded under `name`, in order.
    public func files(_ name: String) -> [UploadedFile] {
        fields.compactMap { $0.name == name ? $0.file : nil }
    }

    /// Whether any field (text or file) is called `name`.
    public func contains(_ name: String) -> Bool {
        fields.contains { $0.name == name }
    }

    /// The distinct field names in order of first appearance (parts without a name left out).
    public var names: [String] {
        var seen = Set<String>()
        return fields.compactMap { field in
            guard let name = field.name, seen.insert(name).inserted else { return nil }
            return name
        }
    }

    /// Appends a field at the end.
    public mutating func append(_ field: FormField) {
        fields.append(field)
    }

    /// The position of the first field.
    public var startIndex: Int { fields.startIndex }
    /// The position after the last field.
    public var endIndex: Int { fields.endIndex }
    /// The field at `position`.
    public subscript(position: Int) -> FormField { fields[position] }
}
