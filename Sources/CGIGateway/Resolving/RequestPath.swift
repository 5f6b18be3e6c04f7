import CGICore

/// A request target's path, percent-decoded exactly once, split into segments, with
/// empty segments and dot-segments removed (RFC 3986 §5.2.4).
///
/// Decoding happens per segment, so an encoded `/` (`%2F`) stays inside its segment where
/// ``ScriptResolver`` can see and refuse it. `%2e%2e` is a dot-segment like `..`.
public struct RequestPath: Sendable, Equatable {
    /// The decoded segments, none of them empty, `.` or `..`.
    public var segments: [String]
    /// Whether the path ends with `/` (or with a dot-segment, which names a folder).
    public var hasTrailingSlash: Bool

    /// Decodes and normalizes a percent-encoded path such as `/cgi-bin/../a%20b`.
    ///
    /// - Throws: ``ScriptResolverError/badRequest(_:)`` when the path does not start with `/`,
    ///   has a malformed `%` escape, decodes to a NUL or other control character or to bytes
    ///   that are not UTF-8, or climbs above the root with `..`.
    public init(percentEncoded path: String) throws(ScriptResolverError) {
        guard path.utf8.first == UInt8(ascii: "/") else {
            throw .badRequest("the path does not start with /")
        }
        let rawSegments = path.utf8.dropFirst().split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        var segments: [String] = []
        var endsInFolder = false
        for raw in rawSegments {
            let segment = try Self.decode(raw)
            endsInFolder = segment.isEmpty || segment == "." || segment == ".."
            switch segment {
            case "", ".":
                continue
            case "..":
                guard segments.popLast() != nil else { throw .badRequest("the path climbs above the root") }
            default:
                segments.append(segment)
            }
        }
        self.segments = segments
        self.hasTrailingSlash = endsInFolder && !segments.isEmpty
    }

    /// Whether the path starts with the given segments.
    public func hasPrefix(_ prefix: [String]) -> Bool {
        segments.starts(with: prefix)
    }

    private static func decode(_ raw: Substring.UTF8View) throws(ScriptResolverError) -> String {
        // Nothing to decode or refuse: the bytes are the segment, valid UTF-8 as part of a String.
        if !raw.contains(where: { $0 == UInt8(ascii: "%") || $0 < 0x20 || $0 == 0x7F }) {
            return String(Substring(raw))
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(raw.count)
        var index = raw.startIndex
        while index != raw.endIndex {
            var byte = raw[index]
            if byte == UInt8(ascii: "%") {
                let high = raw.index(after: index)
                guard high != raw.endIndex, raw.index(after: high) != raw.endIndex,
                    let h = PercentEncoding.hexValue(raw[high]), let l = PercentEncoding.hexValue(raw[raw.index(after: high)])
                else { throw .badRequest("malformed percent-encoding") }
                byte = h << 4 | l
                index = raw.index(high, offsetBy: 2)
            } else {
                index = raw.index(after: index)
            }
            if byte == 0 { throw .badRequest("the path contains %00") }
            if byte < 0x20 || byte == 0x7F { throw .badRequest("the path contains a control character") }
            bytes.append(byte)
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .badRequest("the path is not UTF-8")
        }
        return text
    }
}
