import Foundation
import TestSupport
import Testing

/// `cgi fastcgi` managing real worker processes (Tests/Fixtures/fastcgi/worker.py) on a real
/// unix socket, driven by a real FastCGI client.
@Suite struct FastCGICommandTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cgi-fastcgi-\(UUID().uuidString)").path
    let worker = fixtures + "/fastcgi/worker.py"

    init() throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    /// The distinct worker process ids in `lines` of `VERSION PID`.
    func pids(_ lines: [String]) -> Set<String> {
        Set(lines.compactMap { $0.split(separator: " ").last.map(String.init) })
    }

    func isRunning(_ pid: String) -> Bool {
        kill(pid_t(pid)!, 0) == 0
    }

    @Test func servesOnASocketOfMode0660AndDrainsOnSIGTERM() throws {
        let manager = try FastCGIManagerProcess(["--workers", "2"], program: worker, folder: folder)
        var info = stat()
        #expect(stat(manager.socketPath, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o660)
        // Each request holds its worker for a moment, so that four at a time need both workers
        // (quick ones could all be answered by whichever worker the system runs first).
        let lines = try fastCGIRequests(manager.socketPath, count: 8, concurrency: 4, query: "sleep=0.3")
        #expect(lines.count == 8)
        #expect(lines.allSatisfy { $0.hasPrefix("1 ") })
        let workers = pids(lines)
        #expect(workers.count == 2)
        #expect(manager.stop() == 0)
        #expect(!FileManager.default.fileExists(atPath: manager.socketPath))
        #expect(workers.allSatisfy { !isRunning($0) })
    }

    @Test func takesTheSocketModeGiven() throws {
        let manager = try FastCGIManagerProcess(["--workers", "1", "--socket-mode", "0600"], program: worker, folder: folder)
        var info = stat()
        #expect(stat(manager.socketPath, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
        #expect(manager.stop() == 0)
    }

    @Test func restartsAWorkerThatIsKilled() throws {
        let manager = try FastCGIManagerProcess(["--workers", "1"], program: worker, folder: folder)
        let before = try #require(pids(try fastCGIRequests(manager.socketPath, count: 1)).first)
        kill(pid_t(before)!, SIGKILL)
        #expect(manager.waitForError("worker \(before) ended: killed by signal 9") != nil)
        let after = try fastCGIRequests(manager.socketPath, count: 5)
        #expect(after.count == 5 && after.allSatisfy { $0.hasPrefix("1 ") })
        #expect(!pids(after).contains(before))
        #expect(manager.stop() == 0)
    }

    @Test func restartsAWorkerThatExits() throws {
        let manager = try FastCGIManagerProcess(["--workers", "1"], program: worker, folder: folder)
        let failed = try fastCGIRequests(manager.socketPath, count: 1, query: "exit")
        #expect(failed.first?.hasPrefix("error:") == true)
        #expect(manager.waitForError("ended: exit code 3") != nil)
        let after = try fastCGIRequests(manager.socketPath, count: 3)
        #expect(after.count == 3 && after.allSatisfy { $0.hasPrefix("1 ") })
        #expect(manager.stop() == 0)
    }

    @Test func backsOffWhenWorkersDieStraightAfterStarting() throws {
        let manager = try FastCGIManagerProcess(["--workers", "1"], program: "/bin/false", folder: folder)
        let first = try #require(manager.waitForError("next start in 0.1 seconds"))
        let second = try #require(manager.waitForError("next start in 0.2 seconds", after: first))
        #expect(manager.waitForError("next start in 0.4 seconds", after: second) != nil)
        #expect(manager.stop() == 0)
    }

    @Test func recyclesWorkersAfterMaxRequestsWithoutDroppingOne() throws {
        let manager = try FastCGIManagerProcess(["--workers", "2", "--max-requests", "5"], program: worker, folder: folder)
        let lines = try fastCGIRequests(manager.socketPath, count: 100, concurrency: 4)
        #expect(lines.count == 100)
        #expect(lines.filter { $0.hasPrefix("error") } == [])
        #expect(pids(lines).count >= 20)
        #expect(manager.stop() == 0)
    }

    @Test func killsAWorkerWhoseRequestRunsPastTheTimeout() throws {
        let manager = try FastCGIManagerProcess(["--workers", "1", "--request-timeout", "0.5"], program: worker, folder: folder)
        let stuck = try fastCGIRequests(manager.socketPath, count: 1, query: "sleep=60")
        #expect(stuck.first?.hasPrefix("error:") == true)
        #expect(manager.waitForError("request still running after 0.5 seconds; killing it") != nil)
        let after = try fastCGIRequests(manager.socketPath, count: 2)
        #expect(after.count == 2 && after.allSatisfy { $0.hasPrefix("1 ") })
        #expect(manager.stop() == 0)
    }

    /// A Swift program on `CGI.run` (Tests/Fixtures/FastCGIFixture, answering `process PID
    /// request N`) follows the manager's conventions: it exits after `FCGI_MAX_REQUESTS`
    /// requests, and its status bytes tell the manager when a request runs too long.
    @Test func aSwiftWorkerIsRecycledAfterMaxRequestsAndKilledPastTheTimeout() throws {
        let program = productsDirectory.appendingPathComponent("FastCGIFixture").path
        let manager = try FastCGIManagerProcess(
            ["--workers", "1", "--max-requests", "3", "--request-timeout", "5"], program: program, folder: folder)
        let lines = try fastCGIRequests(manager.socketPath, count: 9)
        #expect(lines.count == 9)
        #expect(lines.filter { !$0.hasPrefix("process ") } == [])
        let served = lines.map { $0.split(separator: " ") }
        #expect(Set(served.map { $0[1] }).count >= 3, "\(lines)")
        #expect(served.allSatisfy { Int($0[3]).map { $0 <= 3 } == true }, "\(lines)")
        let stuck = try fastCGIRequests(manager.socketPath, count: 1, query: "action=sleep&seconds=20")
        #expect(stuck.first?.hasPrefix("error:") == true, "\(stuck)")
        #expect(manager.waitForError("request still running after 5.0 seconds; killing it") != nil)
        let after = try fastCGIRequests(manager.socketPath, count: 2)
        #expect(after.count == 2 && after.allSatisfy { $0.hasPrefix("process ") })
        #expect(manager.stop() == 0)
    }

    @Test func sigtermLetsTheRequestInProgressFinish() throws {
        let manager = try FastCGIManagerProcess(["--workers", "1"], program: worker, folder: folder)
        let client = try FastCGIClientRun(socket: manager.socketPath, count: 1, concurrency: 1, query: "sleep=1")
        #expect(manager.waitForError("sleeping") != nil)
        manager.signal(SIGTERM)
        let lines = client.remainingLines()
        #expect(lines.count == 1 && lines.allSatisfy { $0.hasPrefix("1 ") })
        manager.process.waitUntilExit()
        #expect(manager.process.terminationStatus == 0)
    }

    @Test func sighupReplacesTheWorkersWithTheEditedProgramAndFailsNoRequest() throws {
        let program = folder + "/worker"
        let source = try String(contentsOfFile: worker, encoding: .utf8)
        try source.write(toFile: program, atomically: true, encoding: .utf8)
        chmod(program, 0o755)
        let manager = try FastCGIManagerProcess(["--workers", "2"], program: program, folder: folder)
        let client = try FastCGIClientRun(socket: manager.socketPath, count: 300, concurrency: 4, query: "sleep=0.01")
        let first = client.firstLine()
        try source.replacingOccurrences(of: "VERSION = \"1\"", with: "VERSION = \"2\"")
            .write(toFile: program, atomically: true, encoding: .utf8)
        chmod(program, 0o755)
        manager.signal(SIGHUP)
        let lines = [first] + client.remainingLines()
        #expect(lines.count == 300)
        #expect(lines.filter { $0.hasPrefix("error") } == [])
        #expect(first.hasPrefix("1 "))
        #expect(lines.contains { $0.hasPrefix("2 ") })
        #expect(manager.waitForError("SIGHUP: started 2 new workers; draining 2 old ones") != nil)
        let after = try fastCGIRequests(manager.socketPath, count: 10, concurrency: 2)
        #expect(after.allSatisfy { $0.hasPrefix("2 ") })
        #expect(manager.stop() == 0)
    }
}
