import Foundation
import TestSupport
import Testing

@Suite("CGI processes", .serialized)
struct CGIProcessTests {
    @Test func silentScriptGets504AndItsGroupIsKilled() throws {
        let server = try TestServer()
        // curl gives up after 30 s and the script would sleep 300 s: only the server's 2 s
        // script timeout can answer 504 in between.
        let response = try curl([server.url("/cgi-bin/probe.cgi?sleep_before=300")])
        #expect(response.status == 504)
        let pids = server.site.recordedPids()
        #expect(pids.count == 1)
        #expect(eventually { pids.allSatisfy { ProcessSweep.isGone($0) } })
        #expect(eventually { server.children().isEmpty })
    }

    @Test func scriptIgnoringSigtermIsKilled() throws {
        let server = try TestServer()
        let response = try curl([server.url("/cgi-bin/probe.cgi?sleep_before=300&ignore_term=1")])
        #expect(response.status == 504)
        let pids = server.site.recordedPids()
        #expect(eventually { pids.allSatisfy { ProcessSweep.isGone($0) } })
        #expect(eventually { server.children().isEmpty })
    }

    @Test func grandchildHoldingStdoutDoesNotHangTheResponse() throws {
        let server = try TestServer()
        let response = try curl([server.url("/cgi-bin/probe.cgi?grandchild=1")], timeout: 120)
        #expect(response.status == 200)
        #expect(response.text == "started\n")
        #expect(response.curlStatus == 0, "the response ended, without waiting for the grandchild's 300 s")
        let grandchild = try Int32(String(contentsOf: server.site.state.appending(path: "grandchild"), encoding: .utf8)) ?? 0
        #expect(grandchild > 0)
        #expect(eventually { ProcessSweep.isGone(grandchild) })
    }

    @Test func clientDisconnectKillsTheScript() throws {
        let server = try TestServer(options: ["--script-timeout", "600"])
        let client = try startCurl([server.url("/cgi-bin/probe.cgi?sleep_before=600")])
        #expect(eventually { server.site.recordedPids().count == 1 }, "the script runs")
        client.signal(SIGKILL)
        try client.waitForExit()
        let pids = server.site.recordedPids()
        #expect(pids.count == 1)
        // The script would sleep 600 s, and the server would let it: only the disconnect ends it sooner.
        #expect(eventually(within: 120) { pids.allSatisfy { ProcessSweep.isGone($0) } })
        #expect(eventually { server.children().isEmpty })
    }

