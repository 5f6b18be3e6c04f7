import TestSupport
import Testing

@testable import CGI

/// The parser's result must not depend on where the body is split into chunks: every
/// multipart oracle body, split at every position (random splits for large bodies) and fed
/// byte by byte, gives the same fields or the same error as in one piece.
@Suite struct MultipartChunkingTests {
    static let bodies: [OracleCase] =
        (try? OracleCase.loadAll())?.filter {
            $0.contentType?.lowercased().hasPrefix("multipart/") == true
        } ?? []

    @Test func oracleBodiesAreLoaded() {
        #expect(Self.bodies.count >= 50)
    }

    @Test(arguments: bodies.map(\.id))
    func splittingNeverChangesTheResult(id: String) {
        let oracle = Self.bodies.first { $0.id == id }!
        let contentType = oracle.contentType ?? ""
        let options = oracle.formOptions
        let whole = MultipartHarness.parse(oracle.body, contentType: contentType, options: options)
        var random = SeededGenerator(seed: id.utf8.reduce(0xCBF2_9CE4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01B3 })
        let count = oracle.body.count
        var splitSets: [[Int]] = []
        if count <= 4096 {
            splitSets += (1..<max(count, 1)).map { [$0] }
            splitSets.append(Array(1..<max(count, 1)))  // one byte at a time
        } else {
            splitSets += (0..<200).map { _ in [Int(random.next() % UInt64(count - 1)) + 1] }
            splitSets.append(stride(from: 1, to: count, by: 1).map { $0 })
        }
        for _ in 0..<20 where count > 2 {
            var cuts = Set<Int>()
            for _ in 0..<(1 + Int(random.next() % 40)) { cuts.insert(Int(random.next() % UInt64(count - 1)) + 1) }
            splitSets.append(cuts.sorted())
        }
        for splits in splitSets {
            let chunked = MultipartHarness.parse(oracle.body, contentType: contentType, options: options, splits: splits)
            #expect(chunked == whole, "\(id) split at \(splits.prefix(8))")
            if chunked != whole { return }
        }
    }
}
