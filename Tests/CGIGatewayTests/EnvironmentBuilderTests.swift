import Testing

@testable import CGIGateway

@Suite struct EnvironmentBuilderTests {
    static let script = ScriptLocation(
        scriptPath: "/srv/site/cgi-bin/probe.cgi", scriptName: "/cgi-bin/probe.cgi", pathInfo: "/extra/a b")

    static func request(headers: [(String, String)] = [], contentLength: Int? = nil, isHTTPS: Bool = false) -> ScriptRequest {
        ScriptRequest(
            method: "POST", path: "/cgi-bin/probe.cgi/extra/a%20b", query: "foo=bar&a=b",
            headers: headers.map { HeaderField(name: $0.0, value: $0.1) }, contentLength: contentLength,
            remoteAddress: "::1", remotePort: 54321, serverAddress: "127.0.0.1", serverPort: 8080,
            serverName: "example.com", isHTTPS: isHTTPS)
    }

    static func environment(
        headers: [(String, String)] = [], configuration: EnvironmentConfiguration = .init(documentRoot: "/srv/site/htdocs")
    ) -> [String: String] {
        EnvironmentBuilder(
            configuration: configuration, hostEnvironment: ["SERVER_SECRET": "s3cr3t", "LANG": "C", "PATH": "/host/bin"]
        )
        .environment(for: request(headers: headers), script: script)
    }

    @Test(arguments: [
        ("GATEWAY_INTERFACE", "CGI/1.1"),
        ("SERVER_SOFTWARE", "swift-cgi/0.1"),
        ("SERVER_NAME", "example.com"),
        ("SERVER_PORT", "8080"),
        ("SERVER_ADDR", "127.0.0.1"),
        ("SERVER_PROTOCOL", "HTTP/1.1"),
        ("REQUEST_METHOD", "POST"),
        ("REQUEST_URI", "/cgi-bin/probe.cgi/extra/a%20b?foo=bar&a=b"),
        ("REQUEST_SCHEME", "http"),
        ("QUERY_STRING", "foo=bar&a=b"),
        ("SCRIPT_NAME", "/cgi-bin/probe.cgi"),
        ("SCRIPT_FILENAME", "/srv/site/cgi-bin/probe.cgi"),
        ("PATH_INFO", "/extra/a b"),
        ("PATH_TRANSLATED", "/srv/site/htdocs/extra/a b"),
        ("DOCUMENT_ROOT", "/srv/site/htdocs"),
        ("REMOTE_ADDR", "::1"),
        ("REMOTE_HOST", "::1"),
        ("REMOTE_PORT", "54321"),
        ("PATH", "/usr/local/bin:/usr/bin:/bin"),
    ])
    func setsMetaVariable(name: String, value: String) {
        #expect(Self.environment()[name] == value)
    }

    @Test func setsNothingElse() {
        let expected: Set = [
            "GATEWAY_INTERFACE", "SERVER_SOFTWARE", "SERVER_NAME", "SERVER_PORT", "SERVER_ADDR", "SERVER_PROTOCOL",
            "REQUEST_METHOD", "REQUEST_URI", "REQUEST_SCHEME", "QUERY_STRING", "SCRIPT_NAME", "SCRIPT_FILENAME",
            "PATH_INFO", "PATH_TRANSLATED", "DOCUMENT_ROOT", "REMOTE_ADDR", "REMOTE_HOST", "REMOTE_PORT", "PATH",
        ]
        #expect(Set(Self.environment().keys) == expected)
    }