    @Test func noZombiesAndNoLeakedDescriptorsAfterManyRequests() throws {
        let server = try TestServer()
        _ = try curl([server.url("/cgi-bin/hello.sh")])
        let descriptorsBefore = server.openDescriptorCount()
        for _ in 0..<150 {
            #expect(try curl([server.url("/cgi-bin/hello.sh")]).text == "hello\n")
        }
        let group = DispatchGroup()
        for index in 0..<30 {
            DispatchQueue.global().async(group: group) {
                let query =
                    index % 3 == 0
                    ? "probe.cgi?raw=\(base64URL("Status: bad\r\n\r\n"))" : index % 3 == 1 ? "hello.sh" : "probe.cgi?big=100000"
                _ = try? curl([server.url("/cgi-bin/\(query)")])
            }
        }
        #expect(group.wait(timeout: .now() + 300) == .success)
        for _ in 0..<5 { _ = try? curl(["--max-time", "0.3", server.url("/cgi-bin/probe.cgi?sleep_before=5")]) }
        #expect(eventually { server.children().isEmpty }, "children left: \(server.children())")
        #expect(
            eventually { server.openDescriptorCount() <= descriptorsBefore + 2 },
            "descriptors \(descriptorsBefore) → \(server.openDescriptorCount())")
    }

    /// The server's own threads block SIGTERM, SIGINT, SIGHUP and SIGCHLD and nothing else, whatever mask
    /// it was started with (``TestServer`` starts it with every signal blocked). So a
    /// script's exit wakes no idle thread (under load, about one context switch per request before;
    /// `Benchmarks/PEERS.md`). Scripts still start with an empty mask:
    /// ``CGIEnvironmentTests/signalsAreResetInTheScript()``; SIGTERM and SIGINT still stop the
    /// server: ``HTTPProtocolTests/signalsExitCleanly(signal:)``; SIGHUP reopens the logs:
    /// ``LogReopenTests/sighupReopensBothLogsAndRequestsInFlightFinish()``.
    @Test func serverThreadsBlockOnlyShutdownAndChildExitSignals() throws {
        let server = try TestServer()
        #expect(try curl([server.url("/cgi-bin/hello.sh")]).text == "hello\n")
        let own = server.blockedSignalMasks().filter { ["cgi-server", "NIO-ELT", "TP-"].contains(where: $0.thread.hasPrefix) }
        let expected = [SIGTERM, SIGINT, SIGHUP, SIGCHLD].reduce(UInt64(0)) { $0 | 1 << ($1 - 1) }
        #expect(own.count >= 4)
        for (thread, mask) in own {
            #expect(mask == expected, "\(thread) blocks \(String(mask, radix: 16))")
        }
    }

    @Test func concurrencyIsCappedAndExcessGets503() throws {
        let server = try TestServer(options: ["--max-scripts", "2", "--script-queue", "2"])
        let peak = LockedText()
        let watching = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            var most = 0
            while watching.wait(timeout: .now() + 0.05) == .timedOut {
                most = max(most, server.children().count)
            }
            peak.append(Data("\(most)".utf8))
        }
        let responses = try curlAll(Array(repeating: [server.url("/cgi-bin/probe.cgi?sleep_before=1")], count: 6))
        watching.signal()
        let codes = responses.map { $0?.status ?? 0 }
        #expect(codes.filter { $0 == 200 }.count == 4, "\(codes)")
        #expect(codes.filter { $0 == 503 }.count == 2, "\(codes)")
        #expect(responses.contains { $0?.header("Retry-After") == "1" })
        #expect(eventually { !peak.text.isEmpty })
        #expect(Int(peak.text) ?? 99 <= 2)
    }

    @Test func sigtermLetsARequestInFlightFinish() throws {
        let server = try TestServer(options: ["--script-timeout", "5"])
        let result = LockedText()
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) {
            let response = try? curl([server.url("/cgi-bin/probe.cgi?drip=2")])
            result.append(response?.body ?? Data())
        }
        #expect(eventually { !server.site.recordedPids().isEmpty }, "the script is running")
        server.process.signal(SIGTERM)
        #expect(group.wait(timeout: .now() + 120) == .success)
        #expect(try server.process.waitForExit() == .exited(0))
        #expect(result.text == "part1part2")
    }

    @Test func clientRedirectEndsItsResponseOnce() throws {
        let site = try TestSite()
        let logPath = site.root.appending(path: "access.log").path
        let server = try TestServer(site: site, options: ["--access-log", logPath])
        // Two requests on one keep-alive connection: the redirect, then a plain script.
        let curl = try runProcess(
            "/usr/bin/curl",
            [
                "-s", "--max-time", "30", "-o", "/dev/null", "-o", "/dev/null", "-w", "%{http_code} %{num_connects}\n",
                server.url("/cgi-bin/probe.cgi?loc=http://x.test/"), server.url("/cgi-bin/hello.sh"),
            ])
        #expect(curl.termination == .exited(0))
        #expect(curl.output == "302 1\n200 0\n", "the second request reuses the connection")
        // Once the server has reaped both scripts, every exchange is over; stopping the server
        // then writes out every log line it still holds.
        #expect(eventually { server.children().isEmpty })
        #expect(server.stop() == 0)
        let lines = ((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "").split(separator: "\n")
        #expect(lines.count == 2, "one access-log line per response: \(lines)")
        #expect(lines.first?.contains("\" 302 ") == true)
    }

    @Test func accessLogHasCombinedFormatLines() throws {
        let site = try TestSite()
        let logPath = site.root.appending(path: "access.log").path
        let server = try TestServer(site: site, options: ["--access-log", logPath])
        _ = try curl(["-A", "tester \"x\"", "-e", "http://ref/", server.url("/cgi-bin/hello.sh?q=1")])
        var log = ""
        #expect(
            eventually {
                log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
                return log.hasSuffix("\n")
            })
        let pattern =
            #/^127\.0\.0\.1 - - \[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d \+0000\] "GET /cgi-bin/hello.sh\?q=1 HTTP/1\.1" 200 6 "http://ref/" "tester \\"x\\"" [0-9a-f]{8}-c\d+-\d+ \d+\n$/#
        #expect(log.wholeMatch(of: pattern) != nil, "\(log)")
    }
}
