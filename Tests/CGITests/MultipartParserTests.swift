import Testing

@testable import CGI

@Suite struct MultipartParserTests {
    @Test(arguments: [
        ("BOUND", true), ("", false), (String(repeating: "b", count: 70), true),
        (String(repeating: "b", count: 71), false), ("a b", true), ("ab ", false), ("'()+_,-./:=?", true),
        ("a\"b", false), ("a;b", false), ("é", false), ("a\tb", false), ("----WebKitFormBoundary7MA4YWxkTrZu0gW", true),
    ])
    func boundaryValidation(boundary: String, valid: Bool) {
        #expect(MultipartParser.isValid(boundary: boundary) == valid)
        #expect((try? MultipartParser(boundary: boundary)) != nil || !valid)
    }

    static let named = "Content-Disposition: form-data; name=\"a\""

    /// (what, Content-Type, body, expected)
    static let cases: [(String, String, String, MultipartOutcome)] = [
        ("CRLF", "multipart/form-data; boundary=B", "--B\r\n\(named)\r\n\r\n1\r\n--B--\r\n", .fields([.text("a", "1")])),
        ("bare LF", "multipart/form-data; boundary=B", "--B\n\(named)\n\n1\n--B--\n", .fields([.text("a", "1")])),
        (
            "inner line breaks kept", "multipart/form-data; boundary=B", "--B\r\n\(named)\r\n\r\n1\r\n\n\r2\r\r\n--B--",
            .fields([.text("a", "1\r\n\n\r2\r")])
        ),
        (
            "preamble and epilogue", "multipart/form-data; boundary=B",
            "junk\r\n--B-x\r\n--B\r\n\(named)\r\n\r\n1\r\n--B--\r\n--B\r\nignored", .fields([.text("a", "1")])
        ),
        (
            "padding after delimiters", "multipart/form-data; boundary=B", "--B \t\r\n\(named)\r\n\r\n1\r\n--B-- \r\n",
            .fields([.text("a", "1")])
        ),
        (
            "close delimiter at the very end", "multipart/form-data; boundary=B", "--B\r\n\(named)\r\n\r\n1\r\n--B--",
            .fields([.text("a", "1")])
        ),
        (
            "look-alikes are data", "multipart/form-data; boundary=B",
            "--B\r\n\(named)\r\n\r\n--BX\r\n--B--x\r\n --B\r\n--B-\r\n--B--\r\n",
            .fields([.text("a", "--BX\r\n--B--x\r\n --B\r\n--B-")])
        ),
        (
            "delimiter right after the headers", "multipart/form-data; boundary=B", "--B\r\n\(named)\r\n\r\n--B--\r\n",
            .fields([.text("a", "")])
        ),
        ("empty body", "multipart/form-data; boundary=B", "", .fields([])),
        ("only the close delimiter", "multipart/form-data; boundary=B", "--B--\r\n", .fields([])),
        ("no delimiter", "multipart/form-data; boundary=B", "name=a&b=c", .error(kind: "malformed")),
        ("only line breaks", "multipart/form-data; boundary=B", "\r\n\r\n", .error(kind: "malformed")),
        (
            "header without colon", "multipart/form-data; boundary=B", "--B\r\nnonsense\r\n\r\n1\r\n--B--\r\n",
            .error(kind: "malformed")
        ),
        (
            "continuation first", "multipart/form-data; boundary=B", "--B\r\n x: y\r\n\r\n1\r\n--B--\r\n",
            .error(kind: "malformed")
        ),
        (
            "folded header", "multipart/form-data; boundary=B",
            "--B\r\nContent-Disposition: form-data;\r\n\tname=\"f\"\r\n\r\n1\r\n--B--\r\n", .fields([.text("f", "1")])
        ),
        (
            "header names any case", "multipart/form-data; boundary=B",
            "--B\r\ncontent-DISPOSITION: form-data; NAME=\"a\"\r\nCONTENT-TYPE: text/x\r\n\r\n1\r\n--B--\r\n",
            .fields([.text("a", "1", type: "text/x")])
        ),
        ("part without headers", "multipart/form-data; boundary=B", "--B\r\n\r\nx\r\n--B--\r\n", .fields([.text(nil, "x")])),
        (
            "media type any case", "MULTIPART/FORM-DATA; BOUNDARY=B", "--B\r\n\(named)\r\n\r\n1\r\n--B--\r\n",
            .fields([.text("a", "1")])
        ),
        ("missing boundary", "multipart/form-data", "--B--\r\n", .error(kind: "invalid_boundary")),
        ("invalid boundary", "multipart/form-data; boundary=\"a;b\"", "--B--\r\n", .error(kind: "invalid_boundary")),
        ("truncated in headers", "multipart/form-data; boundary=B", "--B\r\nContent-Disp", .error(kind: "truncated")),
        ("truncated in data", "multipart/form-data; boundary=B", "--B\r\n\(named)\r\n\r\n12", .error(kind: "truncated")),
        (
            "truncated after a delimiter", "multipart/form-data; boundary=B", "--B\r\n\(named)\r\n\r\n1\r\n--B\r\n",
            .error(kind: "truncated")
        ),
        (
            "filename* alone makes a file", "multipart/form-data; boundary=B",
            "--B\r\nContent-Disposition: form-data; name=\"f\"; filename*=UTF-8''%C3%A9.txt\r\n\r\nx\r\n--B--",
            .fields([
                FieldSummary(
                    name: "f", isFile: true, filename: "é.txt", rawFilename: "é.txt", contentType: "text/plain", text: nil,
                    bytes: Array("x".utf8))
            ])
        ),
        (
            "client path stripped", "multipart/form-data; boundary=B",
            "--B\r\nContent-Disposition: form-data; name=\"f\"; filename=\"C:\\\\dir\\\\a.txt\"\r\n\r\nx\r\n--B--",
            .fields([
                FieldSummary(
                    name: "f", isFile: true, filename: "a.txt", rawFilename: "C:\\dir\\a.txt", contentType: "text/plain",
                    text: nil, bytes: Array("x".utf8))
            ])
        ),
    ]

