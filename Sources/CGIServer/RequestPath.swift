/// The path and query of a request target, decoded once and checked, so that every routing decision
/// (script or static file) is made on the same canonical form.
struct RequestPath: Equatable, Sendable {
    /// Decoded path segments, e.g. `["cgi-bin", "probe.cgi", "extra"]` for `/cgi-bin/probe.cgi/extra`.
    var segments: [String]
    /// Whether the path ends with `/` (a folder URL).
    var hasTrailingSlash: Bool
    /// The path exactly as sent (still percent-encoded), e.g. `/cgi-bin/probe.cgi/a%20b`.
    var rawPath: Substring
    /// The query without its `?`, exactly as sent; empty when there is none.
    var rawQuery: Substring

    /// Why a request target is refused.
    enum Rejection: Error, Equatable {
        /// Not an origin-form (or absolute-form) target, a NUL or control byte, bad percent-encoding, or a dot-segment: 400.
        case malformed
        /// An encoded `/` or `\`, which could make one path name two files: 404.
        case encodedSeparator
    }

    /// Parses a request target such as `/a/b%20c?x=1` or `http://host:8080/a/b?x=1`.
    init(target: String) throws(Rejection) {
        var target = Substring(target)
        for scheme in ["http://", "https://"] where target.hasPrefix(scheme) {
            let authorityAndPath = target.dropFirst(scheme.count)
            target = authorityAndPath.firstIndex(of: "/").map { authorityAndPath[$0...] } ?? "/"
        }
        guard target.first == "/" else { throw .malformed }
        let questionMark = target.firstIndex(of: "?")
        rawPath = target[..<(questionMark ?? target.endIndex)]
        rawQuery = questionMark.map { target[target.index(after: $0)...] } ?? ""
        hasTrailingSlash = rawPath.count > 1 && rawPath.hasSuffix("/")
        segments = []
        for piece in rawPath.split(separator: "/", omittingEmptySubsequences: true) {
            let segment = try RequestPath.decode(piece)
            guard segment != "." && segment != ".." else { throw .malformed }
            segments.append(segment)
        }
    }

    /// Percent-decodes one path segment exactly once, refusing encoded separators, NUL and control bytes.
    private static func decode(_ piece: Substring) throws(Rejection) -> String {
        var bytes: [UInt8] = []
        var iterator = piece.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                throw .malformed
            }
            let decoded = high << 4 | low
            if decoded == UInt8(ascii: "/") || decoded == UInt8(ascii: "\\") { throw .encodedSeparator }
            bytes.append(decoded)
        }
        guard !bytes.contains(where: { $0 < 0x20 || $0 == 0x7F }) else { throw .malformed }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
