import Foundation
import TestSupport
import Testing

/// The access log in both formats, parsed back field by field: Combined Log Format with the
/// request id and the duration, and JSON lines with the same fields.
@Suite("Access log", .serialized)
struct AccessLogTests {
    /// A user agent with everything a log line must escape: quotes, a backslash, a tab, bytes
    /// above ASCII.
    static let nastyAgent = "ag\"ent\\ \tx é"

    /// Starts a server logging in `format`, sends a script request and a static one, and returns the lines.
    func lines(format: String) throws -> (lines: [String], ids: [String]) {
        let site = try TestSite()
        let log = site.root.appending(path: "access.log")
        let server = try TestServer(site: site, options: ["--access-log", log.path, "--access-log-format", format])
        let script = try curl(
            ["-s", "-i", "-A", Self.nastyAgent, "-e", "http://ref.test/", server.url("/cgi-bin/probe.cgi?sleep_before=0.2")])
        let id = try #require(script.environment["UNIQUE_ID"])
        _ = try curl(["-s", "-i", server.url("/hello.txt")])
        var text = ""
        _ = eventually(within: 5) {
            text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            return text.split(separator: "\n").count >= 2
        }
        return (text.split(separator: "\n").map(String.init), [id])
    }

    @Test func combinedFormatEndsWithTheIDAndTheDuration() throws {
        let (lines, ids) = try lines(format: "combined")
        #expect(lines.count == 2)
        let pattern =
            #"^(\S+) - - \[([^\]]+)\] "((?:[^"\\]|\\.)*)" (\d{3}) (\d+|-) "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)" (\S+) (\d+)$"#
        let regex = try NSRegularExpression(pattern: pattern)
        var parsed: [[String]] = []
        for line in lines {
            let match = try #require(regex.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)), "\(line)")
            parsed.append((1...9).map { String(line[Range(match.range(at: $0), in: line)!]) })
        }
        let script = parsed[0]
        #expect(script[0] == "127.0.0.1")
        #expect(script[2] == "GET /cgi-bin/probe.cgi?sleep_before=0.2 HTTP/1.1")
        #expect(script[3] == "200")
        #expect(script[5] == "http://ref.test/")
        #expect(script[6] == #"ag\"ent\\ \x09x é"#)
        #expect(script[7] == ids[0])
        #expect(Int(script[8])! >= 200_000, "the script slept 0.2 s: \(script[8]) µs")
        let file = parsed[1]
        #expect(file[2] == "GET /hello.txt HTTP/1.1" && file[3] == "200" && file[4] == "6")
        #expect(file[7] != ids[0] && file[7].hasPrefix(String(ids[0].prefix(8))), "same server tag, another request")
        #expect(Int(file[8])! < Int(script[8])!)
    }

    @Test func jsonLinesCarryTheSameFields() throws {
        let (lines, ids) = try lines(format: "json")
        #expect(lines.count == 2)
        let objects = try lines.map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        let script = objects[0]
        #expect(script["remote_addr"] as? String == "127.0.0.1")
        #expect(script["request"] as? String == "GET /cgi-bin/probe.cgi?sleep_before=0.2 HTTP/1.1")
        #expect(script["status"] as? Int == 200)
        #expect(script["referer"] as? String == "http://ref.test/")
        #expect(script["user_agent"] as? String == Self.nastyAgent)
        #expect(script["request_id"] as? String == ids[0])
        #expect((script["duration_us"] as? Int ?? 0) >= 200_000)
        let time = try #require(script["time"] as? String)
        #expect(time.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"#, options: .regularExpression) != nil)
        let file = objects[1]
        #expect(file["bytes"] as? Int == 6)
        #expect(file["referer"] is NSNull, "a missing header is null")
        #expect(Set(file.keys) == Set(script.keys))
    }

    @Test func anUnknownFormatIsRefused() throws {
        let run = try ChildProcess(TestServer.binary.path, ["--access-log-format", "xml"]).finish(within: 30)
        #expect(run.exitStatus != 0)
        #expect(String(decoding: run.standardError, as: UTF8.self).contains("xml"))
    }
}
