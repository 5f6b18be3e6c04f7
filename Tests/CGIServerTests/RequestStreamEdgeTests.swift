import Foundation
import Testing

/// What HTTP allows in a request stream though a strict parser refuses it: whitespace around
/// chunk extensions (RFC 9112 §7.1.1) and a later HTTP/1.x minor version (RFC 9110 §2.5);
/// and the bound on chunk-size lines.
@Suite("Request stream edges", .serialized)
struct RequestStreamEdgeTests {
    let server: TestServer

    init() throws {
        server = try TestServer()
    }

    static let echo = "POST /cgi-bin/probe.cgi?echo=1 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"

    /// The responses to `requests`, sent at once on one connection.
    func responses(to requests: String, count: Int) throws -> [HTTPResult] {
        let connection = try RawConnection(port: server.port)
        connection.send(requests)
        return connection.readResponses(count)
    }

    @Test(arguments: [
        "5; comment\r\nhello\r\n6 ;a = \"b c\"\r\n world\r\n0; x\r\n\r\n",
        "5\t;\tcomment\r\nhello\r\n6;a;b=c\r\n world\r\n0 ; last=\"chunk\"\r\n\r\n",
    ])
    func chunkExtensionsWithWhitespaceAreAccepted(body: String) throws {
        let plain = try responses(to: Self.echo + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", count: 1)
        let extended = try responses(to: Self.echo + body, count: 1)
        #expect(plain.map(\.status) == [200])
        #expect(plain.first?.text.hasPrefix("len=11\n") == true)
        #expect(extended.map(\.status) == [200], "\(body.debugDescription)")
        #expect(extended.map(\.text) == plain.map(\.text))
    }

    @Test func chunkDataThatLooksLikeAChunkLineIsNotTouched() throws {
        let data = "3; x\r\nHTTP/1.2\r\n"
        let plain = try responses(to: Self.echo + "\(String(data.utf8.count, radix: 16))\r\n\(data)\r\n0\r\n\r\n", count: 1)
        let withLength = try responses(
            to: "POST /cgi-bin/probe.cgi?echo=1 HTTP/1.1\r\nHost: x\r\nContent-Length: \(data.utf8.count)\r\n\r\n\(data)",
            count: 1)
        #expect(plain.map(\.status) == [200])
        #expect(plain.first?.text.hasPrefix("len=\(data.utf8.count)\n") == true)
        #expect(withLength.map(\.text) == plain.map(\.text))
    }

    @Test(arguments: [4000, 5000, 1 << 20])
    func chunkSizeLinesAreBounded(extensionLength: Int) throws {
        let connection = try RawConnection(port: server.port)
        connection.send(Self.echo + "5;" + String(repeating: "x", count: extensionLength) + "\r\nhello\r\n0\r\n\r\n")
        let responses = connection.readResponses(1)
        if extensionLength + 4 <= 4096 {
            #expect(responses.map(\.status) == [200])
            #expect(responses.first?.text.hasPrefix("len=5\n") == true)
        } else {
            #expect(responses.map(\.status) == [400])
            #expect(connection.isClosedByPeer(within: 30))
        }
    }

    @Test(arguments: ["HTTP/1.2", "HTTP/1.9"])
    func aLaterHTTP1MinorVersionIsServedAsHTTP11(version: String) throws {
        // Pipelined after a body that holds the same request line, which must stay body.
        let inside = "GET /hello.txt \(version)\r\n"
        let answers = try responses(
            to: "POST /cgi-bin/probe.cgi?echo=1 \(version)\r\nHost: x\r\nContent-Length: \(inside.utf8.count)\r\n\r\n\(inside)"
                + "GET /hello.txt \(version)\r\nHost: x\r\n\r\n",
            count: 2)
        #expect(answers.map(\.status) == [200, 200])
        #expect(answers.first?.text.hasPrefix("len=\(inside.utf8.count)\n") == true)
        #expect(answers.last?.text == "hello\n")
    }

    @Test(arguments: ["HTTP/2.0", "HTTP/3.1"])
    func otherMajorVersionsAreStillRefused(version: String) throws {
        let connection = try RawConnection(port: server.port)
        connection.send("GET /hello.txt \(version)\r\nHost: x\r\n\r\n")
        let statuses = connection.readResponses(1).map(\.status)
        #expect(statuses == [400] || statuses == [505], "\(statuses)")
    }
}
