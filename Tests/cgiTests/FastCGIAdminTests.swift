import Foundation
import TestSupport
import Testing

/// `cgi fastcgi --admin`: the pool's figures after a known set of FastCGI requests to real
/// FastCGIFixture workers on a real unix socket, read from the real admin listener on
/// 127.0.0.1 in its three forms (`/metrics`, `/status?format=json`, `/status`).
@Suite("cgi fastcgi --admin", .serialized)
struct FastCGIAdminTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cgi-fastcgi-admin-\(UUID().uuidString)").path
    let program = productsDirectory.appendingPathComponent("FastCGIFixture").path

    init() throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    /// Starts the manager with `--admin 127.0.0.1:0` and returns it with the admin URL it printed.
    func start(_ options: [String]) throws -> (FastCGIManagerProcess, String) {
        let manager = try FastCGIManagerProcess(["--admin", "127.0.0.1:0"] + options, program: program, folder: folder)
        let line = try #require(manager.outputLine(containing: "admin listening on "))
        let url = String(line.dropFirst("admin listening on ".count))
        #expect(url.hasPrefix("http://127.0.0.1:") && url.hasSuffix("/"), "\(line)")
        return (manager, String(url.dropLast()))
    }

    /// `/metrics`, once `condition` holds of its values (the status pipes are read every 0.1 s).
    func metrics(
        _ admin: String, when condition: ([String: Double]) -> Bool
    ) throws -> (values: [String: Double], help: Set<String>, types: [String: String]) {
        var latest = try adminGet(admin + "/metrics").metrics
        _ = try eventually(within: 10) {
            latest = try adminGet(admin + "/metrics").metrics
            return condition(latest.values)
        }
        return latest
    }

    /// The parent process id of `pid`, from /proc/PID/stat.
    func parent(of pid: Int) -> Int? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        return Int(stat[stat.index(close, offsetBy: 2)...].split(separator: " ")[1])
    }

    @Test func countsExactlyTheRequestsSentInEveryForm() throws {
        let (manager, admin) = try start(["--workers", "2"])
        let before = try metrics(admin) { $0[#"cgi_fastcgi_processes{state="idle"}"#] == 2 }
        #expect(before.values["cgi_fastcgi_accepted_requests_total"] == 0)

        // One at a time, so that never both workers are busy: max children is never reached.
        let lines = try fastCGIRequests(manager.socketPath, count: 9)
        #expect(lines.count == 9 && lines.allSatisfy { $0.hasPrefix("process ") }, "\(lines)")
        let served = Set(lines.map { Int($0.split(separator: " ")[1])! })

        // The client has its answer a moment before the worker writes its `E`: wait for both.
        let (values, help, types) = try metrics(admin) {
            $0["cgi_fastcgi_accepted_requests_total"] == 9 && $0[#"cgi_fastcgi_processes{state="idle"}"#] == 2
        }
        #expect(values["cgi_fastcgi_accepted_requests_total"] == 9)
        #expect(values["cgi_fastcgi_max_children_reached_total"] == 0)
        #expect(values["cgi_fastcgi_max_children"] == 2)
        #expect(values[#"cgi_fastcgi_processes{state="idle"}"#] == 2)
        #expect(values[#"cgi_fastcgi_processes{state="busy"}"#] == 0)
        #expect(values[#"cgi_fastcgi_processes{state="draining"}"#] == 0)
        #expect(values["cgi_fastcgi_listen_queue"] == 0)
        #expect((values["cgi_fastcgi_listen_queue_length"] ?? 0) > 0, "the backlog, from sock_diag")
        #expect(
            values[#"cgi_fastcgi_worker_requests{slot="0"}"#].map { $0 + values[#"cgi_fastcgi_worker_requests{slot="1"}"#]! } == 9
        )
        for slot in ["0", "1"] {
            #expect((values[#"cgi_fastcgi_worker_resident_memory_bytes{slot="\#(slot)"}"#] ?? 0) > 100_000)
            #expect(values[#"cgi_fastcgi_worker_busy{slot="\#(slot)"}"#] == 0)
            #expect((values[#"cgi_fastcgi_worker_start_time_seconds{slot="\#(slot)"}"#] ?? 0) > 1_600_000_000)
        }
        #expect(!values.keys.contains { $0.contains(#"slot="2""#) })
        // Every series has its help line; counters, and only counters, end in _total.
        for name in Set(values.keys.map { String($0.prefix { $0 != "{" }) }) {
            #expect(help.contains(name), "\(name) has no # HELP")
            #expect((types[name] == "counter") == name.hasSuffix("_total"), "\(name): \(types[name] ?? "no type")")
        }

        let answer = try adminGet(admin + "/status?format=json")
        #expect(answer.status == 200 && answer.contentType == "application/json")
        let status = answer.json
        #expect(status["accepted_requests"] as? Int == 9)
        #expect(status["total_processes"] as? Int == 2)
        #expect(status["idle_processes"] as? Int == 2)
        #expect(status["active_processes"] as? Int == 0)
        #expect(status["max_children"] as? Int == 2)
        #expect(status["max_children_reached"] as? Int == 0)
        #expect(status["listen_queue"] as? Int == 0)
        #expect(status["listen"] as? String == "unix:" + manager.socketPath)
        let workers = try #require(status["workers"] as? [[String: Any]], "\(answer.body)")
        #expect(workers.count == 2)
        let pids = Set(workers.compactMap { $0["pid"] as? Int })
        #expect(pids.count == 2)
        #expect(served.isSubset(of: pids), "the pids that answered, \(served), are the pool's, \(pids)")
        #expect(pids.allSatisfy { parent(of: $0) == Int(manager.process.processIdentifier) })
        #expect(workers.reduce(0) { $0 + ($1["requests"] as? Int ?? 0) } == 9)
        #expect(Set(workers.compactMap { $0["slot"] as? Int }) == [0, 1])
        #expect(workers.allSatisfy { ($0["rss_bytes"] as? Int ?? 0) > 100_000 })
        #expect(workers.allSatisfy { $0["state"] as? String == "idle" })
        #expect(workers.allSatisfy { ($0["start_time"] as? Double ?? 0) > 1_600_000_000 })
        #expect(workers.filter { ($0["requests"] as? Int ?? 0) > 0 }.allSatisfy { $0["request_duration_seconds"] is Double })

        let page = try adminGet(admin + "/status")
        #expect(page.status == 200 && page.contentType == "text/html; charset=utf-8")
        #expect(page.body.hasPrefix("<!DOCTYPE html>"))
        #expect(page.body.contains(#"<meta http-equiv="refresh""#))
        #expect(pids.allSatisfy { page.body.contains("<td>\($0)</td>") })
        #expect(page.body.contains(#"<div class="value">9</div><div class="label">accepted requests</div>"#))

        for path in ["/nothing", "/metrics/x", "/status.json"] {
            let missing = try adminGet(admin + path)
            #expect(missing.status == 404, "\(path)")
            #expect(!missing.body.contains("cgi_fastcgi_"))
        }
        #expect(try adminGet(admin + "/metrics", method: "POST").status == 405)
        #expect(manager.stop() == 0)
    }

    /// The JSON status, once `condition` holds of it (or after 10 s).
    func status(_ admin: String, when condition: ([String: Any]) -> Bool) throws -> [String: Any] {
        var status: [String: Any] = [:]
        _ = try eventually(within: 10) {
            status = try adminGet(admin + "/status?format=json").json
            return condition(status)
        }
        return status
    }

    @Test func maxChildrenReachedMovesWhenThreeRequestsAreHeldOnTwoWorkers() throws {
        let (manager, admin) = try start(["--workers", "2"])
        _ = try metrics(admin) { $0[#"cgi_fastcgi_processes{state="idle"}"#] == 2 }
        // One slow request, then another once the first is in its handler (which accepts
        // nothing meanwhile), so that each worker holds one; then a third, which no worker can
        // accept: it waits in the socket's accept queue.
        let first = try FastCGIClientRun(socket: manager.socketPath, count: 1, concurrency: 1, query: "action=sleep&seconds=5")
        var status = try self.status(admin) { $0["active_processes"] as? Int == 1 }
        #expect(status["active_processes"] as? Int == 1, "\(status)")
        #expect(status["max_children_reached"] as? Int == 0)
        let second = try FastCGIClientRun(socket: manager.socketPath, count: 1, concurrency: 1, query: "action=sleep&seconds=5")
        status = try self.status(admin) { $0["active_processes"] as? Int == 2 }
        #expect(status["active_processes"] as? Int == 2, "\(status)")
        let third = try FastCGIClientRun(socket: manager.socketPath, count: 1, concurrency: 1)
        status = try self.status(admin) { $0["listen_queue"] as? Int == 1 }
        #expect(status["listen_queue"] as? Int == 1, "\(status)")
        #expect(status["idle_processes"] as? Int == 0)
        #expect(status["active_processes"] as? Int == 2)
        #expect(status["max_children_reached"] as? Int == 1, "the read that saw the second request begin")
        #expect(status["max_listen_queue"] as? Int == 1)
        #expect(status["accepted_requests"] as? Int == 2)
        let workers = status["workers"] as? [[String: Any]] ?? []
        #expect(workers.count == 2 && workers.allSatisfy { $0["state"] as? String == "busy" }, "\(workers)")
        #expect(workers.allSatisfy { ($0["request_duration_seconds"] as? Double ?? 0) > 0 }, "\(workers)")
        let values = try adminGet(admin + "/metrics").metrics.values
        #expect(values["cgi_fastcgi_max_children_reached_total"] == 1)
        #expect(values["cgi_fastcgi_listen_queue"] == 1)
        #expect(values["cgi_fastcgi_listen_queue_max"] == 1)
        #expect(values[#"cgi_fastcgi_processes{state="busy"}"#] == 2)
        #expect(values[#"cgi_fastcgi_processes{state="idle"}"#] == 0)
        #expect(values[#"cgi_fastcgi_worker_busy{slot="0"}"#] == 1 && values[#"cgi_fastcgi_worker_busy{slot="1"}"#] == 1)

        #expect(first.remainingLines() == ["slept"])
        #expect(second.remainingLines() == ["slept"])
        #expect(third.remainingLines().first?.hasPrefix("process ") == true)
        let after = try metrics(admin) {
            $0["cgi_fastcgi_accepted_requests_total"] == 3 && $0[#"cgi_fastcgi_processes{state="idle"}"#] == 2
        }.values
        #expect(after["cgi_fastcgi_accepted_requests_total"] == 3)
        #expect(after["cgi_fastcgi_listen_queue"] == 0)
        #expect((after["cgi_fastcgi_max_children_reached_total"] ?? 0) >= 1)
        // The worker that did not take the third request took its 5 s (at the 0.1 s resolution of the status reads).
        let durations = ["0", "1"].compactMap { after[#"cgi_fastcgi_worker_request_duration_seconds{slot="\#($0)"}"#] }
        #expect(durations.count == 2 && durations.max().map { $0 >= 4.8 && $0 < 6.5 } == true, "\(durations)")
        #expect(manager.stop() == 0)
    }

    @Test func countsTheRequestsOfRecycledWorkersAndKeepsTheSlotsToThePoolSize() throws {
        let (manager, admin) = try start(["--workers", "2", "--max-requests", "2"])
        let lines = try fastCGIRequests(manager.socketPath, count: 11)
        #expect(lines.count == 11 && lines.allSatisfy { $0.hasPrefix("process ") }, "\(lines)")
        #expect(Set(lines.map { $0.split(separator: " ")[1] }).count >= 6)
        let values = try metrics(admin) {
            $0["cgi_fastcgi_accepted_requests_total"] == 11 && $0[#"cgi_fastcgi_processes{state="idle"}"#] == 2
        }.values
        #expect(values["cgi_fastcgi_accepted_requests_total"] == 11)
        #expect(values[#"cgi_fastcgi_processes{state="draining"}"#] == 0)
        let slots = Set(
            values.keys.compactMap { key in key.firstRange(of: #"slot=""#).map { key[$0.upperBound...].prefix { $0 != "\"" } } })
        #expect(slots == ["0", "1"])
        let status = try adminGet(admin + "/status?format=json").json
        let workers = status["workers"] as? [[String: Any]] ?? []
        #expect(Set(workers.compactMap { $0["slot"] as? Int }) == [0, 1], "\(workers)")
        #expect(manager.stop() == 0)
    }

    @Test func aMalformedAdminAddressIsRefusedWithAMessage() throws {
        for (address, message) in [
            ("127.0.0.1", "expected HOST:PORT"), ("127.0.0.1:70000", "the port must be a number from 0 to 65535"),
            (":9000", "no host"), ("::1:9000", "an IPv6 address goes in brackets"),
        ] {
            let run = try runProcess(
                cgiTool.path, ["fastcgi", "--listen", "unix:\(folder)/s.sock", "--admin", address, program], within: 30)
            #expect(run.exitStatus != 0, "\(address)")
            #expect(run.errors.contains("--admin \(address): \(message)"), "\(run.errors)")
        }
    }

    @Test func anAdminAddressInUseStopsTheManagerWithAMessage() throws {
        let taken = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(taken) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(taken, pointer, length) == 0 && listen(taken, 1) == 0 && getsockname(taken, pointer, &length) == 0
            }
        }
        let port = UInt16(bigEndian: address.sin_port)
        let run = try runProcess(
            cgiTool.path, ["fastcgi", "--listen", "unix:\(folder)/s.sock", "--admin", "127.0.0.1:\(port)", program],
            within: 30)
        #expect(run.exitStatus == 1)
        #expect(run.errors.contains("--admin 127.0.0.1:\(port): cannot listen:"), "\(run.errors)")
        #expect(!FileManager.default.fileExists(atPath: "\(folder)/s.sock"))
    }
}
