import Foundation
import Testing

@Suite("CGI security", .serialized)
struct CGISecurityTests {
    let server: TestServer

    init() throws {
        let site = try TestSite()
        try site.file("secret.cgi", "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\nPWNED'\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: site.root.appending(path: "secret.cgi").path)
        try site.script("noexec.cgi", contents: "#!/bin/sh\necho PWNED\n", mode: 0o644)
        try site.script("ww.cgi", contents: "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\nPWNED'\n", mode: 0o777)
        try site.script("sh.cgi", contents: "#!/bin/bash\nprintf 'Content-Type: text/plain\\r\\n\\r\\n%s' \"$HTTP_USER_AGENT\"\n")
        try FileManager.default.createSymbolicLink(atPath: site.cgiBin.appending(path: "escape.cgi").path, withDestinationPath: "/usr/bin/id")
        try FileManager.default.createSymbolicLink(atPath: site.cgiBin.appending(path: "linkdir").path, withDestinationPath: "/")
        try FileManager.default.createDirectory(at: site.cgiBin.appending(path: "dir.cgi"), withIntermediateDirectories: true)
        server = try TestServer(site: site)
    }

    @Test(arguments: [
        "/cgi-bin/../secret.cgi", "/cgi-bin/../../../../bin/id", "/cgi-bin/./../secret.cgi", "/cgi-bin/%2e%2e/secret.cgi",
        "/cgi-bin/..%2fsecret.cgi", "/cgi-bin%2Fprobe.cgi", "/cgi-bin/sub%2Fprobe.cgi", "/cgi-bin/probe.cgi%00.txt",
        "/cgi-bin/escape.cgi", "/cgi-bin/linkdir/usr/bin/id", "/cgi-bin/noexec.cgi", "/cgi-bin/ww.cgi", "/cgi-bin/dir.cgi",
        "/cgi-bin/", "/cgi-bin",
    ])
    func hostilePathsNeverRunOrDiscloseAnything(path: String) throws {
        let response = try curl(["--path-as-is", server.url(path)])
        #expect([400, 403, 404].contains(response.status), "\(path) → \(response.status)")
        #expect(!response.text.contains("PWNED"))
        #expect(!response.text.contains("uid="))
        #expect(!response.text.contains("#!/"))
    }

    @Test func originFormWithoutSlashIs400() throws {
        let connection = try RawConnection(port: server.port)
        connection.send("GET cgi-bin/probe.cgi HTTP/1.1\r\nHost: x\r\n\r\n")
        let text = String(decoding: connection.readAll(), as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 400"))
        #expect(!text.contains("python"))
    }

    @Test func writableScriptIsRefusedWithReasonLogged() throws {
        #expect(try curl([server.url("/cgi-bin/ww.cgi")]).status == 403)
        #expect(eventually(within: 5) { server.errorText.contains("writable") })
    }

    @Test func controlBytesInHeaderValuesAreRejected() throws {
        for header in ["X-A: a\u{0}b", "X-C: \u{7f}"] {
            let connection = try RawConnection(port: server.port)
            connection.send("GET /cgi-bin/probe.cgi?marker=ctl HTTP/1.1\r\nHost: x\r\n\(header)\r\n\r\n")
            let text = String(decoding: connection.readAll(), as: UTF8.self)
            #expect(text.hasPrefix("HTTP/1.1 400"))
        }
        #expect(!server.site.ran("ctl"))
    }

    @Test func shellshockValuesArriveVerbatimAndNoShellRuns() throws {
        let marker = server.site.state.appending(path: "shellshock").path
        let agent = "() { :;}; echo pwned > \(marker)"
        let response = try curl(["-A", agent, server.url("/cgi-bin/sh.cgi")])
        #expect(response.text == agent)
        #expect(!FileManager.default.fileExists(atPath: marker))
    }

    @Test func oddScriptNamesAreNotInterpretedByAShell() throws {
        let marker = server.site.state.appending(path: "x").path
        try server.site.script("we$(touch \(marker.replacingOccurrences(of: "/", with: "_"))).cgi", contents: "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\nok'\n")
        let name = "we$(touch \(marker.replacingOccurrences(of: "/", with: "_"))).cgi"
        let response = try curl([server.url("/cgi-bin/" + name.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)])
        #expect(response.text == "ok")
        #expect(!FileManager.default.fileExists(atPath: marker))
    }

    @Test func scriptSourceIsNeverServed() throws {
        let response = try curl([server.url("/cgi-bin/probe.cgi?env=SCRIPT_NAME")])
        #expect(response.text == "/cgi-bin/probe.cgi")
        #expect(!response.text.contains("import"))
    }

    @Test func errorPagesLeakNoPaths() throws {
        for path in ["/cgi-bin/ww.cgi", "/cgi-bin/missing.cgi", "/cgi-bin/probe.cgi?raw=\(base64url("X\r\n\r\n"))"] {
            let text = try curl([server.url(path)]).text
            #expect(!text.contains(server.site.root.path))
            #expect(!text.contains("/tmp"))
        }
    }
}