    @Test func optionalVariablesAppearOnlyWhenKnown() {
        let builder = EnvironmentBuilder(hostEnvironment: [:])
        let plain = builder.environment(for: Self.request(), script: ScriptLocation(scriptPath: "/s/x", scriptName: "/cgi-bin/x"))
        for name in [
            "PATH_INFO", "PATH_TRANSLATED", "DOCUMENT_ROOT", "CONTENT_LENGTH", "CONTENT_TYPE", "HTTPS", "AUTH_TYPE",
            "REMOTE_USER", "UNIQUE_ID",
        ] {
            #expect(plain[name] == nil, "\(name)")
        }
        #expect(plain["QUERY_STRING"] == "foo=bar&a=b")
        var secure = Self.request(headers: [("Content-Type", "text/x-test")], contentLength: 3, isHTTPS: true)
        secure.remoteUser = "u"
        secure.authType = "Basic"
        secure.uniqueID = "4f3a9c1e-c12-3"
        let full = builder.environment(for: secure, script: Self.script)
        #expect(full["HTTPS"] == "on")
        #expect(full["REQUEST_SCHEME"] == "https")
        #expect(full["CONTENT_LENGTH"] == "3")
        #expect(full["CONTENT_TYPE"] == "text/x-test")
        #expect(full["REMOTE_USER"] == "u")
        #expect(full["AUTH_TYPE"] == "Basic")
        #expect(full["UNIQUE_ID"] == "4f3a9c1e-c12-3")
        #expect(full["PATH_TRANSLATED"] == nil, "no document root configured")
        let empty = builder.environment(for: Self.request(contentLength: 0), script: Self.script)
        #expect(empty["CONTENT_LENGTH"] == nil)
    }

    @Test func queryStringIsAlwaysSet() {
        var request = Self.request()
        request.query = ""
        #expect(EnvironmentBuilder(hostEnvironment: [:]).environment(for: request, script: Self.script)["QUERY_STRING"] == "")
    }

    @Test(
        arguments: [
            // (headers sent, variable, expected value or nil)
            ([("X-Custom-Thing", "v1")], "HTTP_X_CUSTOM_THING", "v1"),
            ([("xx-yy123", "foo")], "HTTP_XX_YY123", "foo"),
            ([("Host", "example.com:8080")], "HTTP_HOST", "example.com:8080"),
            ([("Accept", "a"), ("accept", "b"), ("ACCEPT", "c")], "HTTP_ACCEPT", "a, b, c"),
            ([("Cookie", "a=1"), ("Cookie", "b=2")], "HTTP_COOKIE", "a=1; b=2"),
            ([("Proxy", "http://evil.test:8080")], "HTTP_PROXY", nil),
            ([("proxy", "x"), ("PROXY", "y")], "HTTP_PROXY", nil),
            ([("Authorization", "Basic dTpw")], "HTTP_AUTHORIZATION", nil),
            ([("Proxy-Authorization", "Basic dTpw")], "HTTP_PROXY_AUTHORIZATION", nil),
            ([("Content-Type", "text/x-test")], "HTTP_CONTENT_TYPE", nil),
            ([("Content-Length", "3")], "HTTP_CONTENT_LENGTH", nil),
            ([("Content-Type", "text/plain\r\nX: y")], "CONTENT_TYPE", nil),
            ([("X_Remote_User", "admin")], "HTTP_X_REMOTE_USER", nil),
            ([("X-Remote-User", "alice"), ("X_Remote_User", "admin")], "HTTP_X_REMOTE_USER", "alice"),
            ([("X-Foo=Bar", "1")], "HTTP_X_FOO=BAR", nil),
            ([("X-Foo=Bar", "1")], "HTTP_X_FOO_BAR", nil),
            ([("X.Dot", "1")], "HTTP_X.DOT", nil),
            ([("X.Dot", "1")], "HTTP_X_DOT", nil),
            ([("X A", "1")], "HTTP_X_A", nil),
            ([("", "1")], "HTTP_", nil),
            ([("X-A", "a\u{0}b")], "HTTP_X_A", nil),
            ([("X-B", "a\rb")], "HTTP_X_B", nil),
            ([("X-C", "a\nb")], "HTTP_X_C", nil),
            ([("User-Agent", "() { :;}; echo pwned")], "HTTP_USER_AGENT", "() { :;}; echo pwned"),
        ] as [([(String, String)], String, String?)])
    func mapsHeaders(headers: [(String, String)], name: String, value: String?) {
        #expect(Self.environment(headers: headers)[name] == value)
    }

