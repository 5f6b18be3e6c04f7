import Foundation
import TestSupport
import Testing

@Suite("CGI request bodies", .serialized)
struct CGIRequestBodyTests {
    let server: TestServer

    init() throws {
        server = try TestServer(options: ["--max-body", "\(4 << 20)"])
    }

    /// Writes `data` to a file in the site and returns its path, for `curl --data-binary @file`.
    func upload(_ data: Data) throws -> String {
        let url = server.site.root.appending(path: "upload-\(UUID().uuidString)")
        try data.write(to: url)
        return url.path
    }

    @Test func formPostArrivesExactly() throws {
        let response = try curl([
            "-H", "Content-Type: application/x-www-form-urlencoded", "-d", "postfoo=postbar",
            server.url("/cgi-bin/probe.cgi?echo=1&a=b"),
        ])
        #expect(response.status == 200)
        #expect(response.text == "len=15\nsha256=\(try sha256Hex(Data("postfoo=postbar".utf8)))\n")
    }

    @Test func largeBodyStreamsToTheScript() throws {
        let data = Data((0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let response = try curl(["--data-binary", "@\(try upload(data))", server.url("/cgi-bin/probe.cgi?echo=1")])
        #expect(response.text == "len=\(data.count)\nsha256=\(try sha256Hex(data))\n")
    }

    @Test func chunkedBodiesAreDechunkedWithContentLength() throws {
        let small = Data("hello chunked".utf8)
        let response = try curl([
            "-H", "Transfer-Encoding: chunked", "--data-binary", "@\(try upload(small))", server.url("/cgi-bin/probe.cgi?echo=1"),
        ])
        #expect(response.text == "len=13\nsha256=\(try sha256Hex(small))\n")
        let env = try curl([
            "-H", "Transfer-Encoding: chunked", "--data-binary", "@\(try upload(small))",
            server.url("/cgi-bin/probe.cgi?env=CONTENT_LENGTH"),
        ])
        #expect(env.text == "13")
        // Larger than the in-memory limit (1 MiB): spooled to a temporary file.
        let large = Data((0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        let spooled = try curl([
            "-H", "Transfer-Encoding: chunked", "--data-binary", "@\(try upload(large))", server.url("/cgi-bin/probe.cgi?echo=1"),
        ])
        #expect(spooled.text == "len=\(large.count)\nsha256=\(try sha256Hex(large))\n")
    }

    @Test func bodiesBeyondTheLimitGet413WithoutRunningTheScript() throws {
        let connection = try RawConnection(port: server.port)
        connection.send("POST /cgi-bin/probe.cgi?marker=huge HTTP/1.1\r\nHost: x\r\nContent-Length: 2147483648\r\n\r\n")
        let text = String(decoding: connection.readAll(), as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 413"))
        let chunked = try curl([
            "-H", "Transfer-Encoding: chunked", "--data-binary", "@\(try upload(Data(count: 5 << 20)))",
            server.url("/cgi-bin/probe.cgi?marker=chunked&echo=1"),
        ])
        #expect(chunked.status == 413)
        // A stopped server runs nothing more: whatever it was going to run has left its marker by then.
        #expect(server.stop() == 0)
        #expect(!server.site.ran("huge"))
        #expect(!server.site.ran("chunked"))
    }

    @Test func expectContinueIsAnsweredBeforeTheBodyIsSent() throws {
        let connection = try RawConnection(port: server.port)
        connection.send("POST /cgi-bin/probe.cgi?echo=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n")
        let interim = String(decoding: connection.read(until: "\r\n\r\n"), as: UTF8.self)
        #expect(interim == "HTTP/1.1 100 Continue\r\n\r\n")
        connection.send("abc")
        let responses = connection.readResponses(1)
        #expect(responses.map(\.status) == [200])
        #expect(responses.first?.text.hasPrefix("len=3\n") == true)
    }

    @Test func scriptThatNeverReadsItsBodyDoesNotDeadlock() throws {
        let response = try curl([
            "--data-binary", "@\(try upload(Data(count: 1 << 20)))", server.url("/cgi-bin/probe.cgi?noread=1"),
        ])
        #expect(response.status == 200)
        #expect(response.body.count == 1 << 20)
        #expect(response.curlStatus == 0, "the whole response arrived")
        #expect(try curl([server.url("/hello.txt")]).status == 200)
    }

    @Test func smugglingAttemptIsRejectedBeforeAnythingRuns() throws {
        let connection = try RawConnection(port: server.port)
        connection.send(
            "POST /cgi-bin/probe.cgi?echo=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "0\r\n\r\nGET /cgi-bin/probe.cgi?marker=smuggled HTTP/1.1\r\nHost: x\r\n\r\n")
        let text = String(decoding: connection.readAll(), as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 400"))
        #expect(text.components(separatedBy: "HTTP/1.1").count == 2)
        // A stopped server runs nothing more: a smuggled request it had taken would have run by then.
        #expect(server.stop() == 0)
        #expect(!server.site.ran("smuggled"))
    }

    @Test func pipelinedScriptRequestsStayApart() throws {
        let connection = try RawConnection(port: server.port)
        connection.send(
            "POST /cgi-bin/probe.cgi?echo=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
                + "GET /cgi-bin/probe.cgi?env=REQUEST_METHOD HTTP/1.1\r\nHost: x\r\n\r\n")
        let responses = connection.readResponses(2)
        #expect(responses.first?.text.hasPrefix("len=3\n") == true)
        #expect(responses.last?.text == "GET")
    }
}

/// The SHA-256 of `data` in hex, computed by sha256sum.
func sha256Hex(_ data: Data) throws -> String {
    String(try runProcess("/usr/bin/sha256sum", input: data).output.prefix(64))
}
