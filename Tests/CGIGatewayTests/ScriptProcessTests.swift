import Foundation
import Glibc
import TestSupport
import Testing

@testable import CGIGateway

/// probe.py's output after its header block, one line per element.
func bodyLines(_ output: [UInt8]) -> [String] {
    let text = String(decoding: output, as: UTF8.self)
    guard let blank = text.range(of: "\r\n\r\n") else { return [] }
    return text[blank.upperBound...].split(separator: "\n").map(String.init)
}

@Suite struct ScriptProcessTests {
    /// The test's folder: scripts run in it, and whatever still runs there when the test ends is killed.
    let folder: TemporaryDirectory

    init() throws {
        folder = try TemporaryDirectory(prefix: "cgi-gateway-tests")
    }

    /// Runs probe.py from the test's folder with `query` and returns its process, still running.
    func spawnProbe(
        _ query: String, environment: [String: String] = [:], standardInput: ScriptProcess.StandardInput = .nullDevice
    ) throws -> ScriptProcess {
        let script = folder.appending("probe.py")
        if !FileManager.default.fileExists(atPath: script) { try installFixture("probe.py", in: folder.path) }
        return try ScriptProcess.spawn(
            executable: script, environment: environment.merging(["QUERY_STRING": query]) { $1 },
            workingDirectory: folder.path, standardInput: standardInput)
    }

    @Test func runsInItsOwnProcessGroupWithExactlyTheGivenEnvironment() throws {
        let process = try spawnProbe("", environment: ["A": "1", "PATH": "/usr/bin:/bin"])
        let lines = bodyLines(readToEnd(process.standardOutput))
        close(process.standardError)
        #expect(process.wait() == .exited(0))
        #expect(lines.contains("pid=\(process.pid)"))
        #expect(lines.contains("pgid=\(process.pid)"), "the script leads its own group")
        #expect(getpgrp() != process.pid)
        #expect(lines.contains("cwd=\(folder.path)"))
        #expect(lines.contains("argc=1"))
        #expect(lines.contains("argv[0]=\(folder.path)/probe.py"))
        let environment = lines.filter { $0.hasPrefix("env-") && !$0.hasPrefix("env-LC_CTYPE=") }
        #expect(environment == ["env-A=1", "env-PATH=/usr/bin:/bin", "env-QUERY_STRING="])
    }

    @Test func inheritsOnlyDescriptorsZeroToTwo() throws {
        let leaked = open("/dev/null", O_RDONLY)  // no O_CLOEXEC: a careless spawn would pass it on
        defer { close(leaked) }
        let process = try spawnProbe("fds=1", standardInput: .pipe)
        let lines = bodyLines(readToEnd(process.standardOutput))
        close(process.standardError)
        close(try #require(process.standardInput))
        #expect(process.wait() == .exited(0))
        #expect(lines.map { $0.prefix(5) } == ["fd=0 ", "fd=1 ", "fd=2 "])
        #expect(lines.allSatisfy { $0.contains("pipe:") })
    }

    @Test func startsWithDefaultSignalsAndAnEmptyMask() throws {
        // A host ignores SIGPIPE (left so: other tests write to pipes concurrently) and may block
        // signals in the spawning thread.
        signal(SIGPIPE, SIG_IGN)
        var blocked = sigset_t()
        var old = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, SIGUSR1)
        pthread_sigmask(SIG_BLOCK, &blocked, &old)
        defer { pthread_sigmask(SIG_SETMASK, &old, nil) }
        let script = try installFixture("signals.sh", in: folder.path)
        let process = try ScriptProcess.spawn(
            executable: script, environment: ["PATH": "/usr/bin:/bin"], workingDirectory: folder.path)
        let lines = bodyLines(readToEnd(process.standardOutput))
        close(process.standardError)
        #expect(process.wait() == .exited(0))
        #expect(lines.first == "SigBlk:\t0000000000000000")
        // glibc's posix_spawn leaves its two internal signals (32, 33) ignored; 1-31 must all be default.
        let ignored = try #require(UInt64(lines.last?.dropFirst("SigIgn:\t".count) ?? "", radix: 16))
        #expect(ignored & 0x7FFF_FFFF == 0, "ignored: \(String(ignored, radix: 16))")
    }

