import Foundation
import TestSupport
import Testing

/// `--admin`: the metrics after a known set of requests, the status page in both formats, and
/// the admin paths never answered on the public port.
@Suite("Admin listener", .serialized)
struct AdminTests {
    let server: TestServer
    let admin: Int

    init() throws {
        server = try TestServer(options: ["--admin", "127.0.0.1:0"])
        admin = try #require(
            server.adminPort, "no admin line in \(String(decoding: server.process.standardOutput, as: UTF8.self))")
    }

    /// `/metrics` as a dictionary from `name{labels}` to value, and the names with a `# HELP` line.
    func metrics() throws -> (values: [String: Double], help: Set<String>) {
        let response = try curl(["-s", "-i", "http://127.0.0.1:\(admin)/metrics"])
        #expect(response.status == 200)
        #expect(response.header("Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
        var values: [String: Double] = [:]
        var help = Set<String>()
        for line in response.text.split(separator: "\n") {
            if line.hasPrefix("# HELP ") {
                help.insert(String(line.dropFirst(7).prefix { $0 != " " }))
            } else if !line.hasPrefix("#"), let space = line.lastIndex(of: " ") {
                values[String(line[..<space])] = Double(line[line.index(after: space)...])
            }
        }
        return (values, help)
    }

    @Test func countersAreExactAfterAKnownSetOfRequests() throws {
        var sent = 0
        func request(_ path: String, _ extra: [String] = [], status: Int) throws -> HTTPResult {
            let response = try curl(["-s", "-i"] + extra + [server.url(path)])
            #expect(response.status == status, "\(path)")
            sent += response.body.count
            return response
        }
        for _ in 0..<3 { _ = try request("/hello.txt", status: 200) }
        _ = try request("/missing.txt", status: 404)
        for _ in 0..<2 { _ = try request("/cgi-bin/hello.sh", status: 200) }
        // It stays alive after its bad head, so the server stops it whatever the machine's load.
        let badGateway = try request(
            "/cgi-bin/probe.cgi?raw=\(base64URL("Status: abc\r\n\r\nx"))&sleep_after=10", status: 502)
        _ = try request("/cgi-bin/no-such-script", status: 404)
        _ = try request("/cgi-bin/probe.cgi?echo=1", ["--data-binary", String(repeating: "b", count: 1000)], status: 200)
        _ = try request("/cgi-bin/probe.cgi?die=11", status: 200)
        _ = try request("/cgi-bin/probe.cgi?sleep_before=3", status: 504)  // the test server's script timeout is 2 s

        var values: [String: Double] = [:]
        // The last response is logged as it ends; its script is reaped a moment later.
        _ = eventually(within: 10) {
            values = (try? metrics().values) ?? [:]
            return values["cgi_server_scripts_running"] == 0
                && values[#"cgi_server_scripts_crashed_total{signal="SIGSEGV"}"#] == 1
        }
        func value(_ key: String) -> Double { values[key] ?? -1 }
        func requests(_ responder: String, _ statusClass: String) -> Double {
            value(#"cgi_server_requests_total{responder="\#(responder)",status_class="\#(statusClass)"}"#)
        }
        #expect(requests("static", "2xx") == 3)
        #expect(requests("static", "4xx") == 1)
        #expect(requests("cgi", "2xx") == 4)
        #expect(requests("cgi", "4xx") == 1)
        #expect(requests("cgi", "5xx") == 2)
        #expect(requests("static", "5xx") == 0)
        #expect(value(#"cgi_server_request_duration_seconds_count{responder="cgi"}"#) == 7)
        #expect(value(#"cgi_server_request_duration_seconds_count{responder="static"}"#) == 4)
        #expect(value(#"cgi_server_request_duration_seconds_bucket{responder="cgi",le="+Inf"}"#) == 7)
        #expect(value(#"cgi_server_request_duration_seconds_bucket{responder="cgi",le="1.0"}"#) == 6, "only the 504 took 2 s")
        #expect(value("cgi_server_request_body_received_bytes_total") == 1000)
        #expect(value("cgi_server_response_body_sent_bytes_total") == Double(sent))
        #expect(value("cgi_server_scripts_started_total") == 6)
        #expect(value("cgi_server_scripts_timed_out_total") == 1)
        // Stopped: the silent one, and the 502's (its response ended at its bad head, not at its exit).
        #expect(value("cgi_server_scripts_stopped_total") == 2)
        #expect(value(#"cgi_server_scripts_crashed_total{signal="SIGSEGV"}"#) == 1)
        #expect(value("cgi_server_script_spawn_duration_seconds_count") == 6)
        #expect(value("cgi_server_scripts_queued") == 0)
        #expect(value("cgi_server_open_connections") == 0)

        let status = try curl(["-s", "-i", "http://127.0.0.1:\(admin)/status?format=json"])
        let json = try #require(JSONSerialization.jsonObject(with: status.body) as? [String: Any])
        #expect(json["requests_total"] as? Int == 11)
        let scripts = try #require(json["scripts"] as? [String: Any])
        #expect(scripts["started"] as? Int == 6)
        #expect((scripts["crashed"] as? [String: Int])?["SIGSEGV"] == 1)
        let errors = try #require(json["recent_errors"] as? [[String: Any]])
        #expect(errors.map { $0["status"] as? Int } == [504, 502], "newest first")
        let reference = try #require(badGateway.text.range(of: #"[0-9a-f]{8}-c\d+-\d+"#, options: .regularExpression))
        #expect(errors.last?["request_id"] as? String == String(badGateway.text[reference]))
        #expect(errors.last?["path"] as? String == "/cgi-bin/probe.cgi", "the query is left out")
    }

    @Test func everyMetricHasHelpAndFollowsTheNamingRules() throws {
        _ = try curl(["-s", server.url("/hello.txt")])
        let (values, help) = try metrics()
        #expect(!values.isEmpty)
        for key in values.keys {
            let name = String(key.prefix { $0 != "{" })
            let family = ["_bucket", "_sum", "_count"].reduce(name) { name, suffix in
                name.hasSuffix(suffix) && help.contains(String(name.dropLast(suffix.count)))
                    ? String(name.dropLast(suffix.count)) : name
            }
            #expect(help.contains(family), "\(family) has no HELP")
            #expect(family.hasPrefix("cgi_server_"))
            #expect(!key.contains("path=") && !key.contains("url="), "no per-URL labels: \(key)")
        }
    }

    @Test func theStatusPageRefreshesItselfAndShowsTheNumbers() throws {
        _ = try curl(["-s", server.url("/hello.txt")])
        let page = try curl(["-s", "-i", "http://127.0.0.1:\(admin)/status"])
        #expect(page.status == 200)
        #expect(page.header("Content-Type") == "text/html; charset=utf-8")
        #expect(page.text.contains(#"<meta http-equiv="refresh""#))
        #expect(page.text.contains("requests/s"))
        #expect(page.text.contains("No resident pools."))
        let missing = try curl(["-s", "-i", "http://127.0.0.1:\(admin)/nothing"])
        #expect(missing.status == 404)
        let post = try curl(["-s", "-i", "-X", "POST", "http://127.0.0.1:\(admin)/metrics"])
        #expect(post.status == 405)
    }

    @Test func theAdminPathsAreNotOnThePublicPort() throws {
        for path in ["/metrics", "/status", "/status?format=json"] {
            let response = try curl(["-s", "-i", server.url(path)])
            #expect(response.status == 404, "\(path)")
            #expect(!response.text.contains("cgi_server_"))
        }
        #expect(admin != server.port)
    }

    @Test func withoutAdminThereIsNoAdminListener() throws {
        let plain = try TestServer()
        #expect(plain.adminPort == nil)
    }

    @Test(arguments: ["127.0.0.1", "localhost:", ":80", "[::1", "127.0.0.1:99999"])
    func aMalformedAdminAddressIsRefused(address: String) throws {
        let run = try ChildProcess(TestServer.binary.path, ["--admin", address]).finish(within: 30)
        #expect(run.exitStatus != 0)
        #expect(run.errors.contains("--admin"))
    }
}
