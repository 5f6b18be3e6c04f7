import Glibc
import NIOCore

/// Collects a chunked request body so that the script can be told its `CONTENT_LENGTH`:
/// in memory up to a limit, then in an unlinked temporary file in `$TMPDIR` (else `/tmp`).
/// Every byte collected counts against the server's ``SpoolBudget`` until the spool is freed.
final class RequestBodySpool {
    /// Why the body cannot be collected.
    enum Failure: Error {
        /// The body grew beyond the configured maximum, or all bodies being collected together
        /// would exceed the spool budget (413: the server cannot take that much now).
        case tooLarge
        /// The temporary file could not be created or written (500).
        case storage(errno: Int32)
    }

    private let memoryLimit: Int
    private let maximum: Int
    private let budget: SpoolBudget
    private var memory = ByteBuffer()
    /// The temporary file once the body outgrew memory.
    private(set) var file: Int32?
    /// Bytes collected so far.
    private(set) var size = 0

    init(memoryLimit: Int, maximum: Int, budget: SpoolBudget = .process) {
        self.memoryLimit = memoryLimit
        self.maximum = maximum
        self.budget = budget
    }

    deinit {
        if let file { close(file) }
        budget.giveBack(size)
    }

    /// Adds the next piece of the body.
    func append(_ buffer: ByteBuffer) throws(Failure) {
        guard size + buffer.readableBytes <= maximum, budget.take(buffer.readableBytes) else { throw .tooLarge }
        size += buffer.readableBytes
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
        var template = Array((Self.folder + "/cgi-server-body-XXXXXX").utf8CString)
        let descriptor = mkstemp(&template)
        guard descriptor >= 0 else { throw .storage(errno: errno) }
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        unlink(template)
        file = descriptor
        try write(memory, to: descriptor)
        memory = ByteBuffer()
    }

    /// Where spool files go: `$TMPDIR` when set, else `/tmp`.
    private static let folder: String = {
        guard let folder = getenv("TMPDIR"), folder.pointee != 0 else { return "/tmp" }
        return String(cString: folder)
    }()

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
