import Foundation
import TestSupport
import Testing

/// Requests at the edges of what the server is asked: about itself (`OPTIONS *`), with a
/// fragment in the target, and from scripts that run into their resource limits.
@Suite("Server edges", .serialized)
struct ServerEdgeTests {
    @Test func optionsStarDescribesTheServer() throws {
        let server = try TestServer()
        let client = try TestClient(port: server.port)
        client.send("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n")
        let response = client.read(until: "\r\n\r\n")
        #expect(response.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(response.contains("Allow: GET, HEAD, POST, OPTIONS\r\n"))
    }

    @Test func aFragmentNeverReachesTheScript() throws {
        let server = try TestServer()
        let client = try TestClient(port: server.port)
        client.send("GET /cgi-bin/probe.cgi?env=REQUEST_URI#frag HTTP/1.1\r\nHost: x\r\n\r\n")
        let response = client.read(until: "\r\n0\r\n\r\n")
        #expect(response.contains("\r\n/cgi-bin/probe.cgi?env=REQUEST_URI\r\n"), "\(response)")
        #expect(!response.contains("frag"))
    }

    @Test func aScriptOverItsCPULimitFailsAndTheLogNamesTheLimit() throws {
        let server = try TestServer(options: ["--script-limit", "cpu=1", "--script-timeout", "20"])
        let response = try curl([server.url("/cgi-bin/probe.cgi?spin=1")])
        #expect(response.status == 502)
        #expect(eventually(within: 5) { server.errorText.contains("(script limits: cpu=1)") })
    }

    @Test func scriptsAreToldWhereTheToolchainsSymbolizerIs() throws {
        let server = try TestServer(options: ["--swiftc", swiftc])
        let response = try curl([server.url("/cgi-bin/probe.cgi?env=CGI_SYMBOLIZER")])
        let expected = URL(filePath: swiftc).deletingLastPathComponent().appending(path: "llvm-symbolizer").path
        #expect(response.text == expected)
    }

    @Test func aBadScriptLimitIsRefusedAtStart() throws {
        let site = try TestSite()
        let start = try runProcess(TestServer.binary.path, [site.root.path, "--port", "0", "--script-limit", "cpu=lots"])
        #expect(start.termination != .exited(0))
        #expect(start.errors.contains("a script limit is NAME=VALUE"), "\(start.errors)")
    }
}
