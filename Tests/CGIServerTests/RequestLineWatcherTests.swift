import NIOCore
import NIOEmbedded
import Testing

@testable import CGIServer

/// The open-line tracker tells a too-long request line from too-long header fields, wherever
/// the connection's bytes are split, and passes every byte on unchanged.
@Suite("Open line tracker")
struct RequestLineWatcherTests {
    static let limit = 8192
    static let long = String(repeating: "a", count: limit + 100)

    static let cases: [(name: String, input: String, long: Bool)] = [
        ("request line still arriving", "GET /\(long)", true),
        ("request line ended", "GET /\(long) HTTP/1.1\r\nHost: x\r\nX-A: b\r\n", true),
        ("a long target within the allowance", "GET /\(long.prefix(limit)) HTTP/1.1\r\nHost: x\r\n", false),
        ("header value still arriving", "GET / HTTP/1.1\r\nX-Big: \(long)", false),
        ("header value without a space", "GET / HTTP/1.1\r\nX-Big:\(long)\r\n", false),
        ("short head", "GET / HTTP/1.1\r\nHost: x\r\n\r\n", false),
        ("bare LF lines", "GET /\(long) HTTP/1.1\nHost: x\n", true),
        ("no method", " /\(long)", false),
    ]

    @Test(arguments: cases.indices)
    func classificationDoesNotDependOnTheSplits(index: Int) throws {
        let (name, input, expected) = Self.cases[index]
        let bytes = Array(input.utf8)
        for split in stride(from: 0, through: bytes.count, by: 97) + [1, bytes.count - 1] where split >= 0 {
            let tracker = RequestLineWatcher(maxRequestTargetSize: Self.limit)
            let channel = EmbeddedChannel(handler: tracker)
            var passed: [UInt8] = []
            for piece in [bytes[..<split], bytes[split...]] where !piece.isEmpty {
                try channel.writeInbound(ByteBuffer(bytes: piece))
                while let buffer = try channel.readInbound(as: ByteBuffer.self) { passed += buffer.readableBytesView }
            }
            #expect(tracker.headHasLongRequestLine == expected, "\(name), split at \(split)")
            #expect(passed == bytes, "\(name), split at \(split)")
        }
    }

    @Test func aDecodedHeadAndBodiesAreNotCounted() throws {
        let tracker = RequestLineWatcher(maxRequestTargetSize: Self.limit)
        let channel = EmbeddedChannel(handler: tracker)
        try channel.writeInbound(ByteBuffer(string: "POST /\(Self.long) HTTP/1.1\r\n"))
        #expect(tracker.headHasLongRequestLine)
        tracker.requestHeadReceived(hasBody: true)
        #expect(!tracker.headHasLongRequestLine)
        try channel.writeInbound(ByteBuffer(string: "GET /\(Self.long)"))
        #expect(!tracker.headHasLongRequestLine, "body bytes are skipped")
        tracker.requestEnded()
        try channel.writeInbound(ByteBuffer(string: "\r\nGET /\(Self.long)"))
        #expect(tracker.headHasLongRequestLine)
    }
}
