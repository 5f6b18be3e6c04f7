/// `SERVER_NAME` from a request's authority (`Host` header or absolute-form target): the host
/// without its port, lower-cased, IPv6 literals keeping their brackets (RFC 3875 §4.1.14).
enum ServerName {
    /// The name in `authority`, or `nil` when it is not a plausible host (a reg-name or IP literal).
    static func parse(_ authority: String) -> String? {
        let lowered = authority.lowercased()
        let host: Substring
        if lowered.hasPrefix("[") {
            guard let close = lowered.firstIndex(of: "]") else { return nil }
            host = lowered[...close]
            let rest = lowered[lowered.index(after: close)...]
            guard rest.isEmpty || isPort(rest) else { return nil }
            guard host.utf8.dropFirst().dropLast().allSatisfy({ isHexDigit($0) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".") })
            else { return nil }
        } else {
            let colon = lowered.firstIndex(of: ":") ?? lowered.endIndex
            host = lowered[..<colon]
            guard colon == lowered.endIndex || isPort(lowered[colon...]) else { return nil }
            guard !host.isEmpty, host.utf8.allSatisfy(isHostNameByte) else { return nil }
        }
        return String(host)
    }

    /// A letter, digit, `-`, `.` or `_` (lower case: the authority is lower-cased first).
    private static func isHostNameByte(_ byte: UInt8) -> Bool {
        isDigit(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || byte == UInt8(ascii: "-")
            || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_")
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    /// `:` followed by up to five digits.
    private static func isPort(_ text: Substring) -> Bool {
        text.first == ":" && text.utf8.count <= 6 && text.utf8.dropFirst().allSatisfy(isDigit)
    }
}
