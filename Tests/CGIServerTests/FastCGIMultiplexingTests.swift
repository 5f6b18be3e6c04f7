import Foundation
import TestSupport
import Testing

/// `--fastcgi-pass` to a Python application that multiplexes (Tests/Fixtures/fastcgi/mpxs_app.py:
/// FCGI_MPXS_CONNS=1, FCGI_MAX_REQS=8, concurrent requests per connection, counts of connections
/// and of requests live at once): once it has answered GET_VALUES, concurrent requests on an event
/// loop share a connection, each with an id of its own.
@Suite("FastCGI multiplexing", .serialized)
struct FastCGIMultiplexingTests {
    let folder: TemporaryDirectory
    let application: ChildProcess
    let server: TestServer
    var log: [Substring] {
        ((try? String(contentsOfFile: folder.appending("records.log"), encoding: .utf8)) ?? "").split(separator: "\n")
    }

    init() throws {
        folder = try TemporaryDirectory(prefix: "fastcgi-mpxs")
        let socket = folder.appending("app.sock")
        let script = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appending(path: "Fixtures/fastcgi/mpxs_app.py").path
        application = try ChildProcess("/usr/bin/python3", [script, socket, folder.appending("records.log")])
        _ = try application.waitForLine { $0 == "ready" }
        let site = try TestSite()
        try site.file("htdocs/app.py", "")
        // One event loop: every request meets the same connections.
        server = try TestServer(
            site: site, options: ["--fastcgi-pass", ".py=unix:\(socket)", "--threads", "1", "--script-timeout", "30"])
    }

    /// The application's counts: connections accepted, most requests live at once on one.
    func stats() throws -> (connections: Int, max: Int) {
        let words = try curl([server.url("/app.py?stats")]).text.split(whereSeparator: \.isWhitespace)
        try #require(words.count == 4, "\(words)")
        return (Int(words[1]) ?? -1, Int(words[3]) ?? -1)
    }

    /// `count` requests of `?sleep=0.5` at once: their results and how long they took together.
    func sleepers(_ count: Int) throws -> (results: [HTTPResult?], seconds: Double) {
        let start = Date()
        let results = try curlAll(Array(repeating: [server.url("/app.py?sleep=0.5")], count: count))
        return (results, Date().timeIntervalSince(start))
    }

    @Test func concurrentRequestsShareOneConnectionWithIdsOfTheirOwn() throws {
        // The first request asks GET_VALUES on a connection of its own.
        #expect(try curl([server.url("/app.py")]).text == "ok\n")
        let (results, seconds) = try sleepers(6)
        var ids: Set<String> = []
        for result in results {
            #expect(result?.status == 200)
            let text = result?.text ?? ""
            #expect(text.hasPrefix("slept 0.5 id "), "\(text)")
            ids.insert(text)
        }
        #expect(ids.count == 6, "each request has an id of its own: \(ids)")
        // Six requests one after the other would take three seconds.
        #expect(seconds < 1.6, "\(seconds) s")
        let (connections, most) = try stats()
        #expect(connections <= 2, "the first request's and one shared")
        #expect(most > 1 && most <= 8, "\(most)")
        #expect(!log.contains { $0.hasPrefix("DUPLICATE") }, "\(log)")
        #expect(!server.errorText.contains("FastCGI"), "\(server.errorText)")
        print("6 x 0.5 s requests: \(seconds) s over \(connections) connections, at most \(most) at once on one")
    }

    @Test func moreThanMaxReqsAtOnceTakeAnotherConnection() throws {
        #expect(try curl([server.url("/app.py")]).text == "ok\n")
        let (results, seconds) = try sleepers(12)
        #expect(results.allSatisfy { $0?.status == 200 && $0?.text.hasPrefix("slept 0.5") == true })
        #expect(seconds < 1.6, "\(seconds) s")
        let (connections, most) = try stats()
        // FCGI_MAX_REQS=8: the shared connection carries eight, a second one the rest.
        #expect(most == 8)
        #expect(connections >= 3 && connections <= 4, "\(connections)")
        #expect(!log.contains { $0.hasPrefix("DUPLICATE") }, "\(log)")
        #expect(!server.errorText.contains("FastCGI"), "\(server.errorText)")
        print("12 x 0.5 s requests: \(seconds) s over \(connections) connections, at most \(most) at once on one")
    }

