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
            guard host.dropFirst().dropLast().allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else { return nil }
        } else {
            let colon = lowered.firstIndex(of: ":") ?? lowered.endIndex
            host = lowered[..<colon]
            guard colon == lowered.endIndex || isPort(lowered[colon...]) else { return nil }
            guard !host.isEmpty, host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-._".contains($0)) }) else {
                return nil
            }
        }
        return String(host)
    }

    /// `:` followed by up to five digits.
    private static func isPort(_ text: Substring) -> Bool {
        text.first == ":" && text.count <= 6 && text.dropFirst().allSatisfy(\.isASCIIDigit)
    }
}
