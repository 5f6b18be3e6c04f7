/// A header value with parameters, such as `Content-Type` or `Content-Disposition`
/// (`form-data; name="a"; filename="b.txt"`): the main value and its parameters.
///
/// Parsing follows Python's `cgi.parse_header`: parameters are split on `;` outside quoted
/// strings, names are lower-cased, a value in double quotes is unquoted with `\\` and `\"`
/// unescaped, and a piece without `=` is skipped. Unlike Python, a quoted value that ends in
/// an escaped backslash (`b="x\\"; c=d`) does not swallow the next parameter (bpo-43910).
///
/// ``parameter(_:)`` also decodes RFC 2231 extended parameters (`filename*=UTF-8''%C3%A9.txt`,
/// RFC 8187 for HTTP) and RFC 2231 §3 continuations (`name*0=…; name*1*=…`).
public struct HeaderValue: Sendable, Equatable {
    /// The main value (`form-data`, `text/html`), trimmed, case kept.
    public var value: String
    /// The parameters in order as sent, names lower-cased, quoted values unquoted; extended
    /// parameters keep their raw form (`filename*` = `UTF-8''%C3%A9.txt`).
    public var parameters: [Parameter]

    /// One `name=value` parameter.
    public struct Parameter: Sendable, Equatable {
        /// The lower-cased name.
        public var name: String
        /// The unquoted value.
        public var value: String
    }

    /// Parses a header value. Any input is accepted; pieces that are not parameters are skipped.
    public init(parsing header: String) {
        var pieces = Self.splitParameters(Array(header.utf8)).map { $0.trimmingWhitespace() }
        value = String(decoding: pieces.removeFirst(), as: UTF8.self)
        parameters = pieces.compactMap { piece in
            guard let equals = piece.firstIndex(of: UInt8(ascii: "=")) else { return nil }
            let name = String(decoding: piece[..<equals].trimmingWhitespace(), as: UTF8.self).lowercased()
            var value = piece[(equals + 1)...].trimmingWhitespace()
            if value.count >= 2, value.first == UInt8(ascii: "\""), value.last == UInt8(ascii: "\"") {
                value = Self.unescaped(value.dropFirst().dropLast())
            }
            return Parameter(name: name, value: String(decoding: value, as: UTF8.self))
        }
    }

    /// The value of the parameter `name` (case-insensitive), or nil.
    ///
    /// An RFC 2231 extended form of the parameter (`name*`, or the continuations `name*0`,
    /// `name*1*`, …) is preferred and returned decoded; a charset other than UTF-8, US-ASCII
    /// or ISO-8859-1 falls back to the plain parameter. When a name repeats, the last wins.
    public func parameter(_ name: String) -> String? {
        let name = name.lowercased()
        return extendedParameter(name) ?? parameters.last { $0.name == name }?.value
    }

    /// The decoded RFC 2231 value of `name` (§4 `name*`, or §3 continuations), or nil.
    private func extendedParameter(_ name: String) -> String? {
        guard parameters.contains(where: { $0.name.hasPrefix(name + "*") }) else { return nil }
        // Later duplicates win; one dictionary keeps long continuation chains linear.
        let byName = Dictionary(parameters.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 })
        var segments: [(value: String, isExtended: Bool)] = []
        if let single = byName[name + "*"] {
            segments = [(single, true)]
        } else {
            while true {
                let prefix = name + "*" + String(segments.count)
                if let extended = byName[prefix + "*"] {
                    segments.append((extended, true))
                } else if let plain = byName[prefix] {
                    segments.append((plain, false))
                } else {
                    break
                }
            }
        }
        guard let first = segments.first else { return nil }
        var encoding = TextEncoding.utf8
        var bytes: [UInt8] = []
        for (index, segment) in segments.enumerated() {
            var text = Array(segment.value.utf8)[...]
            guard segment.isExtended else {
                bytes += text
                continue
            }
            // RFC 2231 §4: the first extended segment is charset'language'value.
            if index == 0, first.isExtended {
                let quotes = text.indices.filter { text[$0] == UInt8(ascii: "'") }.prefix(2)
                if quotes.count == 2 {
                    let charset = String(decoding: text[..<quotes[quotes.startIndex]], as: UTF8.self)
                    if !charset.isEmpty {
                        guard let named = TextEncoding(name: charset) else { return nil }
                        encoding = named
                    }
                    text = text[(quotes[quotes.startIndex + 1] + 1)...]
                }
            }
            bytes += PercentEncoding.decode(text)
        }
        return encoding.decode(bytes)
    }

    /// Splits at each `;` that is outside a quoted string (RFC 9110 §5.6.4); inside one, a
    /// backslash escapes the next byte.
    private static func splitParameters(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var pieces: [ArraySlice<UInt8>] = []
        var start = 0
        var index = 0
        var inQuotes = false
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\\") where inQuotes:
                index += 1
            case UInt8(ascii: "\""):
                inQuotes.toggle()
            case UInt8(ascii: ";") where !inQuotes:
                pieces.append(bytes[start..<index])
                start = index + 1
            default:
                break
            }
            index += 1
        }
        pieces.append(bytes[start..<bytes.count])
        return pieces
    }

    /// The inside of a quoted string with `\\` and `\"` unescaped; other backslashes stay
    /// (browsers send Windows paths such as `C:\dir\a.txt` unescaped).
    private static func unescaped(_ quoted: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var result: [UInt8] = []
        var index = quoted.startIndex
        while index < quoted.endIndex {
            let byte = quoted[index]
            if byte == UInt8(ascii: "\\"), index + 1 < quoted.endIndex,
                quoted[index + 1] == UInt8(ascii: "\\") || quoted[index + 1] == UInt8(ascii: "\"")
            {
                result.append(quoted[index + 1])
                index += 2
            } else {
                result.append(byte)
                index += 1
            }
        }
        return result[...]
    }
}

extension ArraySlice<UInt8> {
    /// The bytes without leading and trailing ASCII whitespace (space, tab, CR, LF, VT, FF),
    /// the set Python's `str.strip` removes.
    package func trimmingWhitespace() -> ArraySlice<UInt8> {
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || (0x09...0x0D).contains($0) }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) })
        else { return [] }
        return self[first...last]
    }
}

extension StringProtocol {
    /// The string without leading and trailing spaces and tabs.
    @inlinable package func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }),
            let last = lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(self[first...last])
    }
}
