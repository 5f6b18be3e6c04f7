import Glibc

/// Reads a whole file into memory: the one helper the script library and the gateway share
/// for small files (a script's source, a report's excerpt, `/proc/self/maps`).
///
/// It reads to the end of the file instead of trusting `stat`, so `/proc` files, whose size
/// `stat` reports as 0, come out whole. Interrupted system calls (`EINTR`) are retried.
package enum WholeFile {
    /// Why a file could not be read: the path and the `errno` of the failed `open(2)` or `read(2)`.
    package struct ReadError: Error, Equatable {
        /// The file that could not be read.
        package let path: String
        /// The system's error number.
        package let errno: Int32
    }

    /// The bytes of the file at `path`.
    /// - Throws: ``ReadError`` when the file cannot be opened or read.
    package static func read(_ path: String) throws(ReadError) -> [UInt8] {
        let descriptor = retrying { open(path, O_RDONLY | O_CLOEXEC) }
        guard descriptor >= 0 else { throw ReadError(path: path, errno: errno) }
        defer { close(descriptor) }
        var content: [UInt8] = []
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 16)
        defer { chunk.deallocate() }
        while true {
            let count = retrying { Glibc.read(descriptor, chunk.baseAddress, chunk.count) }
            guard count >= 0 else { throw ReadError(path: path, errno: errno) }
            if count == 0 { return content }
            content.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[..<count]))
        }
    }

    /// Calls `call` again while it fails with `EINTR`.
    private static func retrying<Result: BinaryInteger>(_ call: () -> Result) -> Result {
        var result: Result
        repeat { result = call() } while result < 0 && errno == EINTR
        return result
    }
}
