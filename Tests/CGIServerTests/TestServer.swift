import Foundation
import Testing

/// The real `cgi-server` binary running on 127.0.0.1 with a free port, for black-box tests.
final class TestServer: @unchecked Sendable {
    let site: TestSite
    let process = Process()
    let port: Int
    private let output = Pipe()
    private let errors = Pipe()
    private let errorLog = LockedText()

    /// The built `cgi-server` next to the test bundle (the build products folder).
    static var binary: URL {
        let executable = URL(filePath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? "")
        var folder = executable.deletingLastPathComponent()
        while folder.path != "/" {
            let candidate = folder.appending(path: "cgi-server")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        return URL(filePath: #filePath).deletingLastPathComponent().appending(path: "../../.build/debug/cgi-server")
    }

    /// Starts the server on `site` with extra options and waits for its `listening on` line.
    ///
    /// `launcher` is a command that runs the server (such as `prlimit --nofile=128`), and
    /// `environment` adds to the server's environment. Run as root, the server is allowed to run
    /// scripts as root unless `rootScripts` is false.
    init(
        site: TestSite? = nil, options: [String] = [], host: String = "127.0.0.1", launcher: [String] = [],
        environment: [String: String] = [:], rootScripts: Bool = true
    ) throws {
        self.site = try site ?? TestSite()
        let arguments = [self.site.root.path, "--host", host, "--port", "0", "--script-timeout", "2",
                         "--max-body", "\(1 << 20)", "--set-env", "PROBE_STATE=\(self.site.state.path)"]
            + (getuid() == 0 && rootScripts ? ["--allow-root-scripts"] : []) + options
        if let command = launcher.first {
            process.executableURL = URL(filePath: command)
            process.arguments = launcher.dropFirst() + [Self.binary.path] + arguments
        } else {
            process.executableURL = Self.binary
            process.arguments = arguments
        }
        process.environment = ["PATH": "/usr/bin:/bin", "SERVER_SECRET": "s3cr3t", "LANG": "C"].merging(environment) { $1 }
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let log = errorLog
        errors.fileHandleForReading.readabilityHandler = { handle in log.append(handle.availableData) }
        var line = Data()
        let deadline = Date().addingTimeInterval(20)
        while !line.contains(UInt8(ascii: "\n")) && Date() < deadline {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard text.hasPrefix("listening on http"), let portText = text.split(separator: ":").last?.split(separator: "/").first,
            let port = Int(portText)
        else {
            process.terminate()
            throw TestFailure("server did not start: \(text) \(errorLog.text)")
        }
        self.port = port
    }

    deinit {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        site.remove()
    }

    var pid: Int32 { process.processIdentifier }

    /// `http://127.0.0.1:PORT` + path.
    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    /// Everything the server wrote to stderr so far.
    var errorText: String { errorLog.text }

    /// Sends SIGTERM and waits for the exit status.
    func stop() -> Int32 {
        process.terminate()
        process.waitUntilExit()
        return process.terminationStatus
    }

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
        kill(pid, signal)
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

/// Whether a process exists and is not a zombie.
func isAlive(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else {
        return false
    }
    return !stat[stat.index(close, offsetBy: 2)...].hasPrefix("Z")
}

/// Polls `condition` every 50 ms until it holds or `seconds` pass.
func eventually(within seconds: Double, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        usleep(50_000)
    }
    return condition()
}
