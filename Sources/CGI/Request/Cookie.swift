/// A cookie the browser sent: one `name=value` pair of the `Cookie` request header
/// (HTTP_COOKIE).
public struct Cookie: Sendable, Equatable {
    /// The cookie's name, as sent.
    public var name: String
    /// The cookie's value as sent, without surrounding double quotes.
    public var rawValue: String

    /// Creates a cookie pair from the value as sent.
    public init(name: String, rawValue: String) {
        self.name = name
        self.rawValue = rawValue
    }

    /// The value with `%XX` escapes decoded, as ``SetCookie`` encodes them (a `%` not followed
    /// by two hex digits stays; bytes that are not UTF-8 become U+FFFD).
    public var value: String {
        guard rawValue.utf8.contains(UInt8(ascii: "%")) else { return rawValue }
        return String(decoding: PercentEncoding.decode(rawValue.utf8), as: UTF8.self)
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
            return Cookie(name: String(decoding: name, as: UTF8.self), rawValue: String(decoding: value, as: UTF8.self))
        }
    }
}
