import Foundation
import TestSupport
import Testing

/// `--fastcgi-pass` to a small Python FastCGI application (Tests/Fixtures/fastcgi/app.py) that logs
/// every record it receives and answers as told: what PHP-FPM never does (OVERLOADED, a broken
/// record) and what it does not show (the ABORT_REQUEST a client that goes away causes).
@Suite("FastCGI responder", .serialized)
struct FastCGIResponderTests {
    let folder: TemporaryDirectory
    let application: ChildProcess
    let server: TestServer
    var log: String { (try? String(contentsOfFile: folder.appending("records.log"), encoding: .utf8)) ?? "" }

    init() throws {
        folder = try TemporaryDirectory(prefix: "fastcgi-app")
        let socket = folder.appending("app.sock")
        let script = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appending(path: "Fixtures/fastcgi/app.py").path
        application = try ChildProcess("/usr/bin/python3", [script, socket, folder.appending("records.log")])
        _ = try application.waitForLine { $0 == "ready" }
        let site = try TestSite()
        try site.file("htdocs/app.fcgi", "")
        // One event loop: the application serves one connection at a time, and one loop keeps one.
        // No script timeout in the way of the client's own going away.
        server = try TestServer(
            site: site, options: ["--fastcgi-pass", ".fcgi=unix:\(socket)", "--threads", "1", "--script-timeout", "30"])
    }

    @Test func answersAndKeepsTheConnection() throws {
        for _ in 0..<3 {
            let result = try curl([server.url("/app.fcgi")])
            #expect(result.status == 200)
            #expect(result.text == "ok\n")
        }
        let lines = log.split(separator: "\n")
        #expect(lines.filter { $0.hasPrefix("BEGIN_REQUEST") } == ["BEGIN_REQUEST 1", "BEGIN_REQUEST 1", "BEGIN_REQUEST 1"])
        #expect(lines.filter { $0 == "ACCEPT" }.count == 1, "\(lines)")
    }

    @Test func overloadedIs503WithRetryAfter() throws {
        let result = try curl([server.url("/app.fcgi?overloaded")])
        #expect(result.status == 503)
        #expect(result.header("Retry-After") == "1")
    }

    @Test func aBrokenRecordIs502() throws {
        let result = try curl([server.url("/app.fcgi?garbage")])
        #expect(result.status == 502)
        #expect(eventually(within: 5) { server.errorText.contains("a record has FastCGI version 2") })
        #expect(try curl([server.url("/app.fcgi")]).text == "ok\n")
    }

    @Test func aClientGoingAwaySendsAbortRequest() throws {
        var client: TestClient? = try TestClient(port: server.port)
        #expect(client?.send("GET /app.fcgi?hang HTTP/1.1\r\nHost: x\r\n\r\n") == true)
        #expect(client?.read(until: "start\n", within: 10).contains("start\n") == true)
        #expect(!log.contains("ABORT_REQUEST"))
        client = nil
        #expect(eventually(within: 10) { log.contains("ABORT_REQUEST 1") })
        // The application ended the aborted request: its connection serves the next one.
        #expect(try curl([server.url("/app.fcgi")]).text == "ok\n")
    }
}
