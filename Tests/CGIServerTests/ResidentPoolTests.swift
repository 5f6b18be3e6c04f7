import CGIGateway
import Foundation
import Logging
import NIOCore
import NIOPosix
import TestSupport
import Testing

@testable import CGIServer

/// The server's resident worker pools on their own: real worker processes
/// (Tests/Fixtures/fastcgi/worker.py, which answers `VERSION PID`) on real unix sockets in the
/// pool's private folder, driven by the real test FastCGI client.
@Suite struct ResidentPoolTests {
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let folder: SocketFolder
    let worker = fastCGIFixtures + "/worker.py"

    init() throws {
        folder = try SocketFolder()
    }

    func pool(
        workers: Int = 2, maxRequests: Int? = nil, requestTimeout: Duration? = nil, idleTimeout: Duration = .seconds(10),
        maxQueued: Int = 8
    ) -> ResidentPool {
        let settings = PoolSettings(
            workers: workers, maxRequests: maxRequests, requestTimeout: requestTimeout, arguments: [],
            environment: ["PATH": "/usr/local/bin:/usr/bin:/bin"], workingDirectory: fastCGIFixtures)
        return ResidentPool(
            script: "worker.py",
            settings: .init(
                pool: settings, idleTimeout: idleTimeout, maxQueued: maxQueued, queueTimeout: .milliseconds(300)),
            folder: folder, index: 1, loop: group.next(), logger: Logger(label: "resident-pool-tests"),
            metrics: PoolMetrics(pool: "worker.py", metrics: .disabled))
    }

    /// Leases a worker, sends one request to it, hands it back as completed (or broken, when the
    /// client could not get an answer), and returns the client's line.
    func request(_ pool: ResidentPool, executable: String? = nil, query: String = "") throws -> String {
        let lease = try pool.lease(executable: executable ?? worker, on: group.next()).wait()
        let line = try fastCGIRequests(lease.socketPath, count: 1, query: query).first ?? "error: no line"
        pool.release(lease, outcome: line.hasPrefix("error") ? .broken : .completed)
        return line
    }

    func isRunning(_ pid: pid_t) -> Bool { kill(pid, 0) == 0 }

    func stop(_ pool: ResidentPool) throws {
        try pool.stop(grace: .seconds(10)).wait()
        try group.syncShutdownGracefully()
        folder.remove()
    }

    @Test func startsNoWorkerBeforeTheFirstRequestThenReusesOne() throws {
        let pool = pool()
        #expect(pool.workerPIDs.isEmpty)
        let lines = try (0..<5).map { _ in try request(pool) }
        #expect(Set(lines).count == 1)
        #expect(lines[0].hasPrefix("1 "))
        #expect(pool.workerPIDs.count == 1)
        #expect(pool.workerPIDs.map { "1 \($0)" } == [lines[0]])
        let pids = pool.workerPIDs
        try stop(pool)
        #expect(pids.allSatisfy { !isRunning($0) })
        #expect(!FileManager.default.fileExists(atPath: folder.path))
    }

    @Test func recyclesAfterMaxRequestsWithoutAFailedRequest() throws {
        let pool = pool(maxRequests: 2)
        let lines = try (0..<6).map { _ in try request(pool) }
        #expect(lines.allSatisfy { $0.hasPrefix("1 ") })
        #expect(Set(lines).count == 3)
        try stop(pool)
    }

    @Test func aKilledWorkerIsReplacedOnTheNextLease() throws {
        let pool = pool()
        let first = try request(pool)
        let pid = try #require(pool.workerPIDs.first)
        kill(pid, SIGKILL)
        #expect(eventually { !pool.workerPIDs.contains(pid) })
        let second = try request(pool)
        #expect(second.hasPrefix("1 "))
        #expect(second != first)
        try stop(pool)
    }

