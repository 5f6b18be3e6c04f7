import CGI
import Foundation
import Testing

/// Runs `write` with a real pipe as its output descriptor and returns what came out of it.
func output(_ write: (Int32) throws -> Void) throws -> String {
    String(decoding: try outputBytes(write), as: UTF8.self)
}

/// Runs `write` with a real pipe as its output descriptor and returns the bytes it wrote;
/// a background thread drains the pipe meanwhile, as a server would.
func outputBytes(_ write: (Int32) throws -> Void) throws -> [UInt8] {
    let pipe = Pipe()
    let reader = pipe.fileHandleForReading
    nonisolated(unsafe) var bytes: [UInt8] = []
    let done = DispatchSemaphore(value: 0)
    Thread.detachNewThread {
        bytes = [UInt8](reader.readDataToEndOfFile())
        done.signal()
    }
    let result = Result { try write(pipe.fileHandleForWriting.fileDescriptor) }
    try pipe.fileHandleForWriting.close()
    done.wait()
    try result.get()
    return bytes
}

@Suite struct ResponseTests {
    @Test func writesADocumentResponse() throws {
        var response = Response(body: "<p>hi</p>")
        response.headers["Cache-Control"] = "no-store"
        try response.setCookie(SetCookie(name: "a", value: "1"))
        try response.setCookie(SetCookie(name: "b", value: "2"))
        #expect(
            try output { try response.write(to: $0) }
                == "Status: 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nCache-Control: no-store\r\n"
                + "Set-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\n<p>hi</p>")
    }

    @Test(
        arguments: [(404, nil, "404 Not Found"), (418, nil, "418 Client Error"), (299, "Fine", "299 Fine")]
            as [(Int, String?, String)])
    func writesTheStatusLine(status: Int, reason: String?, line: String) throws {
        var response = Response(status: status, contentType: "text/plain", body: "")
        response.reason = reason
        #expect(try output { try response.write(to: $0) }.hasPrefix("Status: \(line)\r\n"))
    }

    @Test func writesBinaryBodies() throws {
        let bytes: [UInt8] = [0, 255, 13, 10]
        let written = try outputBytes { try Response(contentType: "application/octet-stream", bytes: bytes).write(to: $0) }
        #expect(written == Array("Status: 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n".utf8) + bytes)
    }

    @Test func replacesAndRemovesHeaders() throws {
        var response = Response()
        response.headers["content-type"] = "text/plain"
        response.headers.add("X-A", "1")
        response.headers.add("x-a", "2")
        #expect(response.headers["X-A"] == "1")
        response.headers["X-A"] = nil
        #expect(response.headers.map(\.name) == ["content-type"])
    }

    /// Header injection: a CR, LF or NUL in a value, a non-token name or a Status field
    /// stops the response before a single byte is written.
    @Test(arguments: [
        ("X-Note", "a\r\nSet-Cookie: admin=1"), ("X-Note", "a\nb"), ("X-Note", "a\rb"), ("X-Note", "a\u{0}b"),
        ("X Note", "v"), ("X-Note:", "v"), ("", "v"), ("Bad\r\nName", "v"), ("Status", "500 Oops"), ("Nämé", "v"),
    ])
    func refusesHeaderInjection(name: String, value: String) throws {
        var response = Response(body: "secret")
        response.headers.add(name, value)
        var written = "unset"
        let kind = errorKind { written = try output { try response.write(to: $0) } }
        #expect(kind == "invalid_header")
        #expect(written == "unset")
        var headSent = true
        let writerKind = errorKind {
            written = try output { descriptor in
                let writer = ResponseWriter(response, fileDescriptor: descriptor)
                defer { headSent = writer.isHeadSent }
                try writer.flush()
            }
        }
        #expect(writerKind == "invalid_header")
        #expect(!headSent)
        #expect(written == "unset")
    }

    @Test(arguments: [(42, nil), (600, nil), (200, "OK\r\nX: y")] as [(Int, String?)])
    func refusesBadStatus(status: Int, reason: String?) {
        var response = Response(status: status)
        response.reason = reason
        #expect(errorKind { _ = try output { try response.write(to: $0) } } == "invalid_status")
    }

    @Test func writesAClientRedirect() throws {
        let text = try output { try Response.redirect(to: "/next?a=1&b=<2>", status: 303).write(to: $0) }
        #expect(
            text.hasPrefix("Status: 303 See Other\r\nContent-Type: text/html; charset=utf-8\r\nLocation: /next?a=1&b=<2>\r\n\r\n")
        )
        #expect(text.contains(#"href="/next?a=1&amp;b=&lt;2&gt;""#))
    }

    @Test func writesALocalRedirect() throws {
        #expect(try output { try LocalRedirect(to: "/thanks.html?x=1").write(to: $0) } == "Location: /thanks.html?x=1\r\n\r\n")
    }

    @Test(arguments: ["thanks.html", "http://example.com/", "/a\r\nX: y", "/a b", ""])
    func refusesABadLocalRedirect(location: String) {
        #expect(errorKind { _ = try output { try LocalRedirect(to: location).write(to: $0) } } == "invalid_header")
    }

    @Test func headCannotChangeOnceSent() throws {
        let text = try output { descriptor in
            let writer = ResponseWriter(Response(contentType: "text/plain"), fileDescriptor: descriptor)
            try writer.setStatus(201)
            try writer.setHeader("X-Step", "1")
            try writer.write("a")
            try writer.flush()
            #expect(errorKind { try writer.setHeader("X-Step", "2") } == "head_already_sent")
            #expect(errorKind { try writer.setStatus(500) } == "head_already_sent")
            #expect(errorKind { try writer.setCookie(SetCookie(name: "a", value: "b")) } == "head_already_sent")
            try writer.write("b")
            try writer.flush()
        }
        #expect(text == "Status: 201 Created\r\nContent-Type: text/plain\r\nX-Step: 1\r\n\r\nab")
    }

    @Test func largeWritesFlushOnTheirOwn() throws {
        let text = try output { descriptor in
            let writer = ResponseWriter(Response(contentType: "text/plain"), fileDescriptor: descriptor)
            try writer.write(String(repeating: "x", count: 70_000))
            #expect(writer.isHeadSent)
            try writer.flush()
        }
        #expect(text.hasSuffix(String(repeating: "x", count: 70_000)))
    }
}
