import CGICore

/// One byte range requested with `Range: bytes=…` (RFC 9110 §14), resolved against a representation's length.
struct ByteRange: Equatable, Sendable {
    /// First byte offset (inclusive).
    var first: Int
    /// Last byte offset (inclusive).
    var last: Int

    /// Number of bytes in the range.
    var count: Int { last - first + 1 }

    /// What a `Range` header asks of a representation of a given length.
    enum Request: Equatable {
        /// No usable range (absent, malformed, another unit or several ranges): send the whole representation.
        case whole
        /// One satisfiable range: send 206 with it.
        case partial(ByteRange)
        /// A well-formed range that lies beyond the end: send 416.
        case unsatisfiable
    }

    /// Interprets a `Range` header value: `bytes=A-B`, open-ended `bytes=A-`, or suffix `bytes=-N`.
    ///
    /// Several ranges are answered with the whole representation (allowed by RFC 9110 §14.2), which keeps responses simple.
    static func request(_ header: String, length: Int) -> Request {
        guard header.hasPrefix("bytes=") else { return .whole }
        let spec = header.dropFirst("bytes=".count).trimmingWhitespace()
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return .whole }
        let start = spec[..<dash], end = spec[spec.index(after: dash)...]
        guard start.utf8.allSatisfy(HTTPSyntax.isDigit), end.utf8.allSatisfy(HTTPSyntax.isDigit) else { return .whole }
        if start.isEmpty {
            guard let suffix = Int(end) else { return .whole }
            guard suffix > 0, length > 0 else { return .unsatisfiable }
            return .partial(ByteRange(first: max(0, length - suffix), last: length - 1))
        }
        guard let first = Int(start) else { return .whole }
        let last = end.isEmpty ? Int.max : (Int(end) ?? Int.max)
        guard last >= first else { return .whole }
        guard first < length else { return .unsatisfiable }
        return .partial(ByteRange(first: first, last: min(last, length - 1)))
    }
}
