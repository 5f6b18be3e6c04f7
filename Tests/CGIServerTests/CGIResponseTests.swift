import Foundation
import TestSupport
import Testing

@Suite("CGI responses", .serialized)
struct CGIResponseTests {
    let server: TestServer

    init() throws {
        server = try TestServer()
    }

    /// The response to the probe writing exactly `output`.
    func raw(_ output: String, _ extra: [String] = []) throws -> HTTPResult {
        try curl(extra + [server.url("/cgi-bin/probe.cgi?raw=\(base64URL(output))")])
    }

    @Test func statusSetsTheStatusAndIsNotForwarded() throws {
        let response = try raw("Status: 404 Not Found\r\nContent-Type: text/plain\r\n\r\nsend404\n")
        #expect(response.status == 404)
        #expect(response.text == "send404\n")
        #expect(response.header("Status") == nil)
    }

    @Test func customReasonPhrase() throws {
        let connection = try RawConnection(port: server.port)
        connection.send(
            "GET /cgi-bin/probe.cgi?raw=\(base64URL("Status: 299 Whatever\r\nContent-Type: text/plain\r\n\r\nx")) HTTP/1.1\r\nHost: x\r\n\r\n"
        )
        let data = connection.readAll(idle: 2)
        #expect(String(decoding: data, as: UTF8.self).hasPrefix("HTTP/1.1 299 Whatever\r\n"))
    }

    @Test(arguments: ["Status: 30", "Status: abc", "Status: 2000 x", "Status: 099", "Status: 20O OK"])
    func invalidStatusIsBadGateway(status: String) throws {
        let response = try raw("\(status)\r\nContent-Type: text/plain\r\n\r\nSCRIPT-BODY")
        #expect(response.status == 502)
        #expect(!response.text.contains("SCRIPT-BODY"))
    }

    @Test func mixedLineEndingsEndTheHeadAtTheFirstBlankLine() throws {
        let response = try raw("Location: http://www.example.org/\r\n\n\n")
        #expect(response.status == 302)
        #expect(response.header("Location") == "http://www.example.org/")
    }

    @Test func emptyHeadAndMissingContentTypeAre500() throws {
        #expect(try raw("\nHello").status == 500)
        #expect(try raw("Content-Length: 6\n\nHello\n").status == 500)
        let withStatus = try raw("Status: 200\nContent-Length: 6\n\nHello\n")
        #expect(withStatus.status == 200)
        #expect(withStatus.text == "Hello\n")
    }

    @Test(arguments: [
        "Content-Type: text/plain\r\nGARBAGE\r\nX-A: 1\r\n\r\nbody",
        "Bad Header: x\r\nContent-Type: text/plain\r\n\r\nbody",
        "X-(a): y\r\nContent-Type: text/plain\r\n\r\nbody",
        " X-Lead: y\r\nContent-Type: text/plain\r\n\r\nbody",
        "X-Tr : y\r\nContent-Type: text/plain\r\n\r\nbody",
        "Content-Type: text/plain\r\nX-A: a\rb\r\n\r\nbody",
        "Content-Type: text/plain\r\nTransfer-Encoding: gzip\r\n\r\nbody",
        "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\n\r\nx",
    ])
    func malformedHeadsAreBadGateway(output: String) throws {
        let response = try raw(output)
        #expect(response.status == 502)
        #expect(!response.text.contains("GARBAGE") && response.header("X-A") == nil)
    }

    @Test func overlongHeadIsBadGateway() throws {
        try server.site.script(
            "bighead.py",
            contents: """
                #!/usr/bin/python3
                import sys
                sys.stdout.write("X-Big: " + "b" * 100000 + "\\r\\nContent-Type: text/plain\\r\\n\\r\\nx")
                """)
        try server.site.script(
            "manyheads.py",
            contents: """
                #!/usr/bin/python3
                import sys
                sys.stdout.write("X-n: v\\r\\n" * 20000 + "Content-Type: text/plain\\r\\n\\r\\nx")
                """)
        #expect(try curl([server.url("/cgi-bin/bighead.py")]).status == 502)
        #expect(try curl([server.url("/cgi-bin/manyheads.py")]).status == 502)
        #expect(eventually { server.children().isEmpty })
    }

    @Test func scriptFramingHeadersAreIgnored() throws {
        let lying = try raw("Content-Type: text/plain\r\nContent-Length: 100\r\n\r\nhello")
        #expect(lying.status == 200)
        #expect(lying.text == "hello")
        let hopByHop = try raw("Content-Type: text/plain\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n\r\nx")
        #expect(hopByHop.header("Upgrade") == nil)
        #expect(hopByHop.header("Connection") == nil)
    }