    @Test func aClientGoingAwayAbortsItsRequestAloneOnTheSharedConnection() throws {
        #expect(try curl([server.url("/app.py")]).text == "ok\n")
        let other = try startCurl([server.url("/app.py?sleep=1.5")])
        var client: TestClient? = try TestClient(port: server.port)
        #expect(client?.send("GET /app.py?hang HTTP/1.1\r\nHost: x\r\n\r\n") == true)
        #expect(client?.read(until: "start\n", within: 10).contains("start\n") == true)
        #expect(!log.contains { $0.hasPrefix("ABORT_REQUEST") })
        client = nil
        #expect(eventually(within: 10) { log.contains { $0.hasPrefix("ABORT_REQUEST") } })
        let result = try #require(try parseCurlOutput(other.finish(within: 30).standardOutput))
        #expect(result.status == 200)
        let otherID = result.text.split(separator: " ").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        #expect(result.text.hasPrefix("slept 1.5 id "), "\(result.text)")
        let aborts = log.filter { $0.hasPrefix("ABORT_REQUEST") }
        #expect(aborts.count == 1)
        #expect(aborts.first.map { String($0.dropFirst("ABORT_REQUEST ".count)) } != otherID)
        let (connections, most) = try stats()
        #expect(connections <= 2)
        #expect(most >= 2)
        // The aborted request's id is free again: more requests on the connection go through.
        let after = try curlAll(Array(repeating: [server.url("/app.py")], count: 3))
        #expect(
            after.allSatisfy { $0?.text == "ok\n" },
            "\(after.map { "\($0?.status ?? 0) \($0?.text ?? "-")" }) \(server.errorText)")
    }

    @Test func aClientThatDoesNotReadIsCutOffInsteadOfStallingTheSharedConnection() throws {
        #expect(try curl([server.url("/app.py")]).text == "ok\n")
        // 64 MiB the client never reads: more than the sockets' buffers and the 1 MiB bound.
        let client = try TestClient(port: server.port)
        #expect(client.send("GET /app.py?big=64 HTTP/1.1\r\nHost: x\r\n\r\n"))
        #expect(eventually(within: 10) { log.filter { $0.hasPrefix("BEGIN_REQUEST") }.count == 2 })
        // The shared connection is still read: another request on it goes through.
        let start = Date()
        let other = try curl([server.url("/app.py?sleep=0.2")])
        #expect(other.status == 200)
        #expect(Date().timeIntervalSince(start) < 5)
        #expect(eventually(within: 10) { log.contains { $0.hasPrefix("ABORT_REQUEST") } })
        #expect(eventually(within: 10) { server.errorText.contains("took no output") })
        let (connections, _) = try stats()
        #expect(connections <= 2)
        withExtendedLifetime(client) {}
    }

    @Test func aBrokenSharedConnectionFailsItsRequestsAndThoseWithoutOutputAreSentAgain() throws {
        #expect(try curl([server.url("/app.py")]).text == "ok\n")
        var begun: Int { log.filter { $0.hasPrefix("BEGIN_REQUEST") }.count }
        // A request that has sent output, and two that have not, on the shared connection.
        let hang = try startCurl([server.url("/app.py?hang")])
        #expect(eventually(within: 10) { begun == 2 })
        let sleepers = try (0..<2).map { _ in try startCurl([server.url("/app.py?sleep=1")]) }
        #expect(eventually(within: 10) { begun == 4 })
        // The application closes the connection under all four.
        let died = try curl([server.url("/app.py?die")])
        #expect(died.status == 200)
        #expect(died.text == "revived\n")
        for sleeper in sleepers {
            let result = try parseCurlOutput(sleeper.finish(within: 30).standardOutput)
            #expect(result?.status == 200)
            #expect(result?.text.hasPrefix("slept 1 id ") == true, "\(result?.text ?? "")")
        }
        // The request with output already sent is not sent again: its response breaks off.
        let cut = try hang.finish(within: 30)
        #expect(cut.exitStatus != 0)
        #expect(String(decoding: cut.standardOutput, as: UTF8.self).contains("start\n"))
        // warm-up, hang, two sleepers and die; then the sleepers and die once more.
        #expect(begun == 8, "\(log)")
        #expect(server.errorText.contains("closed the connection before ending the request"))
        #expect(try stats().connections == 3)
    }
}
