import Testing

@testable import CGICore

@Suite struct ByteRangeTests {
    @Test(arguments: [
        ("bytes=2-4", ByteRange.part(2..<5)), ("bytes=7-", .part(7..<10)), ("bytes=-3", .part(7..<10)),
        ("bytes=-30", .part(0..<10)), ("bytes=8-99999999999999999999", .part(8..<10)),
        (" Bytes=0-0 ", .part(0..<1)), ("bytes= 1-2", .part(1..<3)),
        ("bytes=10-", .unsatisfiable), ("bytes=99999999999999999999-1", .unsatisfiable), ("bytes=-0", .unsatisfiable),
        ("bytes=0-1,4-5", .whole), ("bytes=5-2", .whole), ("items=0-1", .whole), ("bytes=a-b", .whole),
        ("bytes=-", .whole), ("bytes=3", .whole), ("", .whole),
    ])
    func resolvesAgainstTenBytes(header: String, expected: ByteRange) {
        #expect(ByteRange.parse(header, size: 10) == expected)
    }

    @Test func anEmptyRepresentationHasNoSatisfiableRange() {
        #expect(ByteRange.parse("bytes=0-", size: 0) == .unsatisfiable)
        #expect(ByteRange.parse("bytes=-5", size: 0) == .unsatisfiable)
    }
}
