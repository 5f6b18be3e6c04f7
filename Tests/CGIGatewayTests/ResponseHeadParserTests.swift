import Testing

@testable import CGIGateway

/// A valid script output and what the parser must make of it.
struct ValidHead: Sendable, CustomTestStringConvertible {
    let output: String
    let kind: ResponseHead.Kind
    let status: Int
    let reason: String
    let headers: [String]
    var dropped: [String] = []
    /// The script's valid `Content-Length`.
    var contentLength: Int? = nil
    /// The bytes after the header block.
    let rest: String

    var testDescription: String { String(output.prefix(40).debugDescription) }

    var expected: ResponseHead {
        let fields = headers.map { line in
            let colon = line.firstIndex(of: ":")!
            return HeaderField(name: String(line[..<colon]), value: String(line[line.index(after: colon)...]))
        }
        var head = ResponseHead(kind: kind, status: status, reason: reason, headers: fields, droppedHeaders: dropped)
        head.contentLength = contentLength
        return head
    }
}

/// Feeds `output` in pieces cut at `cuts` and returns the head and the bytes after it, or the error.
func parse(
    _ output: [UInt8], cuts: [Int] = [], limits: ResponseHeadParser.Limits = .init()
) -> Result<(ResponseHead, [UInt8]), ResponseHeadError> {
    var parser = ResponseHeadParser(limits: limits)
    let bounds = [0] + cuts + [output.count]
    for (start, end) in zip(bounds, bounds.dropFirst()) {
        let chunk = output[start..<end]
        do {
            if case .complete(let head, let bodyStart) = try parser.feed(chunk) {
                return .success((head, Array(chunk.dropFirst(bodyStart)) + output[end...]))
            }
        } catch {
            return .failure(error)
        }
    }
    return .failure(parser.errorAtEndOfOutput)
}

