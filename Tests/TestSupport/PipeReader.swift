import Foundation
import Glibc

/// Everything a child process writes to one pipe, read on a thread of its own so that the
/// child never blocks on a full pipe. Callers can wait, with a deadline, for what they expect.
final class PipeReader: @unchecked Sendable {
    private let condition = NSCondition()
    private var collected = Data()
    private var ended = false

    /// Starts reading `descriptor` until end of file; closes it at the end.
    init(descriptor: Int32) {
        let thread = Thread { [self] in
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                condition.withLock {
                    collected.append(contentsOf: buffer[..<count])
                    condition.broadcast()
                }
            }
            close(descriptor)
            condition.withLock {
                ended = true
                condition.broadcast()
            }
        }
        thread.start()
    }

    /// What arrived so far.
    var data: Data { condition.withLock { collected } }

    /// Waits until `satisfied(data, ended)` holds or `deadline` passes; whether it held.
    func wait(until deadline: Date, for satisfied: (Data, Bool) -> Bool) -> Bool {
        condition.withLock {
            while !satisfied(collected, ended) {
                if !condition.wait(until: deadline) { return satisfied(collected, ended) }
            }
            return true
        }
    }

    /// Waits for end of file until `deadline`; whether it came.
    func waitForEnd(until deadline: Date) -> Bool {
        wait(until: deadline) { _, ended in ended }
    }
}
