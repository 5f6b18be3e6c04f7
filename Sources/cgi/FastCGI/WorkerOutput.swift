import Glibc

/// A worker's standard output or standard error, forwarded to the manager's standard error one
/// line at a time as `worker PID: LINE` (FastCGI responses never travel on these descriptors).
struct WorkerOutput {
    let descriptor: Int32
    let pid: pid_t
    private var partial: [UInt8] = []

    init(descriptor: Int32, pid: pid_t) {
        self.descriptor = descriptor
        self.pid = pid
    }

    /// Reads what is there and forwards complete lines; returns `false` at end of file, when the
    /// descriptor has been closed and any unfinished line forwarded.
    mutating func forward() -> Bool {
        var buffer = [UInt8](repeating: 0, count: 16_384)
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        if count < 0, errno == EINTR || errno == EAGAIN { return true }
        guard count > 0 else {
            if !partial.isEmpty { emit(partial[...]) }
            close(descriptor)
            return false
        }
        partial += buffer[..<count]
        while let newline = partial.firstIndex(of: UInt8(ascii: "\n")) {
            emit(partial[..<newline])
            partial.removeSubrange(...newline)
        }
        if partial.count > 16_384 {
            emit(partial[...])
            partial.removeAll()
        }
        return true
    }

    private func emit(_ line: ArraySlice<UInt8>) {
        StandardStreams.error("worker \(pid): " + String(decoding: line, as: UTF8.self))
    }
}
