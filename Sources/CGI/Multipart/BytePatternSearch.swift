import Glibc

/// Finds a fixed byte pattern in a buffer with the Boyer–Moore–Horspool skip search: the
/// byte under the window's last position says how far the window may jump, so on typical
/// data only one byte in every pattern-length is looked at.
///
/// Candidates are confirmed first byte first, so input made of near-matches (runs of one
/// repeated byte) still costs a few comparisons per byte, not one pattern-length.
struct BytePatternSearch {
    /// The pattern searched for (at least one byte).
    let pattern: [UInt8]
    /// For each byte value: how far the window moves when that byte is under its last position.
    private let skip: [Int]

    /// Prepares a search for `pattern`, which must not be empty.
    init(pattern: [UInt8]) {
        precondition(!pattern.isEmpty, "empty search pattern")
        self.pattern = pattern
        var skip = [Int](repeating: pattern.count, count: 256)
        for (index, byte) in pattern.dropLast().enumerated() {
            skip[Int(byte)] = pattern.count - 1 - index
        }
        self.skip = skip
    }

    /// The position of the first occurrence of the pattern in `input` at or after `start`.
    func firstIndex(in input: UnsafeRawBufferPointer, from start: Int) -> Int? {
        let length = pattern.count
        guard start >= 0, input.count - start >= length else { return nil }
        let haystack = input.baseAddress!.assumingMemoryBound(to: UInt8.self)
        return pattern.withUnsafeBufferPointer { pattern in
            skip.withUnsafeBufferPointer { skip in
                let first = pattern[0]
                let last = pattern[length - 1]
                var position = start
                let lastStart = input.count - length
                while position <= lastStart {
                    let byte = haystack[position + length - 1]
                    if byte == last && haystack[position] == first
                        && memcmp(haystack + position, pattern.baseAddress!, length) == 0
                    {
                        return position
                    }
                    position += skip[Int(byte)]
                }
                return nil
            }
        }
    }
}
