import Foundation
import Testing

@Suite("CGI meta-variables", .serialized)
struct CGIEnvironmentTests {
    let server: TestServer

    init() throws {
        server = try TestServer(options: ["--pass-env", "LANG", "--set-env", "FOO=bar"])
    }

    @Test func basicGetEnvironment() throws {
        let response = try curl(["-H", "Host: example.com:\(server.port)", server.url("/cgi-bin/probe.cgi?foo=bar&a=b")])
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "text/plain")
        #expect(response.header("X-Test-Header") == "X-Test-Value")
        #expect(response.header("Status") == nil)
        let env = response.environment
        #expect(env["GATEWAY_INTERFACE"] == "CGI/1.1")
        #expect(env["REQUEST_METHOD"] == "GET")
        #expect(env["QUERY_STRING"] == "foo=bar&a=b")
        #expect(env["SCRIPT_NAME"] == "/cgi-bin/probe.cgi")
        #expect(env["REQUEST_URI"] == "/cgi-bin/probe.cgi?foo=bar&a=b")
        #expect(env["SERVER_PROTOCOL"] == "HTTP/1.1")
        #expect(env["SERVER_SOFTWARE"]?.contains("/") == true)
        #expect(env["SERVER_NAME"] == "example.com")
        #expect(env["SERVER_PORT"] == String(server.port))
        #expect(env["HTTP_HOST"] == "example.com:\(server.port)")
        #expect(env["REMOTE_ADDR"] == "127.0.0.1")
        #expect(Int(env["REMOTE_PORT"] ?? "") != nil)
        #expect(env["SCRIPT_FILENAME"]?.hasSuffix("/cgi-bin/probe.cgi") == true)
        #expect(env["SCRIPT_FILENAME"]?.hasPrefix("/") == true)
        #expect(env["PATH_INFO"] == nil)
        #expect(env["PATH_TRANSLATED"] == nil)
        #expect(env["CONTENT_LENGTH"] == nil)
        #expect(response.text.contains("argc=1\n"))
        #expect(response.text.contains("cwd=\(server.site.cgiBin.resolvingSymlinksInPath().path)\n"))
    }

    @Test func headerValuesLoseTheirSurroundingWhitespace() throws {
        let connection = try RawConnection(port: server.port)
        connection.send(
            "POST /cgi-bin/probe.cgi HTTP/1.1\r\nHost: example.com \r\nHello:  World   \r\nX-Tab: a b\t\r\n"
                + "Content-Type: application/x-www-form-urlencoded  \r\nContent-Length: 3\r\nConnection: close\r\n\r\na=b")
        let response = try #require(connection.readResponses(1).first)
        #expect(response.status == 200)
        let env = response.environment
        #expect(env["HTTP_HELLO"] == "World")
        #expect(env["HTTP_X_TAB"] == "a b")
        #expect(env["CONTENT_TYPE"] == "application/x-www-form-urlencoded")
        #expect(env["HTTP_HOST"] == "example.com")
        #expect(env["SERVER_NAME"] == "example.com")
    }

    /// RFC 9110 §5.5: a field value may hold `obs-text` (bytes 0x80–0xFF); the script gets the
    /// bytes sent, not U+FFFD, also for pipelined requests and after a local redirect.
    @Test func headerBytesThatAreNotUTF8ReachScriptsAsSent() throws {
        let values: [[UInt8]] = [[0x63, 0x61, 0x66, 0xE9], [0xFF, 0x20, 0xFE], Array("café".utf8), Array("plain".utf8)]
        var requests = Data()
        for (index, value) in values.enumerated() {
            requests.append(Data("GET /cgi-bin/probe.cgi?envhex=HTTP_X_TEST HTTP/1.1\r\nHost: x\r\nX-Test: ".utf8))
            requests.append(contentsOf: value)
            requests.append(Data("\r\nX-Other: \u{E9}t\u{E9}\r\n".utf8))
            requests.append(Data((index == values.count - 1 ? "Connection: close\r\n\r\n" : "\r\n").utf8))
        }
        let connection = try RawConnection(port: server.port)
        connection.send(requests)
        let responses = connection.readResponses(values.count)
        #expect(responses.map(\.status) == Array(repeating: 200, count: values.count))
        #expect(responses.map(\.text) == values.map { $0.map { String(format: "%02x", $0) }.joined() })

        let joined = try RawConnection(port: server.port)
        joined.send(
            Data("GET /cgi-bin/probe.cgi?envhex=HTTP_X_TEST HTTP/1.1\r\nHost: x\r\nX-Test: a\u{FF}\r\nX-Test: ".utf8)
                + [0xE9] + Data("\r\nConnection: close\r\n\r\n".utf8))
        #expect(joined.readResponses(1).first?.text == "61c3bf2c20e9")

        let redirected = try RawConnection(port: server.port)
        redirected.send(
            Data("GET /cgi-bin/probe.cgi?loc=%2Fcgi-bin%2Fprobe.cgi%3Fenvhex%3DHTTP_X_TEST HTTP/1.1\r\nHost: x\r\n".utf8)
                + Data("Content-Type: a/b\r\nX-Test: ".utf8) + [0xE9, 0xE8] + Data("\r\nConnection: close\r\n\r\n".utf8))
        #expect(redirected.readResponses(1).first?.text == "e9e8")
    }

    @Test func fragmentIsNotPartOfTheQueryOrPath() throws {
        let connection = try RawConnection(port: server.port)
        connection.send("GET /cgi-bin/probe.cgi/info?a=b#frag?x=y HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let env = try #require(connection.readResponses(1).first).environment
        #expect(env["QUERY_STRING"] == "a=b")
        #expect(env["PATH_INFO"] == "/info")
        let bare = try RawConnection(port: server.port)
        bare.send("GET /cgi-bin/probe.cgi#frag HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        #expect(try #require(bare.readResponses(1).first).environment["QUERY_STRING"] == "")
    }

    @Test func developmentModeTellsScriptsToShowErrorReports() throws {
        #expect(try curl([server.url("/cgi-bin/probe.cgi")]).environment["CGI_DEBUG"] == nil)
        let dev = try TestServer(options: ["--dev"])
        #expect(try curl([dev.url("/cgi-bin/probe.cgi")]).environment["CGI_DEBUG"] == "1")
        let devText = try TestServer(options: ["--dev", "--set-env", "CGI_DEBUG=text"])
        #expect(try curl([devText.url("/cgi-bin/probe.cgi")]).environment["CGI_DEBUG"] == "text")
    }

    @Test func queryStringIsAlwaysDefined() throws {
        for path in ["/cgi-bin/probe.cgi", "/cgi-bin/probe.cgi?"] {
            #expect(try curl([server.url(path)]).environment["QUERY_STRING"] == "")
        }
    }

    @Test func pathInfoIsDecodedAndRequestURIIsNot() throws {
        let env = try curl([server.url("/cgi-bin/probe.cgi/extra/a%20b/c%3Bd?a=b")]).environment
        #expect(env["SCRIPT_NAME"] == "/cgi-bin/probe.cgi")
        #expect(env["PATH_INFO"] == "/extra/a b/c;d")
        #expect(env["PATH_TRANSLATED"]?.hasSuffix("/htdocs/extra/a b/c;d") == true)
        #expect(env["REQUEST_URI"] == "/cgi-bin/probe.cgi/extra/a%20b/c%3Bd?a=b")
        #expect(env["QUERY_STRING"] == "a=b")
    }

    @Test func encodedSlashInPathInfoIsNotFound() throws {
        #expect(try curl([server.url("/cgi-bin/probe.cgi/a%2Fb")]).status == 404)
    }

    @Test func headersBecomeHTTPVariables() throws {
        let response = try curl([
            "-H", "X-Custom-Thing: v1", "-H", "xx-yy123: foo", "-H", "Content-Type: text/x-test", "-d", "abc",
            server.url("/cgi-bin/probe.cgi"),
        ])
        let env = response.environment
        #expect(env["HTTP_X_CUSTOM_THING"] == "v1")
        #expect(env["HTTP_XX_YY123"] == "foo")
        #expect(env["CONTENT_TYPE"] == "text/x-test")
        #expect(env["CONTENT_LENGTH"] == "3")
        #expect(env["HTTP_CONTENT_TYPE"] == nil)
        #expect(env["HTTP_CONTENT_LENGTH"] == nil)
        #expect(env["REQUEST_METHOD"] == "POST")
    }

    @Test func proxyAuthorizationAndOddNamesAreDropped() throws {
        let connection = try RawConnection(port: server.port)
        connection.send(
            "GET /cgi-bin/probe.cgi HTTP/1.1\r\nHost: x\r\nProxy: http://evil.test:8080\r\nAuthorization: Basic dTpw\r\n"
                + "X-Foo: a\r\nX-Remote-User: alice\r\nX_Remote_User: admin\r\nConnection: close\r\n\r\n")
        let response = try #require(connection.readResponses(1).first)
        let env = response.environment
        #expect(env["HTTP_PROXY"] == nil)
        #expect(env["HTTP_AUTHORIZATION"] == nil)
        #expect(env["HTTP_X_FOO"] == "a")
        #expect(env["HTTP_X_REMOTE_USER"] == "alice")
        #expect(env["REMOTE_USER"] == nil)
    }

    @Test func authorizationPassesOnlyWhenAsked() throws {
        let passing = try TestServer(options: ["--pass-authorization"])
        let env = try curl(["-H", "Authorization: Basic dTpw", passing.url("/cgi-bin/probe.cgi")]).environment
        #expect(env["HTTP_AUTHORIZATION"] == "Basic dTpw")
    }

    @Test func environmentIsCleanWithExplicitPassThrough() throws {
        let env = try curl([server.url("/cgi-bin/probe.cgi")]).environment
        #expect(env["SERVER_SECRET"] == nil)
        #expect(env["LANG"] == "C")
        #expect(env["FOO"] == "bar")
        #expect(env["PATH"] != nil)
    }

    @Test func methodsPassVerbatimWithTheirBodies() throws {
        let put = try curl(["-X", "PUT", "--data-binary", "data", server.url("/cgi-bin/probe.cgi?echo=1")])
        #expect(put.text.hasPrefix("len=4\n"))
        let propfind = try curl(["-X", "PROPFIND", server.url("/cgi-bin/probe.cgi?env=REQUEST_METHOD")])
        #expect(propfind.text == "PROPFIND")
    }

    @Test func absoluteFormTargetNamesTheServer() throws {
        let connection = try RawConnection(port: server.port)
        connection.send(
            "GET http://RightHost:123/cgi-bin/probe.cgi?env=SERVER_NAME HTTP/1.1\r\nHost: wronghost:321\r\nConnection: close\r\n\r\n"
        )
        #expect(connection.readResponses(1).first?.text == "righthost")
    }

    @Test func ipv6Client() throws {
        let v6 = try TestServer(host: "::1")
        let env = try curl(["-g", "http://[::1]:\(v6.port)/cgi-bin/probe.cgi"]).environment
        #expect(env["REMOTE_ADDR"] == "::1")
        #expect(env["SERVER_NAME"] == "[::1]")
        #expect(env["SERVER_PORT"] == String(v6.port))
    }

    @Test func signalsAreResetInTheScript() throws {
        // Python ignores SIGPIPE itself, so a shell script reports the state it inherited.
        try server.site.script(
            "signals.sh",
            contents: "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\n'\nexec grep -E '^Sig(Ign|Blk)' /proc/self/status\n"
        )
        let text = try curl([server.url("/cgi-bin/signals.sh")]).text
        // Signals 32 and 33 belong to the C library's threads and cannot be reset; 1-31 must be.
        func mask(_ name: String) -> UInt64? {
            text.split(separator: "\n").first { $0.hasPrefix(name) }.flatMap {
                UInt64($0.split(separator: "\t").last ?? "", radix: 16)
            }
        }
        #expect(mask("SigIgn:").map { $0 & 0x7FFF_FFFF } == 0)
        #expect(mask("SigBlk:").map { $0 & 0x7FFF_FFFF } == 0)
    }

    @Test func scriptsGetOnlyDescriptorsZeroToTwo() throws {
        let idle = try (0..<5).map { _ in try RawConnection(port: server.port) }
        let text = try curl([server.url("/cgi-bin/probe.cgi?fds=1")]).text
        let descriptors = text.split(separator: "\n").filter { $0.hasPrefix("fd ") }
        // Python itself opens one descriptor to list the folder.
        #expect(descriptors.filter { !$0.contains("/proc/") }.count == 3, "\(descriptors)")
        #expect(!text.contains("socket:"))
        _ = idle
    }
}
