import Foundation
import TestSupport
import Testing

/// One request id everywhere: the script's `UNIQUE_ID`, the reference on the error page (the
/// script's own, from the `CGI` library, or the server's), the access-log line and the
/// error-log lines of that request.
@Suite("Request ids", .serialized)
struct RequestIDTests {
    let server: TestServer
    let accessLog: URL

    init() throws {
        let site = try TestSite()
        accessLog = site.root.appending(path: "access.log")
        // A script that fails inside CGI.run: the library's error page and report.
        let fixture = productsDirectory.appending(path: "ErrorReportFixture")
        try FileManager.default.copyItem(at: fixture, to: site.cgiBin.appending(path: "fails"))
        server = try TestServer(site: site, options: ["--access-log", accessLog.path])
    }

    /// The first request id (`tag-cN-M`) in `text`.
    func requestID(in text: String) throws -> String {
        let range = try #require(text.range(of: #"[0-9a-f]{8}-c\d+-\d+"#, options: .regularExpression), "no id in \(text)")
        return String(text[range])
    }

    /// The access-log line that names `id`, once it is written.
    func accessLine(naming id: String) throws -> String {
        var line: String?
        _ = eventually(within: 5) {
            line = (try? String(contentsOf: accessLog, encoding: .utf8))?.split(separator: "\n").first { $0.contains(id) }
                .map(String.init)
            return line != nil
        }
        return try #require(line, "no access-log line with \(id)")
    }

    @Test func theScriptGetsTheIDAsUniqueID() throws {
        let response = try curl(["-s", "-i", server.url("/cgi-bin/probe.cgi")])
        let id = try #require(response.environment["UNIQUE_ID"])
        #expect(try requestID(in: id) == id)
        #expect(try accessLine(naming: id).contains("\"GET /cgi-bin/probe.cgi HTTP/1.1\" 200"))
        let next = try curl(["-s", "-i", server.url("/cgi-bin/probe.cgi")])
        #expect(next.environment["UNIQUE_ID"] != id, "every request has its own")
    }

    @Test(arguments: ["throw", "index"])
    func aFailingScriptsReportIsNamedAfterTheRequest(mode: String) throws {
        let response = try curl(["-s", "-i", server.url("/cgi-bin/fails?mode=\(mode)")])
        #expect(response.status == 500)
        let id = try requestID(in: response.text)
        #expect(response.text.contains("<code>\(id)</code>"), "the library's page shows the server's id")
        #expect(try accessLine(naming: id).contains("\" 500 "))
        // The script's own line ("CGI error ID: …" or "CGI crash ID: …") and the server's tag.
        _ = eventually(within: 5) { server.errorText.contains("request=\(id)") && server.errorText.contains("CGI ") }
        let lines = server.errorText.split(separator: "\n").filter { $0.contains(id) }
        #expect(
            lines.contains { $0.contains("request=\(id)") && $0.contains("CGI \(mode == "throw" ? "error" : "crash") \(id)") })
    }

    @Test func theServersOwnErrorPageShowsTheID() throws {
        let response = try curl(["-s", "-i", server.url("/cgi-bin/probe.cgi?raw=\(base64URL("Status: abc\r\n\r\nx"))")])
        #expect(response.status == 502)
        let id = try requestID(in: response.text)
        #expect(response.text.contains("Reference: <code>\(id)</code>"))
        #expect(try accessLine(naming: id).contains("\" 502 "))
        _ = eventually(within: 5) { server.errorText.contains("request=\(id)") }
        #expect(server.errorText.split(separator: "\n").contains { $0.contains("request=\(id)") && $0.contains("error") })
    }

    @Test func idsFromAnotherServerStartDiffer() throws {
        let other = try TestServer()
        let first = try #require(try curl(["-s", "-i", server.url("/cgi-bin/probe.cgi")]).environment["UNIQUE_ID"])
        let second = try #require(try curl(["-s", "-i", other.url("/cgi-bin/probe.cgi")]).environment["UNIQUE_ID"])
        #expect(first.prefix(8) != second.prefix(8), "a restarted server must not reuse report names")
    }
}
