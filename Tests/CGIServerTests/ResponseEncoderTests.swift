import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import CGIServer

/// The response encoder on its own: framing, HEAD, and heads it must never send.
@Suite("Response encoder")
struct ResponseEncoderTests {
    private let encoder = ResponseEncoder()
    private let channel: EmbeddedChannel

    init() throws {
        channel = EmbeddedChannel(handler: encoder)
    }

    @Test func aResponseWithALengthLeavesAsOneBuffer() throws {
        try send(.head(head(.ok, ["Content-Length": "5"])), .body(.byteBuffer(ByteBuffer(string: "hello"))), .end(nil))
        #expect(try written() == ["HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"])
    }

    @Test func aBodyWithoutLengthIsChunkedOnHTTP11() throws {
        try send(.head(head(.ok, ["Content-Type": "text/plain"])), .body(.byteBuffer(ByteBuffer(string: "hello"))), .end(nil))
        #expect(
            try written().joined()
                == "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
    }

    @Test func http10BodiesWithoutLengthEndWithTheConnection() throws {
        try send(.head(head(.ok, [:], version: .http1_0)), .body(.byteBuffer(ByteBuffer(string: "hello"))), .end(nil))
        #expect(try written().joined() == "HTTP/1.0 200 OK\r\n\r\nhello")
    }

    @Test func aResponseToHEADKeepsItsFramingButSendsNoBody() throws {
        encoder.nextResponseAnswersHEAD = true
        try send(.head(head(.ok, [:])), .end(nil))
        encoder.nextResponseAnswersHEAD = false
        try send(.head(head(.ok, ["Content-Length": "2"])), .body(.byteBuffer(ByteBuffer(string: "ok"))), .end(nil))
        #expect(
            try written().joined()
                == "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    }

    @Test func statusesWithoutBodyLoseTheirFramingFields() throws {
        try send(.head(head(.notModified, ["ETag": "\"1\"", "Content-Length": "5", "Transfer-Encoding": "chunked"])), .end(nil))
        #expect(try written().joined() == "HTTP/1.1 304 Not Modified\r\nETag: \"1\"\r\n\r\n")
    }

    @Test func informationalHeadsGoOutAtOnce() throws {
        try send(.head(head(.continue, [:])))
        #expect(try written() == ["HTTP/1.1 100 Continue\r\n\r\n"])
    }

    @Test func headsThatCouldSplitTheResponseAreNeverSent() throws {
        for fields: HTTPHeaders in [["X-A": "1\r\nSet-Cookie: x"], ["X-A": "a\nb"], ["X-A": "a\u{0}b"], ["X A": "1"], ["": "1"]] {
            let encoder = ResponseEncoder()
            let channel = EmbeddedChannel(handler: encoder)
            let head = HTTPServerResponsePart.head(head(.ok, fields))
            #expect(throws: ResponseEncoder.Refusal.invalidHead) { try channel.writeOutbound(head) }
            #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
            #expect(!channel.isActive)
        }
        let customReason = HTTPServerResponsePart.head(
            HTTPResponseHead(version: .http1_1, status: .custom(code: 299, reasonPhrase: "a\r\nb")))
        #expect(throws: ResponseEncoder.Refusal.invalidHead) { try channel.writeOutbound(customReason) }
    }

    private func head(_ status: HTTPResponseStatus, _ fields: HTTPHeaders, version: HTTPVersion = .http1_1) -> HTTPResponseHead {
        HTTPResponseHead(version: version, status: status, headers: fields)
    }

    /// Writes `parts` as the server does, then flushes once.
    private func send(_ parts: HTTPServerResponsePart...) throws {
        for part in parts { channel.write(part, promise: nil) }
        channel.flush()
        try channel.throwIfErrorCaught()
    }

    /// The buffers that reached the socket so far, as text.
    private func written() throws -> [String] {
        var texts: [String] = []
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) {
            texts.append(String(buffer: buffer))
        }
        return texts
    }
}
