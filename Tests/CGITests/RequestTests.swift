import CGI
import Foundation
import TestSupport
import Testing

@Suite struct RequestTests {
    static func request(
        _ environment: [String: String], body: String = "", options: FormOptions = FormOptions()
    ) throws
        -> Request
    {
        try withBodyPipe(Array(body.utf8)) { try Request(environment: environment, input: $0, options: options) }
    }

    @Test func typesTheMetaVariables() throws {
        let request = try Self.request(
            [
                "REQUEST_METHOD": "POST", "SCRIPT_NAME": "/cgi-bin/app", "PATH_INFO": "/a/b",
                "PATH_TRANSLATED": "/srv/a/b", "QUERY_STRING": "x=1", "SERVER_NAME": "example.com",
                "SERVER_PORT": "8080", "SERVER_PROTOCOL": "HTTP/1.1", "SERVER_SOFTWARE": "cgi-server",
                "GATEWAY_INTERFACE": "CGI/1.1", "REMOTE_ADDR": "127.0.0.1", "REMOTE_PORT": "51234",
                "REMOTE_HOST": "localhost", "REMOTE_IDENT": "ident", "REMOTE_USER": "ann", "AUTH_TYPE": "Basic",
                "CONTENT_TYPE": "application/x-www-form-urlencoded", "CONTENT_LENGTH": "3", "HTTPS": "on",
                "HTTP_USER_AGENT": "curl/8", "HTTP_X_FORWARDED_FOR": "10.0.0.1", "HTTP_COOKIE": "sid=abc; theme=dark",
            ], body: "y=2")
        #expect(request.method == "POST")
        #expect(request.scriptName == "/cgi-bin/app")
        #expect(request.pathInfo == "/a/b")
        #expect(request.pathTranslated == "/srv/a/b")
        #expect(request.queryString == "x=1")
        #expect(request.serverName == "example.com")
        #expect(request.serverPort == 8080)
        #expect(request.serverProtocol == "HTTP/1.1")
        #expect(request.serverSoftware == "cgi-server")
        #expect(request.gatewayInterface == "CGI/1.1")
        #expect(request.remoteAddress == "127.0.0.1")
        #expect(request.remotePort == 51234)
        #expect(request.remoteHost == "localhost")
        #expect(request.remoteIdent == "ident")
        #expect(request.remoteUser == "ann")
        #expect(request.authType == "Basic")
        #expect(request.contentType == "application/x-www-form-urlencoded")
        #expect(request.contentLength == 3)
        #expect(request.https)
        #expect(request.headers["user-agent"] == "curl/8")
        #expect(request.headers["X-Forwarded-For"] == "10.0.0.1")
        #expect(request.headers["content-length"] == "3")
        #expect(
            request.headers.fields.map(\.name) == [
                "Content-Length", "Content-Type", "Cookie", "User-Agent", "X-Forwarded-For",
            ])
        #expect(request.cookies == [Cookie(name: "sid", rawValue: "abc"), Cookie(name: "theme", rawValue: "dark")])
        #expect(request.cookie("theme") == "dark")
        #expect(request.form.map(\.name) == ["y", "x"])
        #expect(request.form.map(\.source) == [.body, .query])
        #expect(request.body == nil)
    }

    @Test func defaultsForAnEmptyEnvironment() throws {
        let request = try Self.request([:])
        #expect(request.method == "GET")
        #expect(request.scriptName == "" && request.pathInfo == "" && request.queryString == "")
        #expect(request.serverPort == nil && request.contentLength == nil && !request.https)
        #expect(request.form.isEmpty && request.body == nil && request.cookies.isEmpty)
    }

    @Test(arguments: ["abc", "-5", "+5", " 5", "5 ", "1e3", "0x10", "99999999999999999999999"])
    func rejectsInvalidContentLength(value: String) {
        #expect(
            errorKind { _ = try Self.request(["REQUEST_METHOD": "POST", "CONTENT_LENGTH": value], body: "a=1") }
                == "invalid_content_length")
    }

    @Test func truncatedBodyIsAnError() {
        let environment = ["REQUEST_METHOD": "POST", "CONTENT_TYPE": "application/x-www-form-urlencoded", "CONTENT_LENGTH": "10"]
        #expect(errorKind { _ = try Self.request(environment, body: "a=1") } == "truncated")
    }

    @Test func neverReadsPastContentLength() throws {
        let environment = ["REQUEST_METHOD": "POST", "CONTENT_TYPE": "application/x-www-form-urlencoded", "CONTENT_LENGTH": "3"]
        let request = try Self.request(environment, body: "a=1&b=2")
        #expect(request.form.map(\.name) == ["a"])
    }

    @Test(arguments: [(7, nil), (6, "body_too_large")] as [(Int, String?)])
    func limitsTheUrlencodedBody(maxTextBytes: Int, kind: String?) {
        var options = FormOptions()
        options.maxTextBytes = maxTextBytes
        let environment = ["REQUEST_METHOD": "POST", "CONTENT_TYPE": "application/x-www-form-urlencoded"]
        #expect(errorKind { _ = try Self.request(environment, body: "a=1&b=2", options: options) } == kind)
    }

    @Test func countsBodyAndQueryFieldsTogether() {
        var options = FormOptions()
        options.maxFields = 2
        let environment = ["REQUEST_METHOD": "POST", "CONTENT_TYPE": "application/x-www-form-urlencoded", "QUERY_STRING": "c=3"]
        #expect(errorKind { _ = try Self.request(environment, body: "a=1&b=2", options: options) } == "too_many_fields")
    }

    /// The request's form names and its unread body, read while the pipe is open.
    static func formAndBody(_ environment: [String: String], body: String) throws -> ([String?], [UInt8]?) {
        try withBodyPipe(Array(body.utf8)) { input in
            let request = try Request(environment: environment, input: input)
            return (request.form.map(\.name), try request.body?.readAll())
        }
    }

    @Test func leavesANonFormBodyUnread() throws {
        let (names, body) = try Self.formAndBody(
            ["REQUEST_METHOD": "PUT", "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": "7", "QUERY_STRING": "v=2"],
            body: #"{"a":1}"#)
        #expect(names == ["v"])
        #expect(body == Array(#"{"a":1}"#.utf8))
    }

    @Test func getIgnoresTheBodyForTheForm() throws {
        let (names, body) = try Self.formAndBody(
            [
                "REQUEST_METHOD": "GET", "QUERY_STRING": "a=1", "CONTENT_TYPE": "application/x-www-form-urlencoded",
                "CONTENT_LENGTH": "3",
            ],
            body: "b=2")
        #expect(names == ["a"])
        #expect(body == Array("b=2".utf8))
    }

    /// Random methods, media types, lengths, queries and bodies: every request either parses
    /// or fails with a `CGIError`, and never crashes or hangs.
    @Test(.timeLimit(.minutes(1)))
    func randomRequestsNeverCrash() throws {
        var generator = SeededGenerator(seed: 3875)
        let methods = ["GET", "POST", "PUT", "head", "DELETE", ""]
        let types = [
            "", "application/x-www-form-urlencoded", "APPLICATION/X-WWW-FORM-URLENCODED; charset=latin1",
            "text/plain", "multipart/form-data; boundary=B", "multipart/form-data", ";;=\"",
        ]
        let alphabet: [Character] = Array("ab=&;+%2FE9 \"-B\r\n")
        var options = FormOptions()
        options.maxTextBytes = 40
        options.maxFields = 8
        for _ in 0..<400 {
            let body =
                Bool.random(using: &generator)
                ? generator.bytes(maxCount: 60) : Array(generator.string(from: alphabet, maxCount: 60).utf8)
            var environment = [
                "REQUEST_METHOD": methods.randomElement(using: &generator)!,
                "CONTENT_TYPE": types.randomElement(using: &generator)!,
                "QUERY_STRING": generator.string(from: alphabet, maxCount: 20),
            ]
            if Bool.random(using: &generator) {
                environment["CONTENT_LENGTH"] = ["0", "5", "60", "x", String(body.count)].randomElement(using: &generator)!
            }
            options.strictParsing = Bool.random(using: &generator)
            let kind = errorKind {
                try withBodyPipe(body) { input in
                    let request = try Request(environment: environment, input: input, options: options)
                    _ = try request.body?.readAll()
                }
            }
            #expect(kind.map { !$0.hasPrefix("not a CGIError") } ?? true, "\(environment): \(kind ?? "")")
        }
    }

    static let multipartBody = [
        "--B", #"Content-Disposition: form-data; name="p1""#, "", "one", "--B",
        #"Content-Disposition: form-data; name="p2""#, "", "two", "--B--", "",
    ].joined(separator: "\r\n")

    /// Any `multipart/*` type, in any case, goes to the multipart reader: query fields first,
    /// then the parts, and the parts may use only what the query left of the field limit.
    @Test(
        arguments: [
            ("multipart/form-data; boundary=B", nil, ["q", "p1", "p2"]),
            ("Multipart/Form-Data; boundary=B", nil, ["q", "p1", "p2"]),
            ("multipart/mixed; boundary=B", nil, ["q", "p1", "p2"]),
            ("multipart/form-data; boundary=B", 3, ["q", "p1", "p2"]),
            ("multipart/form-data; boundary=B", 2, nil),
        ] as [(String, Int?, [String]?)])
    func dispatchesMultipart(contentType: String, maxFields: Int?, names: [String]?) throws {
        var options = FormOptions()
        options.maxFields = maxFields
        let environment = [
            "REQUEST_METHOD": "POST", "CONTENT_TYPE": contentType, "QUERY_STRING": "q=0",
            "CONTENT_LENGTH": String(Self.multipartBody.utf8.count),
        ]
        var parsed: [String?]?
        let kind = errorKind {
            parsed = try Self.request(environment, body: Self.multipartBody, options: options).form.map(\.name)
        }
        #expect(parsed == names)
        #expect(kind == (names == nil ? "too_many_fields" : nil))
    }

    @Test func headIsParsedLikeGet() throws {
        let request = try Self.request(["REQUEST_METHOD": "HEAD", "QUERY_STRING": "a=1", "CONTENT_TYPE": "text/plain"])
        #expect(request.method == "HEAD")
        #expect(request.form.map(\.name) == ["a"])
        #expect(request.body == nil)
    }

    /// The environment read through `environ` is the one Foundation sees (read only: setting
    /// variables here would race with tests that spawn processes).
    @Test func readsTheProcessEnvironment() {
        let ours = ProcessEnvironment.current()
        #expect(!ours.isEmpty)
        #expect(ours == ProcessInfo.processInfo.environment)
    }
}
