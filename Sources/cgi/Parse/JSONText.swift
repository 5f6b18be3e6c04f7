import CGI

/// JSON (RFC 8259) laid out the way `cgi parse` prints it: members in the given order, `": "` and
/// `", "` between them (the library's ``JSON`` writer sorts keys and writes compactly). Values
/// are passed in already encoded.
enum JSONText {
    /// `text` as a JSON string literal (RFC 8259 §7), escaped as the library's JSON writer does.
    static func string(_ text: String) -> String {
        JSON.quoted(text)
    }

    /// `text` as a JSON string, or `null` when it is nil.
    static func string(_ text: String?) -> String {
        text.map { string($0) } ?? "null"
    }

    /// An object of encoded values, members in the given order.
    static func object(_ members: [(String, String)]) -> String {
        "{" + members.map { string($0.0) + ": " + $0.1 }.joined(separator: ", ") + "}"
    }

    /// An array of encoded values.
    static func array(_ items: [String]) -> String {
        "[" + items.joined(separator: ", ") + "]"
    }
}
