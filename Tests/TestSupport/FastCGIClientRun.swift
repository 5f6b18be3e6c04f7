import Foundation

/// Tests/Fixtures/fastcgi: the Python FastCGI worker and client the process managers' tests run.
public let fastCGIFixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/fastcgi").path

/// The test FastCGI client (Tests/Fixtures/fastcgi/client.py) as a running process: `lines`
/// waits for the response lines, one per request, as the requests complete.
public final class FastCGIClientRun {
    let process = Process()
    let output = Pipe()

    public init(socket: String, count: Int, concurrency: Int, query: String = "") throws {
        process.executableURL = URL(fileURLWithPath: fastCGIFixtures + "/client.py")
        process.arguments = [socket, String(count), String(concurrency), query]
        process.standardOutput = output
        try process.run()
    }

    /// Reads up to the first line (a request completed).
    public func firstLine() -> String {
        var bytes = Data()
        while let byte = try? output.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) {
            bytes += byte
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Waits for the client to finish and returns the remaining lines.
    public func remainingLines() -> [String] {
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }
}

/// Sends `count` requests and returns the response lines (`VERSION PID` or `error: ...`).
public func fastCGIRequests(_ socket: String, count: Int, concurrency: Int = 1, query: String = "") throws -> [String] {
    try FastCGIClientRun(socket: socket, count: count, concurrency: concurrency, query: query).remainingLines()
}
