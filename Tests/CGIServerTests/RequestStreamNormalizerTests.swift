import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import CGIServer

/// The request stream normalizer rewrites exactly the request lines and chunk-size lines it
/// should, passes every other byte unchanged, and gives the same bytes wherever the
/// connection's input is split.
@Suite("Request stream normalizer")
struct RequestStreamNormalizerTests {
    static let post = "POST /u HTTP/1.1\r\nHost: x\r\n"

    /// Inputs and what the decoder must get from them.
    static let cases: [(name: String, input: String, expected: String)] = [
        (
            "plain requests", "GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.0\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.0\r\n\r\n"
        ),
        (
            "a later minor version", "GET / HTTP/1.2\r\nHost: x\r\n\r\nGET / HTTP/1.9\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\n\r\n"
        ),
        ("leading empty line", "\r\nGET / HTTP/1.3\r\n\r\n", "\r\nGET / HTTP/1.1\r\n\r\n"),
        (
            "chunk extensions",
            post
                + "Transfer-Encoding: Chunked\r\n\r\n5 ; a=\"q\\\"x\"\r\nhello\r\nA;b\r\n0123456789\r\n0; c\r\nT: 1\r\n\r\nGET / HTTP/1.2\r\n\r\n",
            post + "Transfer-Encoding: Chunked\r\n\r\n5\r\nhello\r\nA\r\n0123456789\r\n0\r\nT: 1\r\n\r\nGET / HTTP/1.1\r\n\r\n"
        ),
        (
            "chunk data and length-framed bodies are not looked at",
            post + "Transfer-Encoding: chunked\r\n\r\n9\r\n1; x\r\n2;y\r\n0\r\n\r\n"
                + post + "content-length:  14 \r\n\r\nGET / HTTP/1.2POST / HTTP/1.2\r\n\r\n",
            post + "Transfer-Encoding: chunked\r\n\r\n9\r\n1; x\r\n2;y\r\n0\r\n\r\n"
                + post + "content-length:  14 \r\n\r\nGET / HTTP/1.2POST / HTTP/1.1\r\n\r\n"
        ),
        (
            "a malformed extension is left to the decoder", post + "Transfer-Encoding: chunked\r\n\r\n5;a=\r\nhello\r\n",
            post + "Transfer-Encoding: chunked\r\n\r\n5;a=\r\nhello\r\n"
        ),
        (
            "whitespace after the size alone is left to the decoder", post + "Transfer-Encoding: chunked\r\n\r\n5 \r\nhello\r\n",
            post + "Transfer-Encoding: chunked\r\n\r\n5 \r\nhello\r\n"
        ),
        (
            "uncertain framing stops all rewriting",
            post + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5; x\r\nhello\r\nGET / HTTP/1.2\r\n\r\n",
            post + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5; x\r\nhello\r\nGET / HTTP/1.2\r\n\r\n"
        ),
        (
            "another coding", post + "Transfer-Encoding: gzip, chunked\r\n\r\n5; x\r\n",
            post + "Transfer-Encoding: gzip, chunked\r\n\r\n5; x\r\n"
        ),
        (
            "a bare LF", "GET / HTTP/1.1\nHost: x\r\n\r\nGET / HTTP/1.2\r\n\r\n",
            "GET / HTTP/1.1\nHost: x\r\n\r\nGET / HTTP/1.2\r\n\r\n"
        ),
        (
            "a folded line", "GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\nGET / HTTP/1.2\r\n\r\n",
            "GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\nGET / HTTP/1.2\r\n\r\n"
        ),
        (
            "an upgrade", "GET / HTTP/1.1\r\nUpgrade: x\r\n\r\nGET / HTTP/1.2\r\n\r\n",
            "GET / HTTP/1.1\r\nUpgrade: x\r\n\r\nGET / HTTP/1.2\r\n\r\n"
        ),
        (
            "HTTP/2.0 is the decoder's to refuse", "GET / HTTP/2.0\r\n\r\nGET / HTTP/1.2\r\n\r\n",
            "GET / HTTP/2.0\r\n\r\nGET / HTTP/1.2\r\n\r\n"
        ),
        ("a head line still arriving is held back", "GET / HTTP/1.2\r\nHost: exam", "GET / HTTP/1.1\r\n"),
    ]

