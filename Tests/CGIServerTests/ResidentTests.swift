import Foundation
import TestSupport
import Testing

/// `cgi-server --resident`: the real server running real resident workers. Most tests use the
/// Python FastCGI worker (Tests/Fixtures/fastcgi/worker.py, installed as cgi-bin/pid.py and
/// made resident with `--resident '*.py'`), which answers `VERSION PID`, sleeps on
/// `?sleep=SECONDS` and honours FCGI_MAX_REQUESTS; the edit test uses a `.swift` script.
@Suite struct ResidentTests {
    /// A server whose cgi-bin holds the worker as pid.py, resident, with `options`.
    func serve(_ options: [String] = []) throws -> TestServer {
        let site = try TestSite()
        try site.script("pid.py", contents: String(contentsOfFile: fastCGIFixtures + "/worker.py", encoding: .utf8))
        return try TestServer(site: site, options: ["--resident", "*.py"] + options)
    }

    /// One GET's status and body, or nil when curl got no response.
    func get(_ server: TestServer, _ path: String = "/cgi-bin/pid.py") throws -> HTTPResult {
        try curl([server.url(path)], timeout: 30)
    }

    /// The worker PID in a `1 PID` answer.
    func pid(_ result: HTTPResult) -> pid_t? {
        result.text.split(separator: " ").last.flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// Starts one curl that GETs `url` `count` times over a kept connection and prints each status.
    func load(_ url: String, count: Int) throws -> ChildProcess {
        try ChildProcess(
            "/usr/bin/curl",
            ["-s", "--max-time", "120", "-w", "%{http_code}\n"] + (0..<count).flatMap { _ in [url, "-o", "/dev/null"] })
    }

    /// The statuses a ``load(_:count:)`` run printed, counted.
    func statuses(_ run: ChildProcess) throws -> [String: Int] {
        let output = try run.finish(within: 180).output
        return output.split(separator: "\n").reduce(into: [:]) { $0[String($1), default: 0] += 1 }
    }

    /// The admin listener's `/metrics` lines that start with `name` and hold `labels`, as values.
    func metric(_ server: TestServer, _ name: String, _ labels: String) throws -> [Double] {
        let port = try #require(server.adminPort)
        return try curl(["-s", "http://127.0.0.1:\(port)/metrics"]).text.split(separator: "\n")
            .filter { $0.hasPrefix(name + "{") && $0.contains(labels) }
            .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }
    }

