import CGI
import Testing

@testable import cgi

/// `cgi parse`'s upload hasher: the same digest as ``SHA256`` whether the hash stayed on the
/// reading thread or moved to its own, wherever the input is split.
@Suite struct SecondCoreSHA256Tests {
    /// Bytes that differ from one position to the next, the same for the same `size`.
    static func contents(size: Int) -> [UInt8] {
        (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }
    }

    /// Hashes `contents` in pieces cut at `splits` (ascending positions).
    static func digest(_ contents: [UInt8], splits: [Int]) -> SHA256.Digest {
        var hasher = SecondCoreSHA256()
        var start = 0
        contents.withUnsafeBytes { all in
            for end in splits.filter({ $0 < all.count }) + [all.count] {
                hasher.update(UnsafeRawBufferPointer(rebasing: all[start..<end]))
                start = end
            }
        }
        return hasher.finalize()
    }

    @Test(arguments: [0, 1, SecondCoreSHA256.handOverSize, SecondCoreSHA256.handOverSize + 1, 3 * BackgroundSHA256.capacity + 5])
    func digestEqualsSHA256(size: Int) {
        let contents = Self.contents(size: size)
        let ring = BackgroundSHA256.capacity
        let splitSets = [
            [], [SecondCoreSHA256.handOverSize], [SecondCoreSHA256.handOverSize + 1],
            Array(stride(from: 4099, to: size, by: 4099)), Array(stride(from: ring + 7, to: size, by: ring + 7)),
        ]
        for splits in splitSets {
            #expect(Self.digest(contents, splits: splits) == SHA256.hash(contents), "size \(size) split at \(splits.prefix(4))")
        }
    }
}