    @Test(arguments: cases)
    func parses(what: String, contentType: String, body: String, expected: MultipartOutcome) {
        #expect(MultipartHarness.parse(Array(body.utf8), contentType: contentType) == expected, "\(what)")
    }

    @Test func partCharsetDecodesTheText() {
        let body: [UInt8] =
            Array("--B\r\n\(Self.named)\r\nContent-Type: text/plain; charset=ISO-8859-1\r\n\r\ncaf".utf8) + [0xE9]
            + Array("\r\n--B--".utf8)
        let outcome = MultipartHarness.parse(body, contentType: "multipart/form-data; boundary=B")
        let expected = FieldSummary(
            name: "a", isFile: false, filename: nil, rawFilename: nil, contentType: "text/plain; charset=ISO-8859-1",
            text: "café", bytes: Array("caf".utf8) + [0xE9])
        #expect(outcome == .fields([expected]))
    }

    @Test func charsetFieldSetsTheDefaultForTextParts() {
        let latin1: [UInt8] = Array("caf".utf8) + [0xE9]
        let body = MultipartHarness.body([
            (headers: [Self.named], data: latin1),
            (headers: ["Content-Disposition: form-data; name=\"_charset_\""], data: Array("iso-8859-1".utf8)),
        ])
        guard case .fields(let fields) = MultipartHarness.parse(body, contentType: "multipart/form-data; boundary=BOUND") else {
            Issue.record("no fields")
            return
        }
        #expect(fields.map(\.text) == ["café", "iso-8859-1"])
        #expect(fields[0].bytes == latin1)
    }

    @Test func nestedMixedPartGivesFilesUnderTheOuterName() {
        let inner =
            "--in\r\nContent-Disposition: file; filename=\"a.txt\"\r\n\r\nA\r\n--in\r\nContent-Disposition: file\r\nContent-Type: image/gif\r\n\r\nGIF\r\n--in--"
        let body = MultipartHarness.body([
            (
                headers: ["Content-Disposition: form-data; name=\"files\"", "Content-Type: Multipart/Mixed; boundary=in"],
                data: Array(inner.utf8)
            ),
            (headers: ["Content-Disposition: form-data; name=\"after\""], data: Array("X".utf8)),
        ])
        let expected: MultipartOutcome = .fields([
            FieldSummary(
                name: "files", isFile: true, filename: "a.txt", rawFilename: "a.txt", contentType: "text/plain", text: nil,
                bytes: Array("A".utf8)),
            FieldSummary(
                name: "files", isFile: true, filename: "", rawFilename: "", contentType: "image/gif", text: nil,
                bytes: Array("GIF".utf8)),
            .text("after", "X"),
        ])
        #expect(MultipartHarness.parse(body, contentType: "multipart/form-data; boundary=BOUND") == expected)
    }

    @Test(arguments: [
        ("Content-Type: multipart/mixed", "--in--", "invalid_boundary"),
        ("Content-Type: multipart/mixed; boundary=in", "--in\r\n\r\nA", "truncated"),
        ("Content-Type: multipart/mixed; boundary=in", "no delimiter", "malformed"),
    ])
    func brokenNestedPartIsAnError(typeHeader: String, inner: String, kind: String) {
        let body = MultipartHarness.body([
            (headers: ["Content-Disposition: form-data; name=\"f\"", typeHeader], data: Array(inner.utf8))
        ])
        #expect(MultipartHarness.parse(body, contentType: "multipart/form-data; boundary=BOUND") == .error(kind: kind))
    }

    @Test func eventsInOrder() throws {
        var parser = try MultipartParser(boundary: "B")
        var events: [String] = []
        let body = Array("--B\r\nX-A: 1\r\n\r\nab\r\n--B--\r\nafter".utf8)
        try body.withUnsafeBytes { bytes in
            try parser.feed(bytes) { event in
                switch event {
                case .partStart(let headers): events.append("start \(headers["x-a"] ?? "?")")
                case .partData(let data): events.append("data \(String(decoding: data, as: UTF8.self))")
                case .partEnd: events.append("end")
                }
            }
        }
        #expect(parser.isComplete)
        try parser.finish { _ in Issue.record("no events after the close delimiter") }
        #expect(events == ["start 1", "data ab", "end"])
    }

    @Test func adversarialDataStaysLinear() {
        // Runs of near-delimiters: each '\n--' is a candidate that fails late.
        let boundary = String(repeating: "a", count: 70)
        var data: [UInt8] = []
        while data.count < 4 << 20 { data += Array("\n--\(String(repeating: "a", count: 69))b".utf8) }
        let body = MultipartHarness.body(boundary: boundary, [(headers: [Self.named + "; filename=\"x\""], data: data)])
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            guard
                case .fields(let fields) = MultipartHarness.parse(body, contentType: "multipart/form-data; boundary=\(boundary)")
            else { Issue.record("not parsed"); return }
            #expect(fields.first?.bytes == data)
        }
        #expect(elapsed < .seconds(10))
    }
}
