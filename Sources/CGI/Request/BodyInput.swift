import Glibc

/// Where a request body's bytes come from: a file descriptor (standard input for a CGI
/// script) or the STDIN records of a FastCGI request.
enum BodyInput {
    /// Reads from a descriptor.
    case fileDescriptor(Int32)
    /// Reads a FastCGI request's STDIN.
    case fastCGI(FastCGIRequest)

    /// Reads up to `count` bytes into `buffer`; 0 at the end of the input.
    /// - Throws: ``CGIError/io(operation:errno:)``, or ``FastCGIRequestAborted``.
    func read(into buffer: UnsafeMutableRawPointer?, count: Int) throws -> Int {
        switch self {
        case .fileDescriptor(let descriptor):
            var result: Int
            repeat {
                result = Glibc.read(descriptor, buffer, count)
            } while result < 0 && errno == EINTR
            if result < 0 { throw CGIError.io(operation: "reading the request body", errno: errno) }
            return result
        case .fastCGI(let request):
            return try request.readBody(into: UnsafeMutableRawBufferPointer(start: buffer, count: count))
        }
    }
}