    @Test func aBrokenWorkerIsKilledAndTheRetryGetsAnother() throws {
        let pool = pool()
        _ = try request(pool)
        let pid = try #require(pool.workerPIDs.first)
        // A request whose connection failed: the worker is killed, the retry gets another.
        let lease = try pool.lease(executable: worker, on: group.next()).wait()
        #expect(lease.pid == pid)
        pool.release(lease, outcome: .broken)
        #expect(eventually { !pool.workerPIDs.contains(pid) })
        let retried = try request(pool)
        #expect(retried.hasPrefix("1 ") && retried != "1 \(pid)")
        try stop(pool)
    }

    @Test func anotherExecutableStartsANewGenerationAndTheOldOneDrains() throws {
        let scripts = try TemporaryDirectory()
        let source = try String(contentsOfFile: worker, encoding: .utf8)
        let edited = scripts.path + "/worker-2.py"
        try source.replacingOccurrences(of: "VERSION = \"1\"", with: "VERSION = \"2\"").write(
            toFile: edited, atomically: true, encoding: .utf8)
        chmod(edited, 0o755)
        let pool = pool()
        let old = try request(pool)
        #expect(old.hasPrefix("1 "))
        let new = try request(pool, executable: edited)
        #expect(new.hasPrefix("2 "))
        let oldPID = pid_t(old.split(separator: " ")[1])!
        #expect(eventually { !pool.workerPIDs.contains(oldPID) })
        #expect(try request(pool, executable: edited) == new)
        try stop(pool)
    }

    @Test func aFullQueueIsRefused() throws {
        let pool = pool(workers: 1, maxQueued: 0)
        let held = try pool.lease(executable: worker, on: group.next()).wait()
        #expect(throws: ScriptSlots.Refusal.self) { try pool.lease(executable: worker, on: group.next()).wait() }
        pool.release(held, outcome: .completed)
        #expect(try request(pool).hasPrefix("1 "))
        try stop(pool)
    }

    @Test func aWaitingRequestGetsTheWorkerWhenItIsFree() throws {
        let pool = pool(workers: 1)
        let held = try pool.lease(executable: worker, on: group.next()).wait()
        let waiting = pool.lease(executable: worker, on: group.next())
        pool.release(held, outcome: .completed)
        let lease = try waiting.wait()
        #expect(lease.pid == held.pid)
        pool.release(lease, outcome: .completed)
        try stop(pool)
    }

    @Test func idleWorkersAreDrained() throws {
        let pool = pool(idleTimeout: .milliseconds(300))
        _ = try request(pool)
        let pid = try #require(pool.workerPIDs.first)
        #expect(eventually(within: 10) { pool.workerPIDs.isEmpty })
        #expect(!isRunning(pid))
        #expect(try request(pool).hasPrefix("1 "))
        try stop(pool)
    }

    @Test func aWorkerStuckPastTheRequestTimeoutIsKilled() throws {
        let pool = pool(requestTimeout: .milliseconds(500))
        let lease = try pool.lease(executable: worker, on: group.next()).wait()
        let line = try fastCGIRequests(lease.socketPath, count: 1, query: "sleep=20").first ?? ""
        #expect(line.hasPrefix("error"))
        pool.release(lease, outcome: .stuck)
        #expect(eventually(within: 10) { !isRunning(lease.pid) })
        #expect(try request(pool).hasPrefix("1 "))
        try stop(pool)
    }

    @Test func stoppingDrainsARequestInProgress() throws {
        let pool = pool()
        // A first request: the worker is up, its SIGTERM handler in place.
        _ = try request(pool)
        let lease = try pool.lease(executable: worker, on: group.next()).wait()
        let client = try FastCGIClientRun(socket: lease.socketPath, count: 1, concurrency: 1, query: "sleep=3")
        // Time for the client (a python process) to start and the worker to take its request.
        usleep(1_500_000)
        let stopped = pool.stop(grace: .seconds(10))
        #expect(client.remainingLines().first?.hasPrefix("1 ") == true)
        pool.release(lease, outcome: .completed)
        try stopped.wait()
        #expect(!isRunning(lease.pid))
        try group.syncShutdownGracefully()
        folder.remove()
    }
}
