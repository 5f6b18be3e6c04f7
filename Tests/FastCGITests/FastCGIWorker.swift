import Foundation
import Glibc
import Testing

/// The directory the build put the test bundle and the executables in.
let productsDirectory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()

/// A FastCGIFixture process started the way FastCGI 1.0 §2.2 launches an application: a
/// listening unix socket on descriptor 0, standard output on /dev/null, standard error in a
/// log file, and a temporary folder of its own for uploads.
final class FastCGIWorker {
    /// The folder holding the socket, the log and the upload folder.
    let folder: String
    /// The socket's path.
    var socketPath: String { folder + "/worker.sock" }
    /// Where the worker's uploads are spooled (its TMPDIR).
    var uploadFolder: String { folder + "/uploads" }
    private let process = Process()

    /// Starts a worker with `environment` added to its own.
    init(environment: [String: String] = [:]) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("fcgi-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder + "/uploads", withIntermediateDirectories: true)
        let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        try #require(listener >= 0)
        defer { close(listener) }
        var address = FastCGIClient.unixAddress(socketPath)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        try #require(bound == 0 && listen(listener, 64) == 0)
        _ = FileManager.default.createFile(atPath: folder + "/stderr.log", contents: nil)
        process.executableURL = productsDirectory.appendingPathComponent("FastCGIFixture")
        process.environment = ["TMPDIR": uploadFolder, "PATH": "/usr/bin:/bin"].merging(environment) { $1 }
        process.standardInput = FileHandle(fileDescriptor: listener, closeOnDealloc: false)
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

    /// Waits for the worker to exit and returns how: (status, ended by a signal).
    func waitForExit() -> (status: Int32, signaled: Bool) {
        process.waitUntilExit()
        return (process.terminationStatus, process.terminationReason == .uncaughtSignal)
    }

    /// Stops the worker and removes its folder.
    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: folder)
    }
}