    /// Feeds `pieces` to a new normalizer; the bytes passed on, and whether it refused the request.
    func normalize(_ pieces: [ArraySlice<UInt8>], longestHeadLine: Int = 1000) throws -> (bytes: [UInt8], refused: Bool) {
        let channel = EmbeddedChannel(handler: RequestStreamNormalizer(longestHeadLine: longestHeadLine))
        var passed: [UInt8] = []
        var refused = false
        for piece in pieces where !piece.isEmpty {
            do {
                try channel.writeInbound(ByteBuffer(bytes: piece))
            } catch HTTPParserError.invalidChunkSize {
                refused = true
            }
            while let buffer = try channel.readInbound(as: ByteBuffer.self) { passed += buffer.readableBytesView }
        }
        return (passed, refused)
    }

    @Test(arguments: cases.indices)
    func outputDoesNotDependOnTheSplits(index: Int) throws {
        let (name, input, expected) = Self.cases[index]
        let bytes = Array(input.utf8)
        var generator = SystemRandomNumberGenerator()
        for round in 0..<200 {
            // Round 0 sends it whole; round 1 byte by byte; the others at random places.
            let cuts: [Int] =
                round == 0
                ? []
                : round == 1
                    ? Array(1..<bytes.count)
                    : (0..<Int.random(in: 1...6, using: &generator)).map { _ in Int.random(in: 0...bytes.count, using: &generator)
                    }.sorted()
            let bounds = [0] + cuts + [bytes.count]
            let pieces = zip(bounds, bounds.dropFirst()).map { bytes[$0..<$1] }
            let result = try normalize(pieces)
            #expect(String(decoding: result.bytes, as: UTF8.self) == expected, "\(name), cuts \(cuts)")
            #expect(!result.refused)
        }
    }

    @Test(arguments: [4096 - 5, 4096 - 4, 10_000])
    func longChunkSizeLinesAreRefusedWhereverTheyAreSplit(extensionLength: Int) throws {
        let head = Self.post + "Transfer-Encoding: chunked\r\n\r\n"
        let bytes = Array((head + "5;" + String(repeating: "e", count: extensionLength) + "\r\nhello\r\n0\r\n\r\n").utf8)
        let tooLong = extensionLength + 4 > RequestStreamFraming.longestChunkSizeLine
        for split in stride(from: 0, through: bytes.count, by: 331) {
            let result = try normalize([bytes[..<split], bytes[split...]])
            #expect(result.refused == tooLong, "split at \(split)")
            let expected = tooLong ? head : head + "5\r\nhello\r\n0\r\n\r\n"
            #expect(String(decoding: result.bytes, as: UTF8.self) == expected, "split at \(split)")
        }
    }

    @Test func aHeadLineLongerThanTheLimitIsPassedOnAsItIs() throws {
        let input = Array(("GET /" + String(repeating: "a", count: 2000) + " HTTP/1.2\r\n\r\n").utf8)
        let result = try normalize([input[..<1500], input[1500...]])
        #expect(result.bytes == input)
    }

    @Test func heldBytesArePassedOnWhenTheInputEnds() throws {
        let channel = EmbeddedChannel(handler: RequestStreamNormalizer(longestHeadLine: 1000))
        try channel.writeInbound(ByteBuffer(string: "GET / HTTP/1.1\r\nHost: exa"))
        channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        var passed = ""
        while let buffer = try channel.readInbound(as: ByteBuffer.self) { passed += String(buffer: buffer) }
        #expect(passed == "GET / HTTP/1.1\r\nHost: exa")
    }
}
