import Glibc
import NIOCore

/// Collects a chunked request body so that the script can be told its `CONTENT_LENGTH`:
/// in memory up to a limit, then in an unlinked temporary file.
final class RequestBodySpool {
    /// Why the body cannot be collected.
    enum Failure: Error {
        /// The body grew beyond the configured maximum (413).
        case tooLarge
        /// The temporary file could not be created or written (500).
        case storage(errno: Int32)
    }

    private let memoryLimit: Int
    private let maximum: Int
    private var memory = ByteBuffer()
    /// The temporary file once the body outgrew memory.
    private(set) var file: Int32?
    /// Bytes collected so far.
    private(set) var size = 0

    init(memoryLimit: Int, maximum: Int) {
        self.memoryLimit = memoryLimit
        self.maximum = maximum
    }

    deinit {
        if let file { close(file) }
    }

    /// Adds the next piece of the body.
    func append(_ buffer: ByteBuffer) throws(Failure) {
        size += buffer.readableBytes
        guard size <= maximum else { throw .tooLarge }
        if file == nil && size > memoryLimit { try moveToFile() }
        if let file {
            try write(buffer, to: file)
        } else {
            var buffer = buffer
            memory.writeBuffer(&buffer)
        }
    }

    /// The body kept in memory, or `nil` when it lives in ``file`` (read it from offset 0).
    var bytesInMemory: ByteBuffer? { file == nil ? memory : nil }

    private func moveToFile() throws(Failure) {
        var template = Array("/tmp/cgi-server-body-XXXXXX".utf8CString)
        let descriptor = mkstemp(&template)
        guard descriptor >= 0 else { throw .storage(errno: errno) }
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        unlink(template)
        file = descriptor
        try write(memory, to: descriptor)
        memory = ByteBuffer()
    }

    private func write(_ buffer: ByteBuffer, to descriptor: Int32) throws(Failure) {
        let failed = buffer.withUnsafeReadableBytes { bytes -> Int32? in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += written
            }
            return nil
        }
        if let failed { throw .storage(errno: failed) }
    }
}
