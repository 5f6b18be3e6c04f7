import Foundation
import TestSupport
import Testing

/// How connections end: clients that half-close, error responses to bodies nobody read, and
/// what a script may leave in the server's log and environment on the way.
@Suite("Connection ends", .serialized)
struct ConnectionEndTests {
    let server: TestServer

    init() throws {
        server = try TestServer()
    }

    @Test(arguments: ["HTTP/1.0", "HTTP/1.1"], ["/cgi-bin/probe.cgi?env=REQUEST_METHOD", "/hello.txt"])
    func aClientThatHalfClosesAfterItsRequestIsAnswered(version: String, path: String) throws {
        let client = try TestClient(port: server.port)
        client.send("GET \(path) \(version)\r\nHost: x\r\n\r\n")
        client.shutdownOutput()
        var response = client.read(until: "\u{0}never", within: 10)
        // A script's answer may follow an interim 102, which tells a client that is gone from one
        // that still reads (HTTP/1.1 only).
        let interim = "HTTP/1.1 102 Processing\r\n\r\n"
        if version == "HTTP/1.1", path.hasPrefix("/cgi-bin"), response.hasPrefix(interim) { response.removeFirst(interim.count) }
        #expect(response.hasPrefix("\(version) 200 OK\r\n"))
        #expect(
            response.hasSuffix(path.hasPrefix("/cgi-bin") ? "GET" + (version == "HTTP/1.1" ? "\r\n0\r\n\r\n" : "") : "hello\n"))
    }

    @Test func anErrorResponseToAnUnreadBodyReachesTheClient() throws {
        // 413 at once for 8 MiB over the 1 MiB limit; the client sends its body regardless.
        let client = try TestClient(port: server.port)
        let length = 8 << 20
        client.send("POST /cgi-bin/probe.cgi?echo=1 HTTP/1.1\r\nHost: x\r\nContent-Length: \(length)\r\n\r\n")
        let pushed = client.push(length, for: 5)
        let response = client.read(until: "</html>", within: 10)
        #expect(response.hasPrefix("HTTP/1.1 413 "), "after \(pushed) bytes sent: \(response.prefix(40).debugDescription)")
        // The server drained the body for a while instead of resetting the connection under it.
        #expect(pushed == length)
    }

    @Test func aDecodedChunkedBodyKeepsNoTransferEncoding() throws {
        let client = try TestClient(port: server.port)
        for variable in ["HTTP_TRANSFER_ENCODING", "CONTENT_LENGTH"] {
            client.send(
                "POST /cgi-bin/probe.cgi?env=\(variable) HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
            )
            let response = client.read(until: "\r\n0\r\n\r\n")
            let expected = variable == "CONTENT_LENGTH" ? "5" : "[\(variable) not found]"
            #expect(response.contains("\r\n\r\n\(String(expected.utf8.count, radix: 16))\r\n\(expected)\r\n"), "\(response)")
        }
    }

    @Test func aScriptsStderrIsLoggedUpToItsLimit() throws {
        let response = try curl([server.url("/cgi-bin/probe.cgi?stderr=1000000&env=REQUEST_METHOD")])
        #expect(response.text == "GET")
        #expect(
            eventually(within: 5) {
                server.errorText.contains("stderr cut: 737857 more bytes not logged (at most 262144 per request)")
            })
        let logged = server.errorText.utf8.filter { $0 == UInt8(ascii: "x") }.count
        #expect(logged <= 262_144 && logged > 200_000)
    }
}
