/// A cookie the browser sent: one `name=value` pair of the `Cookie` request header
/// (HTTP_COOKIE).
public struct Cookie: Sendable, Equatable {
    /// The cookie's name, as sent.
    public var name: String
    /// The cookie's value, as sent, without surrounding double quotes.
    public var value: String

    /// Creates a cookie pair.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    /// Parses a `Cookie` header leniently, the way RFC 6265 §5.2 asks user agents to read
    /// cookie pairs: pairs are split on `;`, whitespace around names and values is removed, a
    /// value in double quotes is unquoted (§4.1.1), a pair without `=` or with an empty name
    /// is skipped. Order is kept and repeated names are all kept (§5.4 sends more specific
    /// paths first, so the first of a name is usually the one meant).
    public static func parse(header: String) -> [Cookie] {
        // Bytes, not Characters: U+037E is canonically equal to ";" but separates nothing.
        Array(header.utf8).split(separator: UInt8(ascii: ";")).compactMap { pair in
            guard let equals = pair.firstIndex(of: UInt8(ascii: "=")) else { return nil }
            let name = pair[..<equals].trimmingWhitespace()
            var value = pair[(equals + 1)...].trimmingWhitespace()
            if name.isEmpty { return nil }
            if value.count >= 2, value.first == UInt8(ascii: "\""), value.last == UInt8(ascii: "\"") {
                value = value.dropFirst().dropLast()
            }
            return Cookie(name: String(decoding: name, as: UTF8.self), value: String(decoding: value, as: UTF8.self))
        }
    }
}