    @Test func extraBytesNeverBecomeASecondResponse() throws {
        let connection = try RawConnection(port: server.port)
        let output = base64URL("Content-Type: text/plain\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1 200 OK\r\n\r\nextra")
        connection.send(
            "GET /cgi-bin/probe.cgi?raw=\(output) HTTP/1.1\r\nHost: x\r\n\r\nGET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n")
        let responses = connection.readResponses(2)
        #expect(responses.count == 2)
        // More body than its Content-Length before anything went out: a 502, never a second response.
        #expect(responses.first?.status == 502)
        #expect(responses.last?.text == "hello\n")
    }

    @Test func aScriptsContentLengthFramesTheResponse() throws {
        let get = try raw("Content-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello")
        #expect(get.text == "hello")
        #expect(get.header("Content-Length") == "5")
        #expect(get.header("Transfer-Encoding") == nil)
        let head = try raw("Content-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello", ["-I"])
        #expect(head.header("Content-Length") == "5", "HEAD shows the size")
    }

    /// Everything the server sends for `query` on a connection of its own, until it closes.
    func rawExchange(_ query: String) throws -> String {
        let connection = try RawConnection(port: server.port)
        connection.send("GET /cgi-bin/probe.cgi?\(query) HTTP/1.1\r\nHost: x\r\n\r\n")
        return String(decoding: connection.readAll(idle: 5), as: UTF8.self)
    }

    @Test(arguments: ["die=9", "die=11", "exit=3"])
    func aScriptThatFailsAfterItsHeadLeavesTheResponseIncomplete(ending: String) throws {
        let text = try rawExchange("big=138&\(ending)")
        #expect(text.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(text.contains("\r\n8a\r\n" + String(repeating: "A", count: 138) + "\r\n"), "the body so far is sent")
        #expect(!text.hasSuffix("0\r\n\r\n"), "but never the last chunk: the connection closes")
        let expected = ending == "exit=3" ? "ended with exit code 3" : "was killed by signal \(ending.dropFirst(4)) ("
        #expect(eventually(within: 5) { server.errorText.contains("script \(expected)") })
    }

    @Test func aBodyShorterThanItsContentLengthBreaksTheConnection() throws {
        let text = try rawExchange("raw=\(base64URL("Content-Type: text/plain\r\nContent-Length: 10\r\n\r\nhello"))")
        #expect(text.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(text.contains("Content-Length: 10\r\n"))
        #expect(text.hasSuffix("\r\n\r\nhello"), "five bytes, then the connection closes")
        #expect(eventually(within: 5) { server.errorText.contains("script's output ended 5 bytes short of its Content-Length") })
    }

    @Test func outputStreamsAsTheScriptWritesIt() throws {
        // The script writes part1, then waits 10 s (within this server's script timeout) before it
        // writes part2 and exits.
        let patient = try TestServer(options: ["--script-timeout", "60"])
        let connection = try RawConnection(port: patient.port)
        connection.send("GET /cgi-bin/probe.cgi?drip=10 HTTP/1.1\r\nHost: x\r\n\r\n")
        let first = String(decoding: connection.read(until: "part1"), as: UTF8.self)
        let pids = patient.site.recordedPids()
        #expect(first.hasSuffix("part1"))
        #expect(pids.count == 1 && pids.allSatisfy { !ProcessSweep.isGone($0) }, "part1 arrives while the script still runs")
        #expect(first.lowercased().contains("transfer-encoding: chunked"))
        let rest = String(decoding: connection.read(until: "0\r\n\r\n"), as: UTF8.self)
        #expect(rest.contains("part2"))
    }

    @Test func headHasNoBodyAndTheConnectionStaysUsable() throws {
        let connection = try RawConnection(port: server.port)
        connection.send(
            "HEAD /cgi-bin/probe.cgi HTTP/1.1\r\nHost: x\r\n\r\nGET /cgi-bin/probe.cgi?env=REQUEST_METHOD HTTP/1.1\r\nHost: x\r\n\r\n"
        )
        let responses = connection.readResponses(2, headRequests: 1)
        #expect(responses.map(\.status) == [200, 200])
        #expect(responses.last?.text == "GET")
    }

