import Glibc

/// Writing bytes to a file descriptor completely, unbuffered: each call hands every byte to
/// the kernel before it returns, so a pipe's reader sees them at once.
enum FileDescriptorOutput {
    /// Writes all of `bytes` to `fileDescriptor`, retrying after signals (EINTR) and partial
    /// writes, and waiting for room when the descriptor is non-blocking (EAGAIN).
    /// - Throws: ``CGIError/io(operation:errno:)`` when `write` fails otherwise.
    static func write(_ bytes: [UInt8], to fileDescriptor: Int32) throws {
        try bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let count = Glibc.write(fileDescriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if count >= 0 {
                    offset += count
                } else if errno == EAGAIN || errno == EWOULDBLOCK {
                    var waiter = pollfd(fd: fileDescriptor, events: Int16(POLLOUT), revents: 0)
                    _ = poll(&waiter, 1, -1)
                } else if errno != EINTR {
                    throw CGIError.io(operation: "writing the response", errno: errno)
                }
            }
        }
    }
}
