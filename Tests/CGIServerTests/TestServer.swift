import Foundation
import TestSupport
import Testing

/// The real `cgi-server` binary running on 127.0.0.1 with a free port, for black-box tests.
///
/// The server runs in its own process group with the site folder as its working directory.
/// When the object goes away, the server is stopped (SIGTERM, then SIGKILL to the group) and
/// the site folder removed, with any script process still working in it.
final class TestServer: @unchecked Sendable {
    let site: TestSite
    let process: ChildProcess
    let port: Int

    /// The built `cgi-server` next to the test bundle.
    static let binary = productsDirectory.appending(path: "cgi-server")

    /// Starts the server on `site` with extra options and waits for its `listening on` line.
    ///
    /// The server starts with every signal blocked, the harshest mask a parent can hand it.
    /// `launcher` is a command that runs the server (such as `prlimit --nofile=128`), and
    /// `environment` adds to the server's environment. Run as root, the server is allowed to run
    /// scripts as root unless `rootScripts` is false.
    init(
        site: TestSite? = nil, options: [String] = [], host: String = "127.0.0.1", launcher: [String] = [],
        environment: [String: String] = [:], rootScripts: Bool = true
    ) throws {
        self.site = try site ?? TestSite()
        let arguments =
            [
                self.site.root.path, "--host", host, "--port", "0", "--script-timeout", "2", "--max-body", "\(1 << 20)",
                "--set-env", "PROBE_STATE=\(self.site.state.path)",
            ]
            + (getuid() == 0 && rootScripts ? ["--allow-root-scripts"] : []) + options
        let command = launcher.isEmpty ? [Self.binary.path] + arguments : launcher + [Self.binary.path] + arguments
        process = try ChildProcess(
            command[0], Array(command.dropFirst()),
            environment: ["PATH": "/usr/bin:/bin", "SERVER_SECRET": "s3cr3t", "LANG": "C", "TMPDIR": self.site.temporary.path]
                .merging(environment) { $1 },
            workingDirectory: self.site.root.path, blockingEverySignal: true)
        let line = try process.waitForLine { $0.hasPrefix("listening on ") }
        guard line.hasPrefix("listening on http"), let portText = line.split(separator: ":").last?.split(separator: "/").first,
            let port = Int(portText)
        else {
            throw TestFailure("server did not start: \(line) \(String(decoding: process.standardError, as: UTF8.self))")
        }
        self.port = port
    }

    deinit {
        if process.isRunning {
            process.signal(SIGTERM)
            _ = try? process.waitForExit(within: 30)
        }
    }

    var pid: Int32 { process.pid }

    /// The admin listener's port, from the `admin listening on` line (with `--admin HOST:0`).
    var adminPort: Int? {
        let output = String(decoding: process.standardOutput, as: UTF8.self)
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("admin listening on http://") }),
            let port = line.split(separator: ":").last?.split(separator: "/").first
        else { return nil }
        return Int(port)
    }

    /// `http://127.0.0.1:PORT` + path.
    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    /// Everything the server wrote to stderr so far.
    var errorText: String { String(decoding: process.standardError, as: UTF8.self) }

    /// CPU seconds (user and system) the server process has used so far, from /proc.
    func cpuSeconds() -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")")
        else { return -1 }
        // After the command name: state is field 3, utime and stime are fields 14 and 15.
        let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return -1 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Sends `signal` to the server.
    func send(_ signal: Int32) {
        process.signal(signal)
    }

    /// Sends SIGTERM and waits for the server to exit: its exit status, or -1 when a signal
    /// ended it or it did not exit within a minute.
    func stop() -> Int32 {
        process.signal(SIGTERM)
        guard case .exited(let code) = try? process.waitForExit(within: 60) else { return -1 }
        return code
    }

    /// Descriptors the server process has open now.
    func openDescriptorCount() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
    }

    /// Each server thread's name and blocked-signal mask (`SigBlk` in /proc).
    func blockedSignalMasks() -> [(thread: String, mask: UInt64)] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        return tasks.compactMap { task in
            let folder = "/proc/\(pid)/task/\(task)"
            guard let comm = try? String(contentsOfFile: "\(folder)/comm", encoding: .utf8),
                let status = try? String(contentsOfFile: "\(folder)/status", encoding: .utf8),
                let line = status.split(separator: "\n").first(where: { $0.hasPrefix("SigBlk:") }),
                let mask = UInt64(line.dropFirst("SigBlk:".count).trimmingCharacters(in: .whitespaces), radix: 16)
            else { return nil }
            return (comm.trimmingCharacters(in: .newlines), mask)
        }
    }

    /// The server's child processes: (pid, state letter) from /proc.
    func children() -> [(pid: Int32, state: String)] {
        let all = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return all.compactMap { name -> (Int32, String)? in
            guard let pid = Int32(name), let stat = try? String(contentsOfFile: "/proc/\(name)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return nil }
            let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
            guard fields.count > 1, Int32(fields[1]) == self.pid else { return nil }
            return (pid, String(fields[0]))
        }
    }
}

/// Text appended from another thread.
final class LockedText: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func append(_ chunk: Data) { lock.withLock { data.append(chunk) } }
    var text: String { lock.withLock { String(decoding: data, as: UTF8.self) } }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