    @Test func http10GetsACloseDelimitedBody() throws {
        let connection = try RawConnection(port: server.port)
        connection.send("GET /cgi-bin/probe.cgi?env=REQUEST_METHOD HTTP/1.0\r\n\r\n")
        let text = String(decoding: connection.readAll(), as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.0 200"))
        #expect(!text.lowercased().contains("chunked"))
        #expect(text.hasSuffix("\r\n\r\nGET"))
    }

    @Test func clientRedirectDiscardsTheScriptBody() throws {
        let response = try curl([server.url("/cgi-bin/probe.cgi?loc=http://foo.com/")])
        #expect(response.status == 302)
        #expect(response.header("Location") == "http://foo.com/")
        let ignored = try raw("Location: http://x.test/\r\nContent-Type: text/html\r\n\r\nIGNORED")
        #expect(ignored.status == 302)
        #expect(!ignored.text.contains("IGNORED"))
    }

    @Test func clientRedirectWithDocumentKeepsTheBody() throws {
        let response = try raw(
            "Status: 301 Moved\r\nLocation: http://x.test/\r\nContent-Type: text/html\r\n\r\n<a href=x>moved</a>")
        #expect(response.status == 301)
        #expect(response.header("Location") == "http://x.test/")
        #expect(response.text == "<a href=x>moved</a>")
    }

    @Test func localRedirectAfterPostRunsTheTargetAsGet() throws {
        let target = "/cgi-bin/probe.cgi?env=REQUEST_METHOD"
        let response = try curl([
            "-d", "0123456789",
            server.url("/cgi-bin/probe.cgi?loc=\(target.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)"),
        ])
        #expect(response.status == 200)
        #expect(response.text == "GET")
        let toFile = try curl([server.url("/cgi-bin/probe.cgi?loc=/hello.txt")])
        #expect(toFile.text == "hello\n")
    }

    @Test func localRedirectLoopsAreBounded() throws {
        try server.site.script("loop-a.sh", contents: "#!/bin/sh\nprintf 'Location: /cgi-bin/loop-b.sh\\r\\n\\r\\n'\n")
        try server.site.script("loop-b.sh", contents: "#!/bin/sh\nprintf 'Location: /cgi-bin/loop-a.sh\\r\\n\\r\\n'\n")
        let response = try curl([server.url("/cgi-bin/loop-a.sh")])
        #expect(response.status == 500)
        #expect(response.curlStatus == 0, "the loop ended with a whole response")
    }

    @Test func nphScriptsWriteTheWholeResponse() throws {
        let connection = try RawConnection(port: server.port)
        connection.send("GET /cgi-bin/nph-raw.cgi HTTP/1.1\r\nHost: x\r\n\r\n")
        let text = String(decoding: connection.readAll(), as: UTF8.self)
        #expect(text == "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nraw\n")
    }

    @Test func stderrGoesToTheLogNotTheBody() throws {
        let response = try curl([server.url("/cgi-bin/probe.cgi?stderr=8192&env=REQUEST_METHOD")])
        #expect(response.text == "GET")
        #expect(eventually { server.errorText.contains(String(repeating: "x", count: 100)) })
        #expect(server.errorText.contains("script=/cgi-bin/probe.cgi"))
    }

    @Test func stderrBeyondThePipeDoesNotStallTheScript() throws {
        // 2000 lines of 100 bytes fill the pipe several times before the script writes its output.
        try server.site.script(
            "chatty.sh",
            contents: "#!/bin/sh\ni=0\nwhile [ $i -lt 2000 ]; do echo \"line-$i-$(printf '%090d' 0)\" >&2; i=$((i+1)); done\n"
                + "printf 'Content-Type: text/plain\\r\\n\\r\\ndone\\n'\n")
        let response = try curl([server.url("/cgi-bin/chatty.sh")], timeout: 10)
        #expect(response.text == "done\n")
        #expect(eventually { server.errorText.contains("line-1999-") })
        #expect(server.errorText.components(separatedBy: "script=/cgi-bin/chatty.sh").count - 1 == 2000)
    }

    @Test func stderrWrittenAfterTheOutputEndedIsLogged() throws {
        try server.site.script(
            "late.sh",
            contents:
                "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\nearly\\n'\nexec 1>&-\nsleep 0.3\necho late-line >&2\n")
        #expect(try curl([server.url("/cgi-bin/late.sh")]).text == "early\n")
        #expect(eventually { server.errorText.contains("late-line") })
    }

    @Test func bigOutputArrivesComplete() throws {
        let response = try curl([server.url("/cgi-bin/probe.cgi?big=5000000")])
        #expect(response.body.count == 5_000_000)
    }

    @Test func explicitStatusIsNotTurnedInto304() throws {
        let response = try raw(
            "Status: 200\nLast-Modified: Tue, 15 Feb 2005 15:00:00 GMT\nContent-Type: text/html\n\nHello world\n",
            ["-H", "If-Modified-Since: Tue, 15 Feb 2005 15:00:00 GMT"])
        #expect(response.status == 200)
        #expect(response.text == "Hello world\n")
    }

    @Test func invalidResponsesShowDetailsOnlyInDevelopmentMode() throws {
        let plain = try raw("Status: abc\r\nContent-Type: text/plain\r\n\r\n")
        #expect(!plain.text.contains("abc"))
        #expect(plain.text.contains("Reference"))
        let dev = try TestServer(options: ["--dev"])
        let detailed = try curl([
            dev.url("/cgi-bin/probe.cgi?raw=\(base64URL("Status: abc\r\nContent-Type: text/plain\r\n\r\n"))")
        ])
        #expect(detailed.status == 502)
        #expect(detailed.text.contains("Status"))
    }
}