    @Test func thePoolsMetricsCountItsWorkersAndRecycles() throws {
        let server = try serve(["--admin", "127.0.0.1:0", "--max-requests", "3"])
        let pids = try (0..<7).map { _ in try pid(get(server)) }
        #expect(Set(pids).count == 3, "7 requests, a new worker after every 3: \(pids)")
        let pool = #"pool="/cgi-bin/pid.py""#
        #expect(
            eventually(within: 5) {
                (try? metric(server, "cgi_server_pool_workers", pool).count) == 2
                    && (try? metric(server, "cgi_server_pool_workers", #"state="idle""#)) == [1]
                    && (try? metric(server, "cgi_server_pool_workers", #"state="busy""#)) == [0]
            }, "one idle worker, none busy")
        #expect(try metric(server, "cgi_server_pool_worker_recycles_total", pool) == [2])
        #expect(try metric(server, "cgi_server_pool_worker_restarts_total", pool).allSatisfy { $0 == 0 })
        // Counted as the resident responder's, not as an application's of its own.
        #expect(try metric(server, "cgi_server_requests_total", #"responder="resident",status_class="2xx""#) == [7])
        #expect(try metric(server, "cgi_server_requests_total", #"responder="fastcgi-pass""#).allSatisfy { $0 == 0 })
        let status = try curl(["-s", "http://127.0.0.1:\(try #require(server.adminPort))/status?format=json"]).text
        #expect(status.contains("/cgi-bin/pid.py"), "the status lists the pool")
    }

    func isRunning(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
        return !stat.contains(") Z ")
    }

    @Test func workersStartOnDemandAndAreReused() throws {
        let server = try serve()
        #expect(server.children().isEmpty)
        let answers = try (0..<5).map { _ in try get(server) }
        #expect(answers.allSatisfy { $0.status == 200 && $0.text.hasPrefix("1 ") })
        let pids = Set(answers.compactMap(pid))
        #expect(pids.count == 1)
        #expect(server.children().map(\.pid) == Array(pids))
        #expect(server.stop() == 0)
        #expect(pids.allSatisfy { !isRunning($0) })
    }

    @Test func aWorkersConnectionIsKeptForItsNextRequest() throws {
        let server = try serve()
        // One client connection (so one event loop), six requests: the worker accepts once.
        let url = server.url("/cgi-bin/pid.py")
        let run = try curl((0..<5).flatMap { _ in [url, "-o", "/dev/null"] } + [url + "?connections"], timeout: 30)
        #expect(run.status == 200)
        #expect(run.text == "1\n", "connections the worker accepted for 6 requests: \(run.text)")
        // The kept connection does not hold the worker back when it drains.
        let worker = try #require(server.children().first?.pid)
        #expect(server.stop() == 0)
        #expect(!isRunning(worker))
    }

    @Test func aLibraryWorkerKeepsAConnectionPerEventLoop() throws {
        // The CGI library's worker says (GET_VALUES) that it holds many connections at once: it
        // keeps one per event loop, so 8 clients × 10 requests over 4 loops make at most 4.
        let site = try TestSite()
        try site.script(
            "hello.swift",
            contents: """
                import CGI
                CGI.run { _ in Response(contentType: "text/plain", body: "hello\\n") }
                """)
        let server = try TestServer(
            site: site,
            options: [
                "--resident", "*.swift", "--workers", "1", "--threads", "4", "--admin", "127.0.0.1:0", "--swiftc", swiftc,
                "--swift-cache", site.root.appending(path: "cache").path,
            ])
        #expect(try curl([server.url("/cgi-bin/hello.swift")], timeout: 300).status == 200)
        let runs = try (0..<8).map { _ in try load(server.url("/cgi-bin/hello.swift"), count: 10) }
        for run in runs { #expect(try statuses(run) == ["200": 10]) }
        let made = try metric(server, "cgi_server_pool_connections_total", #"pool="/cgi-bin/hello.swift""#)
        #expect(made.count == 1 && made[0] >= 1 && made[0] <= 4, "connections made for 81 requests: \(made)")
    }

    @Test func aWorkerThatReadsOneConnectionAtATimeIsNeverHeldByAKeptOne() throws {
        // The Python worker does not answer GET_VALUES: one kept connection, closed before a
        // request from another event loop connects; nothing waits on it.
        let server = try serve(["--workers", "1", "--threads", "4", "--admin", "127.0.0.1:0"])
        let runs = try (0..<8).map { _ in try load(server.url("/cgi-bin/pid.py"), count: 10) }
        for run in runs { #expect(try statuses(run) == ["200": 10]) }
        let made = try metric(server, "cgi_server_pool_connections_total", #"pool="/cgi-bin/pid.py""#)
        #expect(made.count == 1 && made[0] >= 1 && made[0] <= 80, "connections made for 80 requests: \(made)")
    }

    @Test func workersAreRecycledAfterMaxRequestsWithoutAFailedRequest() throws {
        let server = try serve(["--max-requests", "3"])
        let answers = try (0..<12).map { _ in try get(server) }
        #expect(answers.allSatisfy { $0.status == 200 })
        #expect(Set(answers.compactMap(pid)).count == 4)
    }

    @Test func killingAWorkerUnderLoadFailsNoRequest() throws {
        let server = try serve(["--workers", "2"])
        let first = try #require(pid(try get(server)))
        let runs = try (0..<3).map { _ in try load(server.url("/cgi-bin/pid.py"), count: 300) }
        usleep(200_000)
        kill(first, SIGKILL)
        let counts = try runs.map(statuses)
        for count in counts { #expect(count == ["200": 300]) }
        #expect(!isRunning(first))
    }

    @Test func anEditedSwiftScriptIsServedNewWithoutAFailedRequest() throws {
        let site = try TestSite()
        let script = { (word: String) in
            """
            import CGI
            CGI.run { _ in Response(contentType: "text/plain", body: "\(word)\\n") }
            """
        }
        try site.script("word.swift", contents: script("before"))
        let server = try TestServer(
            site: site,
            options: ["--resident", "*.swift", "--swiftc", swiftc, "--swift-cache", site.root.appending(path: "cache").path])
        #expect(try curl([server.url("/cgi-bin/word.swift")], timeout: 120).text == "before\n")
        let run = try load(server.url("/cgi-bin/word.swift"), count: 400)
        usleep(200_000)
        try site.script("word.swift", contents: script("after"))
        let counts = try statuses(run)
        #expect(counts == ["200": 400])
        #expect(try curl([server.url("/cgi-bin/word.swift")], timeout: 120).text == "after\n")
        #expect(eventually(within: 30) { server.children().count == 1 })
    }

    @Test func aStuckWorkerGets504AndIsKilled() throws {
        let server = try serve(["--script-timeout", "1"])
        let worker = try #require(pid(try get(server)))
        let stuck = try get(server, "/cgi-bin/pid.py?sleep=60")
        #expect(stuck.status == 504)
        #expect(eventually(within: 10) { !isRunning(worker) })
        #expect(try get(server).status == 200)
    }

    @Test func aFullPoolAndQueueGet503WithRetryAfter() throws {
        let server = try serve(["--workers", "1", "--script-queue", "0"])
        #expect(try get(server).status == 200)
        let busy = try startCurl([server.url("/cgi-bin/pid.py?sleep=1")], timeout: 30)
        usleep(300_000)
        let refused = try get(server)
        #expect(refused.status == 503)
        #expect(refused.header("Retry-After") != nil)
        #expect(try busy.finish(within: 60).output.contains("200"))
    }

    @Test func theServerGrowsNoDescriptorsOverManyRequests() throws {
        // One worker, started in the warm-up (it holds three pipes to the server); the
        // concurrent requests queue for it.
        let server = try serve(["--workers", "1"])
        for run in try (0..<2).map({ _ in try load(server.url("/cgi-bin/pid.py"), count: 100) }) {
            #expect(try statuses(run) == ["200": 100])
        }
        #expect(server.children().count == 1)
        let before = server.openDescriptorCount()
        let runs = try (0..<2).map { _ in try load(server.url("/cgi-bin/pid.py"), count: 500) }
        for run in runs { #expect(try statuses(run) == ["200": 500]) }
        #expect(server.openDescriptorCount() <= before)
    }
}
