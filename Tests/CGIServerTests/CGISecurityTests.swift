import Foundation
import TestSupport
import Testing

@Suite("CGI security", .serialized)
struct CGISecurityTests {
    let server: TestServer

    init() throws {
        let site = try TestSite()
        try site.file("secret.cgi", "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\nPWNED'\n")
        try FileManager.default.setAttributes(
            [.posixPermissions: 0o755], ofItemAtPath: site.root.appending(path: "secret.cgi").path)
        try site.script("noexec.cgi", contents: "#!/bin/sh\necho PWNED\n", mode: 0o644)
        try site.script("ww.cgi", contents: "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\nPWNED'\n", mode: 0o777)
        try site.script("sh.cgi", contents: "#!/bin/bash\nprintf 'Content-Type: text/plain\\r\\n\\r\\n%s' \"$HTTP_USER_AGENT\"\n")
        try FileManager.default.createSymbolicLink(
            atPath: site.cgiBin.appending(path: "escape.cgi").path, withDestinationPath: "/usr/bin/id")
        try FileManager.default.createSymbolicLink(atPath: site.cgiBin.appending(path: "linkdir").path, withDestinationPath: "/")
        try FileManager.default.createDirectory(at: site.cgiBin.appending(path: "dir.cgi"), withIntermediateDirectories: true)
        server = try TestServer(site: site)
    }

    /// Requests `path` as sent and checks it gets `status` and runs or shows nothing.
    func expectRefused(_ path: String, with status: Int) throws {
        let response = try curl(["--path-as-is", server.url(path)])
        #expect(response.status == status, "\(path) → \(response.status)")
        #expect(!response.text.contains("PWNED"))
        #expect(!response.text.contains("uid="))
        #expect(!response.text.contains("#!/"))
    }

    /// The decoded path climbs above the root, or holds a NUL: not a path at all, 400.
    @Test(arguments: ["/cgi-bin/../../../../bin/id", "/cgi-bin/probe.cgi%00.txt"])
    func pathAboveTheRootOrWithNULGets400(path: String) throws {
        try expectRefused(path, with: 400)
    }

    /// Dot segments, encoded or not, are resolved before routing: `/cgi-bin/../secret.cgi` is the
    /// static path `/secret.cgi`, which htdocs does not have, so 404. A decoder that let `%2e%2e`
    /// through unresolved would hand the script resolver a path outside cgi-bin (403 instead).
    @Test(arguments: ["/cgi-bin/../secret.cgi", "/cgi-bin/./../secret.cgi", "/cgi-bin/%2e%2e/secret.cgi"])
    func dotSegmentsLeaveCgiBinForAMissingFileSo404(path: String) throws {
        try expectRefused(path, with: 404)
    }

    /// An encoded slash is part of a name, never a separator: no script or file has such a name, 404.
    @Test(arguments: ["/cgi-bin/..%2fsecret.cgi", "/cgi-bin%2Fprobe.cgi", "/cgi-bin/sub%2Fprobe.cgi"])
    func encodedSlashIsPartOfANameSo404(path: String) throws {
        try expectRefused(path, with: 404)
    }

    /// The path names something in cgi-bin that the resolver refuses to run: a link leading out of
    /// cgi-bin, a file that is not executable or is writable by others, a folder: 403.
    @Test(arguments: [
        "/cgi-bin/escape.cgi", "/cgi-bin/linkdir/usr/bin/id", "/cgi-bin/noexec.cgi", "/cgi-bin/ww.cgi", "/cgi-bin/dir.cgi",
        "/cgi-bin/", "/cgi-bin",
    ])
    func scriptTheResolverRefusesGets403(path: String) throws {
        try expectRefused(path, with: 403)
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
        #expect(eventually { server.errorText.contains("writable") })
    }

    @Test func controlBytesInHeaderValuesAreRejected() throws {
        for header in ["X-A: a\u{0}b", "X-C: \u{7f}"] {
            let connection = try RawConnection(port: server.port)
            connection.send("GET /cgi-bin/probe.cgi?marker=ctl HTTP/1.1\r\nHost: x\r\n\(header)\r\n\r\n")
            let text = String(decoding: connection.readAll(), as: UTF8.self)
            #expect(text.hasPrefix("HTTP/1.1 400"))
        }
        // A stopped server runs nothing more: a request it had taken would have run by then.
        #expect(server.stop() == 0)
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
        try server.site.script(
            "we$(touch \(marker.replacingOccurrences(of: "/", with: "_"))).cgi",
            contents: "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\nok'\n")
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
        for path in ["/cgi-bin/ww.cgi", "/cgi-bin/missing.cgi", "/cgi-bin/probe.cgi?raw=\(base64URL("X\r\n\r\n"))"] {
            let text = try curl([server.url(path)]).text
            #expect(!text.contains(server.site.root.path))
            #expect(!text.contains("/tmp"))
        }
    }
}
