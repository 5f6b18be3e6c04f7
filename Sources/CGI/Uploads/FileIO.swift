import Glibc

/// The few file operations uploads need, as thin loops over the system calls that retry on
/// `EINTR` and short writes and turn failures into ``CGIError/io(operation:errno:)``.
enum FileIO {
    /// The size of one read or write when copying or reading a file in chunks.
    static let chunkSize = 64 << 10

    /// Opens `path`; returns the descriptor.
    static func open(_ path: String, flags: Int32, mode: mode_t = 0o600) throws -> Int32 {
        let descriptor = retrying { Glibc.open(path, flags | O_CLOEXEC, mode) }
        if descriptor < 0 { throw CGIError.io(operation: "opening \(path)", errno: errno) }
        return descriptor
    }

    /// Writes all of `bytes` to `descriptor`.
    static func write(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32, path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let written = retrying { Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset) }
            if written < 0 { throw CGIError.io(operation: "writing \(path)", errno: errno) }
            offset += written
        }
    }

    /// Reads the file at `path` in chunks of up to `chunkSize` bytes, in order.
    static func readChunks(
        of path: String, chunkSize: Int = chunkSize, _ body: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        let descriptor = try open(path, flags: O_RDONLY)
        defer { close(descriptor) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(chunkSize, 1), alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = retrying { Glibc.read(descriptor, buffer.baseAddress, buffer.count) }
            if count < 0 { throw CGIError.io(operation: "reading \(path)", errno: errno) }
            if count == 0 { return }
            try body(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
        }
    }

    /// Copies the file at `source` to `destination` (created or truncated, mode 0600).
    static func copy(from source: String, to destination: String) throws {
        let output = try open(destination, flags: O_WRONLY | O_CREAT | O_TRUNC)
        defer { close(output) }
        try readChunks(of: source) { try write($0, to: output, path: destination) }
    }

    /// Writes `bytes` to a new (or truncated) file at `destination`, mode 0600.
    static func create(_ destination: String, with bytes: [UInt8]) throws {
        let output = try open(destination, flags: O_WRONLY | O_CREAT | O_TRUNC)
        defer { close(output) }
        try bytes.withUnsafeBytes { try write($0, to: output, path: destination) }
    }

    /// Calls `call` again while it fails with `EINTR`.
    private static func retrying<Result: BinaryInteger>(_ call: () -> Result) -> Result {
        var result: Result
        repeat { result = call() } while result < 0 && errno == EINTR
        return result
    }
}
