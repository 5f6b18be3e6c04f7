/// Where a response's bytes go: a file descriptor (standard output for a CGI script) or the
/// STDOUT records of a FastCGI request.
enum ResponseOutput {
    /// Writes to a descriptor.
    case fileDescriptor(Int32)
    /// Sends a FastCGI request's STDOUT.
    case fastCGI(FastCGIRequest)

    /// Sends all of `bytes` at once.
    /// - Throws: ``CGIError/io(operation:errno:)``, or ``FastCGIRequestAborted``.
    func write(_ bytes: [UInt8]) throws {
        switch self {
        case .fileDescriptor(let descriptor): try FileDescriptorOutput.write(bytes, to: descriptor)
        case .fastCGI(let request): try request.writeStdout(bytes)
        }
    }

    /// Sends the response's last bytes: a FastCGI request ends with them, its STDOUT, the
    /// records that close the streams and END_REQUEST going out in one write.
    /// - Throws: ``CGIError/io(operation:errno:)``, or ``FastCGIRequestAborted``.
    func writeLast(_ bytes: [UInt8]) throws {
        switch self {
        case .fileDescriptor(let descriptor): if !bytes.isEmpty { try FileDescriptorOutput.write(bytes, to: descriptor) }
        case .fastCGI(let request): try request.end(lastStdout: bytes)
        }
    }
}
