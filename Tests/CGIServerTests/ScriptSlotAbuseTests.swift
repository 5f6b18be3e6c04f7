import Foundation
import Testing

/// Bodies of requests that wait for a script slot, and bodies that arrive too slowly: neither
/// may cost the server memory or deny the slots to other requests. One slot, so that one
/// script holds them all.
@Suite("Script slots under abuse", .serialized)
struct ScriptSlotAbuseTests {
    let server: TestServer

    init() throws {
        server = try TestServer(options: [
            "--max-scripts", "1", "--max-body", "\(100 << 20)", "--request-timeout", "2", "--script-timeout", "10",
        ])
    }

    /// The server's resident memory in bytes.
    func residentBytes() throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(server.pid)/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") })
        return try #require(Int(line.split(separator: " ")[1])) * 1024
    }

    @Test func aBodyWaitingForASlotIsNotReadIntoMemory() throws {
        let holder = try TestClient(port: server.port)
        holder.send("GET /cgi-bin/probe.cgi?drip=1 HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(holder.read(until: "part1").contains("part1"), "the slot is taken")
        let before = try residentBytes()
        var pushed: [Int] = []
        var clients: [TestClient] = []
        for _ in 0..<4 {
            let client = try TestClient(port: server.port)
            clients.append(client)
            client.send("POST /cgi-bin/probe.cgi?echo=1 HTTP/1.1\r\nHost: x\r\nContent-Length: \(32 << 20)\r\n\r\n")
            pushed.append(client.push(32 << 20, for: 0.5))
        }
        let growth = try residentBytes() - before
        // Socket buffers take a few MiB each; the server reads no more until its script runs.
        #expect(pushed.allSatisfy { $0 < 16 << 20 }, "bytes taken: \(pushed)")
        #expect(growth < 24 << 20, "the server grew by \(growth) bytes while 4 x 32 MiB waited")
    }

    @Test func continueIsSentOnlyOnceASlotIsFree() throws {
        let holder = try TestClient(port: server.port)
        holder.send("GET /cgi-bin/probe.cgi?drip=1 HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(holder.read(until: "part1").contains("part1"), "the slot is taken")
        let waiting = try TestClient(port: server.port)
        let length = 256 << 10  // larger than what is read before a slot is taken
        waiting.send(
            "POST /cgi-bin/probe.cgi?echo=1 HTTP/1.1\r\nHost: x\r\nContent-Length: \(length)\r\nExpect: 100-continue\r\n\r\n")
        // Nothing may reach the waiting client before the holder's response is complete.
        #expect(holder.read(until: "part2", unless: waiting).contains("part2"), "100 Continue came before the slot was free")
        #expect(waiting.read(until: "\r\n\r\n").hasPrefix("HTTP/1.1 100 Continue\r\n"))
        waiting.send(String(repeating: "b", count: length))
        #expect(waiting.read(until: "sha256=").contains("len=\(length)"))
    }

    /// A small body is read whole before its script starts; a large one (1 MiB) must send its
    /// first 64 KiB first. Either way the trickle holds no slot.
    @Test(arguments: [4000, 1 << 20])
    func aTricklingBodyHoldsNoSlotAndGets408(length: Int) throws {
        let trickler = try TestClient(port: server.port)
        trickler.send("POST /cgi-bin/probe.cgi?echo=1 HTTP/1.1\r\nHost: x\r\nContent-Length: \(length)\r\n\r\n")
        let started = Date()
        let sending = Thread {
            // 20 bytes every 200 ms: 100 bytes/s, below the 500 bytes/s minimum. At most 15 s.
            for _ in 0..<75 {
                guard trickler.send(String(repeating: "t", count: 20)) else { return }
                usleep(200_000)
            }
        }
        sending.start()
        // Meanwhile the only slot serves others.
        let other = try curl([server.url("/cgi-bin/probe.cgi?env=REQUEST_METHOD")])
        #expect(other.text == "GET")
        // ... while the trickle still goes on: the other request did not wait for the 408.
        #expect(trickler.read(until: "HTTP/", within: 0.1).isEmpty, "the other request waited for the trickle's end")
        let answer = trickler.read(until: "\r\n\r\n", within: 15)
        #expect(answer.hasPrefix("HTTP/1.1 408 "), "\(answer.prefix(60))")
        // 2 s of allowance plus 1 s per 500 bytes: the trickle is cut off well before its 4000 bytes.
        #expect(Date().timeIntervalSince(started) < 14)
    }
}