@Suite struct ResponseHeadParserTests {
    static let valid: [ValidHead] = [
        ValidHead(
            output: "Content-Type: text/plain\r\nX-Test-Header: X-Test-Value\r\n\r\nhello", kind: .document, status: 200,
            reason: "OK", headers: ["Content-Type:text/plain", "X-Test-Header:X-Test-Value"], rest: "hello"),
        ValidHead(
            output: "Content-Type: text/html\n\nbody\n", kind: .document, status: 200, reason: "OK",
            headers: ["Content-Type:text/html"], rest: "body\n"),
        ValidHead(
            output: "Status: 404 Not Found\r\nContent-Type: text/plain\r\n\r\nsend404\n", kind: .document, status: 404,
            reason: "Not Found", headers: ["Content-Type:text/plain"], rest: "send404\n"),
        ValidHead(
            output: "Status: 299 Whatever\r\nContent-Type: text/plain\r\n\r\nx", kind: .document, status: 299,
            reason: "Whatever", headers: ["Content-Type:text/plain"], rest: "x"),
        ValidHead(
            output: "Status: 200\nContent-Length: 6\n\nHello\n", kind: .document, status: 200, reason: "OK",
            headers: [], contentLength: 6, rest: "Hello\n"),
        ValidHead(output: "Status: 204\n\n", kind: .document, status: 204, reason: "No Content", headers: [], rest: ""),
        ValidHead(
            output: "Status: 599\nContent-Type: a/b\n\n", kind: .document, status: 599, reason: "Server Error",
            headers: ["Content-Type:a/b"], rest: ""),
        ValidHead(
            output: "Location: http://www.example.org/\r\n\n\n", kind: .clientRedirect, status: 302, reason: "Found",
            headers: ["Location:http://www.example.org/"], rest: "\n"),
        ValidHead(
            output: "Location: /cgi-bin/other?x=1\n\n", kind: .localRedirect("/cgi-bin/other?x=1"), status: 200, reason: "OK",
            headers: [], rest: ""),
        ValidHead(
            output: "Location: /x\nContent-Length: 0\n\nignored", kind: .localRedirect("/x"), status: 200, reason: "OK",
            headers: [], rest: "ignored"),
        ValidHead(
            output: "Location: /local\nContent-Type: text/html\n\n<a>", kind: .clientRedirect, status: 302, reason: "Found",
            headers: ["Location:/local", "Content-Type:text/html"], rest: "<a>"),
        ValidHead(
            output: "Status: 303\nLocation: /local\n\n", kind: .clientRedirect, status: 303, reason: "See Other",
            headers: ["Location:/local"], rest: ""),
        ValidHead(
            output: "Status: 301 Moved\r\nLocation: http://x.test/\r\nContent-Type: text/html\r\n\r\n<a href=x>",
            kind: .clientRedirectWithDocument, status: 301, reason: "Moved",
            headers: ["Location:http://x.test/", "Content-Type:text/html"], rest: "<a href=x>"),
        ValidHead(
            output: "Location: http://x.test/\r\nContent-Type: text/html\r\n\r\nIGNORED", kind: .clientRedirect, status: 302,
            reason: "Found", headers: ["Location:http://x.test/", "Content-Type:text/html"], rest: "IGNORED"),
        ValidHead(
            output: "Location: mailto:a@b.test\n\n", kind: .clientRedirect, status: 302, reason: "Found",
            headers: ["Location:mailto:a@b.test"], rest: ""),
        ValidHead(
            output: "Content-Type: text/plain\nContent-Length: 100\nConnection: keep-alive, Upgrade\nUpgrade: websocket\n"
                + "Keep-Alive: 5\nTrailer: X\nTE: trailers\nProxy-Connection: x\nX-Ok: 1\n\nhello",
            kind: .document, status: 200, reason: "OK", headers: ["Content-Type:text/plain", "X-Ok:1"],
            dropped: ["Connection", "Upgrade", "Keep-Alive", "Trailer", "TE", "Proxy-Connection"], contentLength: 100,
            rest: "hello"),
        ValidHead(
            output: "Content-Type:   text/plain  \t\nX-Empty:\nX-Tab:\tv\n\n", kind: .document, status: 200, reason: "OK",
            headers: ["Content-Type:text/plain", "X-Empty:", "X-Tab:v"], rest: ""),
        ValidHead(
            output: "Status: 200 OK\nLast-Modified: Tue, 15 Feb 2005 15:00:00 GMT\nContent-Type: text/html\n\nHello world\n",
            kind: .document, status: 200, reason: "OK",
            headers: ["Last-Modified:Tue, 15 Feb 2005 15:00:00 GMT", "Content-Type:text/html"], rest: "Hello world\n"),
        ValidHead(
            output: "content-type: text/plain\nSTATUS: 201\n\n", kind: .document, status: 201, reason: "Created",
            headers: ["content-type:text/plain"], rest: ""),
        ValidHead(
            output: "Content-Type: text/plain\nX-Name: café\nSet-Cookie: a=1\nSet-Cookie: b=2\n\n", kind: .document, status: 200,
            reason: "OK", headers: ["Content-Type:text/plain", "X-Name:café", "Set-Cookie:a=1", "Set-Cookie:b=2"], rest: ""),
        ValidHead(
            output: "Content-Type: a/b\n\n\r\n\nX: y\n", kind: .document, status: 200, reason: "OK",
            headers: ["Content-Type:a/b"], rest: "\r\n\nX: y\n"),
    ]

    @Test(arguments: valid)
    func parsesValidHead(_ case: ValidHead) throws {
        let (head, rest) = try parse(Array(`case`.output.utf8)).get()
        #expect(head == `case`.expected)
        #expect(rest == Array(`case`.rest.utf8))
    }

    @Test(arguments: valid)
    func anyChunkingGivesTheSameResult(_ case: ValidHead) throws {
        let output = Array(`case`.output.utf8)
        for cut in 0...output.count {
            let (head, rest) = try parse(output, cuts: [cut]).get()
            #expect(head == `case`.expected, "cut at \(cut)")
            #expect(rest == Array(`case`.rest.utf8), "cut at \(cut)")
        }
        let (head, rest) = try parse(output, cuts: Array(1..<max(1, output.count))).get()
        #expect(head == `case`.expected, "byte by byte")
        #expect(rest == Array(`case`.rest.utf8), "byte by byte")
    }

