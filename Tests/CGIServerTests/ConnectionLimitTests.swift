import Foundation
import TestSupport
import Testing

@Suite("Descriptor exhaustion and the connection limit", .serialized)
struct ConnectionLimitTests {
    /// Connections that the server cannot all accept under `--nofile=128` (it needs a few dozen
    /// descriptors of its own); the rest wait in its listen queue (511).
    static let connectionCount = 300

    @Test func outOfDescriptorsBacksOffLogsAndRecovers() throws {
        let server = try TestServer(
            options: ["--threads", "2", "--request-timeout", "60"], launcher: ["/usr/bin/prlimit", "--nofile=128"])
        var connections = try (0..<Self.connectionCount).map { _ in try RawConnection(port: server.port) }
        #expect(eventually(within: 10) { server.errorText.contains("cannot accept connections: Too many open files") })

        // While the descriptor table stays full, the listeners retry now and then instead of spinning.
        let before = server.cpuSeconds()
        let window = Date().addingTimeInterval(2)
        while Date() < window { usleep(100_000) }
        let used = server.cpuSeconds() - before
        #expect(used >= 0 && used < 0.3, "CPU seconds used in a 2 s window with the descriptor table full: \(used)")
        #expect(server.errorText.components(separatedBy: "cannot accept connections").count - 1 == 1, "one line per 10 s")

        connections.removeAll()
        #expect(eventually(within: 10) { (try? curl([server.url("/hello.txt")]))?.text == "hello\n" })
    }

    @Test func connectionsBeyondTheLimitWaitUntilOneCloses() throws {
        let server = try TestServer(options: ["--max-connections", "3", "--request-timeout", "60"])
        var open = try (0..<3).map { _ in try RawConnection(port: server.port) }
        for connection in open {
            connection.send("GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(connection.readResponses(1).first?.status == 200)
        }
        let waiting = try RawConnection(port: server.port)
        waiting.send("GET /page.html HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(waiting.readAll(idle: 1).isEmpty, "not served while 3 connections are open")
        open.removeFirst()
        #expect(waiting.readResponses(1).first?.text == "<p>page</p>\n")
        #expect(open.count == 2)
    }
}
