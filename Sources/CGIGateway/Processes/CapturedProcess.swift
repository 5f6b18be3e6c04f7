import Glibc

/// A program run to completion as a ``ScriptProcess`` (no shell, argument array, clean
/// environment, standard input `/dev/null`), with its standard output and standard error
/// captured together in the order they arrived, as a terminal would show them.
struct CapturedProcess {
    /// How the program ended; nil when it ran out of time and was stopped.
    let status: ExitStatus?
    /// Everything it wrote to standard output and standard error.
    let output: [UInt8]

    /// Runs `executable` with `arguments` and `environment` in `workingDirectory`, and waits
    /// for it to end; after `timeout` its process group is stopped (``ScriptProcess/terminate(grace:)``).
    static func run(
        _ executable: String, arguments: [String], environment: [String: String], workingDirectory: String,
        timeout: Duration
    ) throws(ScriptSpawnError) -> CapturedProcess {
        let process = try ScriptProcess.spawn(
            executable: executable, arguments: arguments, environment: environment,
            workingDirectory: workingDirectory, standardInput: .nullDevice)
        var open = [process.standardOutput, process.standardError]
        defer { open.forEach { close($0) } }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 << 10)
        let deadline = ContinuousClock.now + timeout
        while !open.isEmpty {
            let left = deadline - ContinuousClock.now
            guard left > .zero else {
                process.terminate(grace: .seconds(1))
                return CapturedProcess(status: nil, output: output)
            }
            var watched = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let milliseconds = Int32(min(left.components.seconds * 1000 + 1, 60_000))
            guard poll(&watched, nfds_t(watched.count), milliseconds) >= 0 || errno == EINTR else { break }
            for entry in watched where entry.revents != 0 {
                let count = read(entry.fd, &chunk, chunk.count)
                if count > 0 {
                    output.append(contentsOf: chunk[..<count])
                } else if count == 0 || errno != EINTR {
                    close(entry.fd)
                    open.removeAll { $0 == entry.fd }
                }
            }
        }
        return CapturedProcess(status: process.wait(), output: output)
    }
}
