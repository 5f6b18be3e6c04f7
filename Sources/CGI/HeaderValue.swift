/// A header value with parameters, such as `Content-Type` or `Content-Disposition`
/// (`form-data; name="a"; filename="b.txt"`): the main value and its parameters.
public struct HeaderValue: Sendable, Equatable {
    /// The main value (`form-data`, `text/html`), trimmed, case kept.
    public var value: String
    /// The parameters in order, names lower-cased, values unquoted.
    public var parameters: [Parameter]

    /// One `name=value` parameter.
    public struct Parameter: Sendable, Equatable {
        /// The lower-cased name.
        public var name: String
        /// The unquoted value.
        public var value: String
    }

    /// Parses a header value.
    public init(parsing header: String) {
        var pieces = header.split(separator: ";", omittingEmptySubsequences: false).map {
            $0.trimmingWhitespace()
        }
        value = pieces.isEmpty ? "" : pieces.removeFirst()
        parameters = pieces.compactMap { piece in
            guard let equals = piece.firstIndex(of: "=") else { return nil }
            var value = piece[piece.index(after: equals)...].trimmingWhitespace()
            if value.count >= 2, value.first == "\"", value.last == "\"" {
                value = String(value.dropFirst().dropLast())
            }
            return Parameter(name: piece[..<equals].trimmingWhitespace().lowercased(), value: value)
        }
    }

    /// The value of the parameter `name` (case-insensitive), or nil.
    public func parameter(_ name: String) -> String? {
        let name = name.lowercased()
        return parameters.last { $0.name == name }?.value
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }),
            let last = lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(self[first...last])
    }
}
