import CGICore

/// `SERVER_NAME` from a request's authority (`Host` header or absolute-form target): the host
/// without its port, lower-cased, IPv6 literals keeping their brackets (RFC 3875 §4.1.14).
enum ServerName {
    /// The name in `authority`, or `nil` when it is not a plausible host (a reg-name or IP literal).
    /// Spaces and tabs around it are not part of it (a field value's OWS, RFC 9112 §5.1).
    static func parse(_ authority: String) -> String? {
        let trimmed = authority.trimmingWhitespace()
        let bytes = Substring(trimmed).utf8
        let host: Substring.UTF8View
        if bytes.first == UInt8(ascii: "[") {
            guard let close = bytes.firstIndex(of: UInt8(ascii: "]")) else { return nil }
            host = bytes[...close]
            let rest = bytes[bytes.index(after: close)...]
            guard rest.isEmpty || isPort(rest) else { return nil }
            guard host.dropFirst().dropLast().allSatisfy({ isHexDigit($0) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".") })
            else { return nil }
        } else {
            let colon = bytes.firstIndex(of: UInt8(ascii: ":")) ?? bytes.endIndex
            host = bytes[..<colon]
            guard colon == bytes.endIndex || isPort(bytes[colon...]) else { return nil }
            guard !host.isEmpty, host.allSatisfy(isHostNameByte) else { return nil }
        }
        return String(Substring(host)).lowercased()
    }

    /// A letter, digit, `-`, `.` or `_`.
    private static func isHostNameByte(_ byte: UInt8) -> Bool {
        HTTPSyntax.isDigit(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20) || byte == UInt8(ascii: "-")
            || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_")
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        HTTPSyntax.isDigit(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte | 0x20)
    }

    /// `:` followed by up to five digits.
    private static func isPort(_ text: Substring.UTF8View) -> Bool {
        text.first == UInt8(ascii: ":") && text.count <= 6 && text.dropFirst().allSatisfy(HTTPSyntax.isDigit)
    }
}