    static let invalid: [(String, ResponseHeadError)] = [
        ("", .noOutput),
        ("Content-Type: text/plain\n", .endOfOutput),
        ("Content-Type: text/plain\r\n\r", .endOfOutput),
        ("\nHello", .noHeaders),
        ("\r\nHello", .noHeaders),
        ("Content-Length: 6\n\nHello\n", .missingContentType),
        ("X-A: 1\n\n", .missingContentType),
        (
            "Content-Type: text/plain\r\nGARBAGE\r\nX-A: 1\r\n\r\nbody",
            .malformedLine(number: 2, reason: "no colon", excerpt: "GARBAGE")
        ),
        (
            "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\n\r\nx",
            .malformedLine(number: 1, reason: "no colon", excerpt: "HTTP/1.1 404 Not Found")
        ),
        ("Bad Header: x\n\n", .malformedLine(number: 1, reason: "the field name is not a token", excerpt: "Bad Header: x")),
        ("X-(a): y\n\n", .malformedLine(number: 1, reason: "the field name is not a token", excerpt: "X-(a): y")),
        ("X-A\u{0}: y\n\n", .malformedLine(number: 1, reason: "the field name is not a token", excerpt: "X-A\\x00: y")),
        ("X-Tr : y\n\n", .malformedLine(number: 1, reason: "the field name is not a token", excerpt: "X-Tr : y")),
        (": y\n\n", .malformedLine(number: 1, reason: "the field name is not a token", excerpt: ": y")),
        (
            " X-Lead: y\n\n",
            .malformedLine(number: 1, reason: "continuation lines (obs-fold) are not allowed", excerpt: " X-Lead: y")
        ),
        (
            "Content-Type: text/plain\n\tFolded\n\n",
            .malformedLine(number: 2, reason: "continuation lines (obs-fold) are not allowed", excerpt: "\\x09Folded")
        ),
        (
            "Content-Type: text/plain\nX-A: a\rb\n\n",
            .malformedLine(number: 2, reason: "the value contains a control character", excerpt: "X-A: a\\x0Db")
        ),
        (
            "Content-Type: text/plain\r\r\n\r\n",
            .malformedLine(number: 1, reason: "the value contains a control character", excerpt: "Content-Type: text/plain\\x0D")
        ),
        (
            "X-A: a\u{0}b\n\n",
            .malformedLine(number: 1, reason: "the value contains a control character", excerpt: "X-A: a\\x00b")
        ),
        ("X-A: \u{7f}\n\n", .malformedLine(number: 1, reason: "the value contains a control character", excerpt: "X-A: \\x7F")),
        ("Status: 30\nContent-Type: a/b\n\n", .invalidStatus("30")),
        ("Status: abc\nContent-Type: a/b\n\n", .invalidStatus("abc")),
        ("Status: 2000 x\nContent-Type: a/b\n\n", .invalidStatus("2000 x")),
        ("Status: 099\nContent-Type: a/b\n\n", .invalidStatus("099")),
        ("Status: 20O OK\nContent-Type: a/b\n\n", .invalidStatus("20O OK")),
        ("Status: 100 Continue\nContent-Type: a/b\n\n", .invalidStatus("100 Continue")),
        ("Status: 600\nContent-Type: a/b\n\n", .invalidStatus("600")),
        ("Status:\nContent-Type: a/b\n\n", .invalidStatus("")),
        ("Status: 200\tOK\nContent-Type: a/b\n\n", .invalidStatus("200\tOK")),
        ("Content-Type: text/plain\nTransfer-Encoding: gzip\n\n", .transferEncoding("gzip")),
        ("Content-Type: text/plain\ntransfer-encoding: chunked\n\n", .transferEncoding("chunked")),
        ("Content-Type: a/b\nContent-Type: c/d\n\n", .repeatedHeader("Content-Type")),
        ("Status: 200\nstatus: 404\nContent-Type: a/b\n\n", .repeatedHeader("status")),
        ("Location: /a\nLocation: /b\n\n", .repeatedHeader("Location")),
        ("Location: foo.html\n\n", .invalidLocation("foo.html")),
        ("Location: //evil.test/\n\n", .invalidLocation("//evil.test/")),
        ("Location: http://x y/\n\n", .invalidLocation("http://x y/")),
        ("Location:\n\n", .invalidLocation("")),
        ("Location: 1http://x/\n\n", .invalidLocation("1http://x/")),
    ]

