import Foundation

/// A real pipe carrying a request body: a background thread writes `bytes` to the write end
/// and closes it, while `read` gets the read end (as a CGI script gets standard input).
func withBodyPipe<T>(_ bytes: [UInt8], _ read: (Int32) throws -> T) throws -> T {
    signal(SIGPIPE, SIG_IGN)  // a reader that stops early must not kill the test process
    var ends: [Int32] = [0, 0]
    guard pipe(&ends) == 0 else { throw POSIXError(.EMFILE) }
    let (readEnd, writeEnd) = (ends[0], ends[1])
    let done = DispatchSemaphore(value: 0)
    Thread.detachNewThread {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let count = write(writeEnd, buffer.baseAddress! + offset, buffer.count - offset)
                if count <= 0 { break }
                offset += count
            }
        }
        close(writeEnd)
        done.signal()
    }
    defer {
        close(readEnd)
        done.wait()
    }
    return try read(readEnd)
}
