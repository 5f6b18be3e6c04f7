/// One `Range: bytes=…` request header (RFC 9110 §14.1.2) resolved against a representation's size.
package enum ByteRange: Equatable, Sendable {
    /// Send the whole representation: no usable single range (several ranges, another unit, or
    /// syntax this reader does not take, which RFC 9110 §14.2 lets a server ignore).
    case whole
    /// Send these bytes (206).
    case part(Range<Int>)
    /// The range starts at or past the end: 416.
    case unsatisfiable

    /// The range `header` asks of a representation of `size` bytes: `bytes=a-b`, `bytes=a-` or
    /// `bytes=-n`. A last position or suffix past the end is cut to the end (RFC 9110 §14.1.2).
    package static func parse(_ header: String, size: Int) -> ByteRange {
        let text = header.trimmingWhitespace()
        guard text.lowercased().hasPrefix("bytes="), !text.contains(",") else { return .whole }
        let spec = text.dropFirst(6).trimmingWhitespace()
        let bounds = spec.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard bounds.count == 2, bounds.allSatisfy({ $0.utf8.allSatisfy(HTTPSyntax.isDigit) }) else { return .whole }
        // A bound too large for an Int is past the end of any file.
        if !bounds[0].isEmpty && Int(bounds[0]) == nil { return .unsatisfiable }
        let first = bounds[0].isEmpty ? nil : Int(bounds[0])
        let last = bounds[1].isEmpty ? nil : (Int(bounds[1]) ?? Int.max)
        switch (first, last) {
        case (nil, let suffix?):
            guard suffix > 0 else { return .unsatisfiable }
            return size == 0 ? .unsatisfiable : .part(max(0, size - suffix)..<size)
        case (let start?, let end):
            if let end, end < start { return .whole }
            guard start < size else { return .unsatisfiable }
            return .part(start..<(min(size - 1, end ?? size - 1) + 1))
        default:
            return .whole
        }
    }
}
