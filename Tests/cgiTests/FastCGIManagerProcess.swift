import Foundation

/// A `cgi fastcgi` process started by a test on a unix socket in a folder of its own, with its
/// standard error collected line by line so that tests wait for what it reports.
final class FastCGIManagerProcess: @unchecked Sendable {
    let folder: String
    let socketPath: String
    let process = Process()
    private let lock = NSCondition()
    private var errorLines: [String] = []
    private var outputLines: [String] = []

    /// Starts `cgi fastcgi --listen unix:FOLDER/fcgi.sock OPTIONS PROGRAM` and waits for its
    /// `listening on` line.
    init(_ options: [String], program: String, folder: String) throws {
        self.folder = folder
        socketPath = folder + "/fcgi.sock"
        process.executableURL = cgiTool
        process.arguments = ["fastcgi", "--listen", "unix:" + socketPath] + options + [program]
        process.environment = ["PATH": "/usr/bin:/bin"]
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        collect(output) { $0.outputLines.append($1) }
        collect(errors) { $0.errorLines.append($1) }
        _ = wait(for: "listening on unix:\(socketPath)", in: \.outputLines)
    }

    /// Waits (up to 30 s) for a standard-error line containing `text` after the first `skipping`
    /// lines, and returns its index, or `nil` if none came.
    func waitForError(_ text: String, after skipping: Int = 0) -> Int? {
        wait(for: text, in: \.errorLines, after: skipping)
    }

    /// The first standard-output line containing `text` (waiting up to 30 s for it), or `nil`.
    func outputLine(containing text: String) -> String? {
        guard let index = wait(for: text, in: \.outputLines) else { return nil }
        return lock.withLock { outputLines[index] }
    }

    /// Everything written to standard error so far.
    var errors: [String] { lock.withLock { errorLines } }

    /// Sends `signal` to the manager.
    func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Sends SIGTERM and returns the exit status.
    func stop() -> Int32 {
        signal(SIGTERM)
        process.waitUntilExit()
        return process.terminationStatus
    }

    deinit {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    private func wait(for text: String, in lines: KeyPath<FastCGIManagerProcess, [String]>, after skipping: Int = 0) -> Int? {
        let deadline = Date().addingTimeInterval(30)
        lock.lock()
        defer { lock.unlock() }
        while true {
            if let index = self[keyPath: lines].indices.dropFirst(skipping).first(where: {
                self[keyPath: lines][$0].contains(text)
            }) {
                return index
            }
            guard lock.wait(until: deadline) else { return nil }
        }
    }

    private func collect(_ pipe: Pipe, into append: @escaping @Sendable (FastCGIManagerProcess, String) -> Void) {
        let handle = pipe.fileHandleForReading
        Thread.detachNewThread { [self] in
            var pending = Data()
            while case let chunk = handle.availableData, !chunk.isEmpty {
                pending += chunk
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = String(decoding: pending[..<newline], as: UTF8.self)
                    pending.removeSubrange(...newline)
                    lock.withLock {
                        append(self, line)
                        lock.broadcast()
                    }
                }
            }
        }
    }
}
