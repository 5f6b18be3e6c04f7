import Foundation
import Glibc
import Testing

/// The directory the build put the test bundle and the executables in.
let productsDirectory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()

/// A listening unix socket in a folder of its own, for FastCGI workers to accept on.
final class FastCGISocket {
    /// The folder holding the socket.
    let folder: String
    /// The socket's path.
    var path: String { folder + "/worker.sock" }
    /// The listening socket; -1 once closed.
    private(set) var descriptor: Int32
    /// Whether the folder was made for the socket, and goes with it.
    private let ownsFolder: Bool

    /// Binds and listens on a new socket (backlog 64) of `type` in `folder`, or in a new
    /// temporary one: a stream, or (to see each write the worker makes) sequenced packets.
    init(folder: String? = nil, type: __socket_type = SOCK_STREAM) throws {
        ownsFolder = folder == nil
        self.folder =
            folder ?? FileManager.default.temporaryDirectory.appendingPathComponent("fcgi-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: self.folder, withIntermediateDirectories: true)
        descriptor = socket(AF_UNIX, Int32(type.rawValue), 0)
        try #require(descriptor >= 0)
        var address = FastCGIClient.unixAddress(path)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        try #require(bound == 0 && listen(descriptor, 64) == 0)
    }

    /// Closes this process's copy: once the workers holding the others exit, connections
    /// still waiting in the queue are refused rather than left hanging.
    func close() {
        if descriptor >= 0 { Glibc.close(descriptor) }
        descriptor = -1
    }

    deinit {
        close()
        if ownsFolder { try? FileManager.default.removeItem(atPath: folder) }
    }
}

/// A FastCGIFixture process started the way FastCGI 1.0 §2.2 launches an application: a
/// listening unix socket on descriptor 0, standard output on /dev/null, standard error in a
/// log file, and a temporary folder of its own for uploads.
final class FastCGIWorker {
    /// The folder holding the log and the upload folder (and the socket, unless shared).
    let folder: String
    /// The socket's path.
    let socketPath: String
    /// Where the worker's uploads are spooled (its TMPDIR).
    var uploadFolder: String { folder + "/uploads" }
    private let process = Process()

    /// Starts a worker with `environment` added to its own; with `launcher`, that program
    /// (an argument array, no shell) is started with the fixture's path as its last argument.
    /// `fixture` names the program among the build's products. With `socket`, the worker
    /// accepts on that socket (shared with other workers, and left open); otherwise on a
    /// socket of its own, which only the worker holds once it runs.
    init(
        environment: [String: String] = [:], launcher: [String] = [], fixture: String = "FastCGIFixture",
        socket shared: FastCGISocket? = nil
    ) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("fcgi-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder + "/uploads", withIntermediateDirectories: true)
        let listener = try shared ?? FastCGISocket(folder: folder)
        defer { if shared == nil { listener.close() } }
        socketPath = listener.path
        _ = FileManager.default.createFile(atPath: folder + "/stderr.log", contents: nil)
        let program = productsDirectory.appendingPathComponent(fixture)
        if let launcherProgram = launcher.first {
            process.executableURL = URL(fileURLWithPath: launcherProgram)
            process.arguments = Array(launcher.dropFirst()) + [program.path]
        } else {
            process.executableURL = program
        }
        process.environment = ["TMPDIR": uploadFolder, "PATH": "/usr/bin:/bin"].merging(environment) { $1 }
        process.standardInput = FileHandle(fileDescriptor: listener.descriptor, closeOnDealloc: false)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: folder + "/stderr.log"))
        try process.run()
    }

    /// The worker's process id.
    var pid: Int32 { process.processIdentifier }
    /// Whether the worker still runs.
    var isRunning: Bool { process.isRunning }

    /// A new connection to the worker.
    func connect() throws -> FastCGIClient {
        try FastCGIClient(path: socketPath)
    }

    /// What the worker wrote to standard error (and, through it, standard output).
    func log() -> String {
        (try? String(contentsOfFile: folder + "/stderr.log", encoding: .utf8)) ?? ""
    }

    /// The files waiting in the upload folder.
    func uploadsLeft() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: uploadFolder)
    }

    /// The number of descriptors the worker has open.
    func openDescriptors() throws -> Int {
        try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count
    }

    /// The worker's resident set size in KiB (VmRSS).
    func residentKiB() throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") })
        return try #require(Int(line.split(separator: " ")[1]))
    }

    /// Waits (up to 20 s) until the worker sleeps in a system call (state S in
    /// /proc/PID/stat), as it does once it waits for input.
    func waitUntilBlocked() throws {
        for _ in 0..<2000 {
            let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
            if stat.split(separator: ")").last?.split(separator: " ").first == "S" { return }
            usleep(10_000)
        }
        Issue.record("worker \(pid) never waited")
    }

    /// Sends `signal` to the worker and waits (up to 20 s) until it was delivered: no longer
    /// pending in /proc/PID/status, so the worker's handler for it has run.
    func deliver(_ signal: Int32) throws {
        kill(pid, signal)
        let bit = UInt64(1) << (signal - 1)
        for _ in 0..<2000 {
            let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
            let pending = status.split(separator: "\n").filter { $0.hasPrefix("SigPnd:") || $0.hasPrefix("ShdPnd:") }
                .compactMap { UInt64($0.split(separator: "\t").last ?? "", radix: 16) }
            if pending.count == 2 && pending.allSatisfy({ $0 & bit == 0 }) { return }
            usleep(10_000)
        }
        Issue.record("signal \(signal) still pending for worker \(pid)")
    }

    /// Waits for the worker to exit and returns how: (status, ended by a signal).
    func waitForExit() -> (status: Int32, signaled: Bool) {
        process.waitUntilExit()
        return (process.terminationStatus, process.terminationReason == .uncaughtSignal)
    }

    /// Stops the worker (SIGTERM, and SIGKILL if it is still running 10 s later) and removes
    /// its folder.
    func stop() {
        if process.isRunning {
            kill(pid, SIGTERM)
            for _ in 0..<200 where process.isRunning { usleep(50_000) }
            if process.isRunning { kill(pid, SIGKILL) }
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: folder)
    }
}
