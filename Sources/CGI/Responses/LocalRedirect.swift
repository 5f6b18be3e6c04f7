/// A local redirect (RFC 3875 §6.2.2): the script answers with a `Location` path on the same
/// server and nothing else, and the server serves that path as if it had been requested.
///
/// ```swift
/// try LocalRedirect(to: "/thanks.html").write()
/// ```
public struct LocalRedirect: Sendable {
    /// The path (and query) to serve instead: `abs-path [ "?" query-string ]`.
    public var location: String

    /// Creates a local redirect to `location`, which must start with `/`.
    public init(to location: String) {
        self.location = location
    }

    /// Writes `Location: PATH` and the blank line to `fileDescriptor` (standard output by
    /// default).
    /// - Throws: ``CGIError/invalidHeader(name:)`` with nothing written when the location does
    ///   not start with `/` or holds a space, control character or non-ASCII byte;
    ///   ``CGIError/io(operation:errno:)``.
    public func write(to fileDescriptor: Int32 = 1) throws {
        guard location.hasPrefix("/"), location.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw CGIError.invalidHeader(name: "Location")
        }
        try FileDescriptorOutput.write(Array("Location: \(location)\r\n\r\n".utf8), to: fileDescriptor)
    }
}