    @Test(arguments: invalid)
    func rejectsInvalidHead(output: String, error: ResponseHeadError) {
        let bytes = Array(output.utf8)
        for cut in 0...bytes.count {
            #expect(throws: error, "cut at \(cut)") { try parse(bytes, cuts: [cut]).get() }
        }
    }

    @Test func rejectsValuesThatAreNotUTF8() {
        let output: [UInt8] = Array("X-A: ".utf8) + [0xFF, 0xFE] + Array("\n\n".utf8)
        #expect(throws: ResponseHeadError.malformedLine(number: 1, reason: "the value is not UTF-8", excerpt: "X-A: \\xFF\\xFE"))
        {
            try parse(output).get()
        }
    }

    @Test func boundsEachLine() {
        let long = Array(("X-Big: " + String(repeating: "a", count: 100_000) + "\n\n").utf8)
        #expect(throws: ResponseHeadError.lineTooLong(number: 1, limit: 8192)) { try parse(long).get() }
        let second = Array(("Content-Type: a/b\nX-Big: " + String(repeating: "a", count: 8200)).utf8)
        #expect(throws: ResponseHeadError.lineTooLong(number: 2, limit: 8192)) { try parse(second).get() }
        let exact = Array(("Content-Type: a/b\nX-B: " + String(repeating: "a", count: 8192 - 6) + "\n\n").utf8)
        #expect(throws: Never.self) { try parse(exact).get() }
        let over = Array(("Content-Type: a/b\nX-B: " + String(repeating: "a", count: 8192 - 5) + "\n\n").utf8)
        #expect(throws: ResponseHeadError.lineTooLong(number: 2, limit: 8192)) { try parse(over).get() }
    }

    @Test func boundsTheFieldCountAndTheWholeHead() {
        let many = Array((0..<20_000).map { "X-\($0): v\n" }.joined().utf8)
        #expect(throws: ResponseHeadError.tooManyHeaders(limit: 100)) { try parse(many).get() }
        let limits = ResponseHeadParser.Limits(maxHeaderCount: 100_000)
        #expect(throws: ResponseHeadError.headTooLarge(limit: 65536)) { try parse(many, limits: limits).get() }
        let hundred = Array(("Content-Type: a/b\n" + (1..<100).map { "X-\($0): v\n" }.joined() + "\n").utf8)
        #expect(throws: Never.self) { try parse(hundred).get() }
    }

    @Test(arguments: [
        (ResponseHeadError.missingContentType, 500, "script's response has no Content-Type or Location"),
        (.noHeaders, 500, "script's response starts with a blank line: no header fields"),
        (
            .malformedLine(number: 3, reason: "no colon", excerpt: "GARBAGE"), 502,
            "malformed header line 3: no colon: \"GARBAGE\""
        ),
        (.invalidStatus("abc"), 502, "script's Status is not a code 200-599 with a reason: \"abc\""),
        (.endOfOutput, 502, "script's output ended before the blank line that ends the header"),
        (.noOutput, 502, "script wrote no output"),
        (.transferEncoding("gzip"), 502, "script's response has Transfer-Encoding \"gzip\"; the server frames responses itself"),
        (.lineTooLong(number: 1, limit: 8192), 502, "script's header line 1 is longer than 8192 bytes"),
    ])
    func errorsSayWhatTheServerAnswers(error: ResponseHeadError, status: Int, message: String) {
        #expect(error.httpStatus == status)
        #expect(error.description == message)
    }

    @Test func headOffersItsFields() throws {
        let (head, _) = try parse(Array("Content-Type: text/plain\nX-A: 1\n\n".utf8)).get()
        #expect(head.value(of: "content-type") == "text/plain")
        #expect(head.value(of: "X-B") == nil)
        #expect(head.sendsBody)
        #expect(!ResponseHead(kind: .clientRedirect, status: 302, reason: "Found", headers: []).sendsBody)
        #expect(!ResponseHead(kind: .localRedirect("/x"), status: 200, reason: "OK", headers: []).sendsBody)
    }
}