    @Test func nullDeviceGivesEndOfFileAtOnce() throws {
        let process = try spawnProbe("echo=1")
        #expect(process.standardInput == nil)
        #expect(bodyLines(readToEnd(process.standardOutput)) == ["len=0"])
        close(process.standardError)
        #expect(process.wait() == .exited(0))
    }

    @Test func pipesCarryInputOutputAndErrors() throws {
        let process = try spawnProbe("echo=1&stderr=5&exit=3", environment: ["CONTENT_LENGTH": "5"], standardInput: .pipe)
        let input = try #require(process.standardInput)
        #expect(write(input, "hello", 5) == 5)
        close(input)
        #expect(bodyLines(readToEnd(process.standardOutput)) == ["len=5", "hello"])
        #expect(readToEnd(process.standardError) == Array("xxxxx".utf8))
        #expect(process.wait() == .exited(3))
    }

    @Test func pollReportsOnlyAfterExitAndReapsOnce() throws {
        let process = try spawnProbe("sleep_before=0.3")
        #expect(process.poll() == nil)
        #expect(!process.hasExited())
        _ = readToEnd(process.standardOutput)
        close(process.standardError)
        #expect(eventually { process.hasExited() })
        #expect(process.hasExited(), "asking does not reap")
        #expect(process.poll() == .exited(0))
        var status: Int32 = 0
        #expect(waitpid(process.pid, &status, WNOHANG) == -1 && errno == ECHILD, "reaped")
    }

    @Test func terminateStopsTheWholeGroup() throws {
        let process = try spawnProbe("grandchild=1&sleep_before=60")
        let line = readLine(process.standardError)
        let grandchild = try #require(pid_t(line.dropFirst("grandchild=".count)))
        #expect(!ProcessSweep.isGone(grandchild))
        let started = ContinuousClock.now
        #expect(process.terminate(grace: .seconds(120)) == .signaled(SIGTERM))
        #expect(ContinuousClock.now - started < .seconds(60), "returns when the script exits, not after the grace")
        #expect(eventually { ProcessSweep.isGone(grandchild) }, "the grandchild shares the group")
        #expect(ProcessSweep.isGone(process.pid))
        close(process.standardOutput)
        close(process.standardError)
    }

    @Test func terminateKillsAScriptThatIgnoresSIGTERM() throws {
        let process = try spawnProbe("ignore_term=1&stderr=1&sleep_before=60")
        var byte: UInt8 = 0
        #expect(read(process.standardError, &byte, 1) == 1, "the SIGTERM handler is set")
        let started = ContinuousClock.now
        #expect(process.terminate(grace: .milliseconds(300)) == .signaled(SIGKILL))
        #expect(ContinuousClock.now - started >= .milliseconds(300))
        close(process.standardOutput)
        close(process.standardError)
    }

    @Test func signalGroupReachesTheScript() throws {
        let process = try spawnProbe("sleep_before=60")
        process.signalGroup(SIGUSR1)
        #expect(process.wait() == .signaled(SIGUSR1))
        close(process.standardOutput)
        close(process.standardError)
    }

    @Test(arguments: [
        ("/no/such/script", "/", ENOENT),
        ("noexec.py", "/", EACCES),
        ("probe.py", "/no/such/folder", ENOENT),
    ])
    func reportsWhatCannotStart(executable: String, folder: String, code: Int32) throws {
        try installFixture("probe.py", in: self.folder.path)
        try installFixture("probe.py", in: self.folder.path, as: "noexec.py", mode: 0o644)
        let path = executable.hasPrefix("/") ? executable : self.folder.appending(executable)
        #expect(throws: ScriptSpawnError.spawn(executable: path, errno: code)) {
            try ScriptProcess.spawn(executable: path, environment: [String: String](), workingDirectory: folder)
        }
    }

    @Test func refusesNulBytes() {
        #expect(throws: ScriptSpawnError.nulByte("A=x\u{0}y")) {
            try ScriptProcess.spawn(executable: "/bin/true", environment: ["A": "x\u{0}y"], workingDirectory: "/")
        }
    }

    @Test func describesProblemsForTheLog() {
        #expect(
            ScriptSpawnError.spawn(executable: "/x", errno: ENOENT).description == "cannot start /x: No such file or directory")
        #expect(ExitStatus.exited(3).description == "exit code 3")
        #expect(ExitStatus.signaled(SIGKILL).description == "killed by signal 9 (Killed)")
    }
}