    @Test func headerBytesThatAreNotUTF8ReachTheEnvironmentAsSent() {
        var request = Self.request()
        request.headers = [
            HeaderField(name: "X-Test", value: "caf\u{FFFD}", rawValue: [0x63, 0x61, 0x66, 0xE9]),
            HeaderField(name: "X-Test", value: "ok"),
            HeaderField(name: "Content-Type", value: "text/plain; a=\u{FFFD}", rawValue: Array("text/plain; a=".utf8) + [0xFF]),
            HeaderField(name: "X-Bad", value: "\u{FFFD}", rawValue: [0xE9, 0x0A]),
        ]
        let environment = EnvironmentBuilder(hostEnvironment: [:]).environmentBytes(for: request, script: Self.script)
        #expect(environment["HTTP_X_TEST"] == [0x63, 0x61, 0x66, 0xE9] + Array(", ok".utf8))
        #expect(environment["CONTENT_TYPE"] == Array("text/plain; a=".utf8) + [0xFF])
        #expect(environment["HTTP_X_BAD"] == nil)
        #expect(environment["REQUEST_METHOD"] == Array("POST".utf8))
    }

    @Test func everyNameIsSafe() {
        let headers = [("X_a", "1"), ("X-b", "2"), ("Ünï", "3"), ("a=b", "4"), ("X-Ok-9", "5")]
        for name in Self.environment(headers: headers).keys {
            #expect(name.utf8.allSatisfy { ($0 >= 65 && $0 <= 90) || ($0 >= 48 && $0 <= 57) || $0 == 95 }, "\(name)")
        }
    }

    @Test func passesAuthorizationWhenAsked() {
        let environment = Self.environment(
            headers: [("Authorization", "Basic dTpw"), ("Proxy-Authorization", "Basic eA==")],
            configuration: .init(passAuthorization: true))
        #expect(environment["HTTP_AUTHORIZATION"] == "Basic dTpw")
        #expect(environment["HTTP_PROXY_AUTHORIZATION"] == "Basic eA==")
    }

    @Test func hostEnvironmentStaysOutUnlessNamed() {
        let clean = Self.environment()
        #expect(clean["SERVER_SECRET"] == nil)
        #expect(clean["LANG"] == nil)
        let passed = Self.environment(configuration: .init(passEnvironment: ["LANG", "MISSING"], setEnvironment: ["FOO": "bar"]))
        #expect(passed["LANG"] == "C")
        #expect(passed["FOO"] == "bar")
        #expect(passed["MISSING"] == nil)
        #expect(passed["SERVER_SECRET"] == nil)
        #expect(passed["PATH"] == "/usr/local/bin:/usr/bin:/bin")
    }

    @Test func overridesApplyInOrder() {
        let passedPath = Self.environment(configuration: .init(path: "/custom", passEnvironment: ["PATH"]))
        #expect(passedPath["PATH"] == "/host/bin")
        let configured = Self.environment(configuration: .init(path: "/custom"))
        #expect(configured["PATH"] == "/custom")
        let set = Self.environment(
            configuration: .init(passEnvironment: ["PATH"], setEnvironment: ["PATH": "/set", "SERVER_SOFTWARE": "x/1"]))
        #expect(set["PATH"] == "/set")
        #expect(set["SERVER_SOFTWARE"] == "x/1")
        let spoof = Self.environment(headers: [("X-A", "1")], configuration: .init(passEnvironment: ["REQUEST_METHOD"]))
        #expect(spoof["REQUEST_METHOD"] == "POST")
    }

    @Test func readsTheProcessEnvironment() {
        #expect(EnvironmentBuilder.processEnvironment()["PATH"] != nil)
    }
}
