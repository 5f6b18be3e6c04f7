import Glibc

/// The request body on standard input, read exactly as RFC 3875 §4.2 asks: never more than
/// CONTENT_LENGTH bytes, and without CONTENT_LENGTH to end of file, up to a limit.
///
/// A body that ends before CONTENT_LENGTH bytes arrived is ``CGIError/truncated(_:)``; one
/// that would pass the limit is ``CGIError/bodyTooLarge(limit:)``, raised before any byte is
/// read when CONTENT_LENGTH already says so.
public final class BodyStream {
    /// The descriptor read from (standard input for a CGI script), or -1 when the body comes
    /// from a FastCGI request's STDIN records.
    public let fileDescriptor: Int32
    /// The declared length (CONTENT_LENGTH), or nil when the request has none.
    public let contentLength: Int?
    /// The most bytes this stream will deliver.
    public let limit: Int
    /// Bytes delivered so far.
    public private(set) var bytesRead = 0
    private var atEnd = false
    private let input: BodyInput

    /// Creates a stream over `fileDescriptor`.
    /// - Throws: ``CGIError/bodyTooLarge(limit:)`` when `contentLength` exceeds `limit`.
    public convenience init(fileDescriptor: Int32 = 0, contentLength: Int?, limit: Int) throws {
        try self.init(input: .fileDescriptor(fileDescriptor), contentLength: contentLength, limit: limit)
    }

    /// Creates a stream over `input`.
    /// - Throws: ``CGIError/bodyTooLarge(limit:)`` when `contentLength` exceeds `limit`.
    init(input: BodyInput, contentLength: Int?, limit: Int) throws {
        if let contentLength, contentLength > limit { throw CGIError.bodyTooLarge(limit: limit) }
        if case .fileDescriptor(let descriptor) = input { fileDescriptor = descriptor } else { fileDescriptor = -1 }
        self.input = input
        self.contentLength = contentLength
        self.limit = limit
    }

    /// Reads up to `buffer.count` bytes into `buffer`; returns 0 at the end of the body.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if atEnd || buffer.isEmpty { return 0 }
        var wanted = buffer.count
        if let contentLength {
            wanted = min(wanted, contentLength - bytesRead)
            if wanted == 0 { atEnd = true; return 0 }
        } else {
            // One byte past the limit tells "exactly at the limit" from "over it".
            wanted = min(wanted, limit - bytesRead + 1)
        }
        let count = try input.read(into: buffer.baseAddress, count: wanted)
        if count == 0 {
            atEnd = true
            if let contentLength, bytesRead < contentLength {
                throw CGIError.truncated("CONTENT_LENGTH is \(contentLength) but only \(bytesRead) bytes arrived")
            }
            return 0
        }
        bytesRead += count
        if contentLength == nil && bytesRead > limit { throw CGIError.bodyTooLarge(limit: limit) }
        return count
    }

    /// Reads the rest of the body into memory.
    /// - Parameter maxBytes: the most bytes to accept; more is ``CGIError/bodyTooLarge(limit:)``.
    public func readAll(maxBytes: Int = .max) throws -> [UInt8] {
        let cap = min(maxBytes, limit)
        if let contentLength, contentLength - bytesRead > cap { throw CGIError.bodyTooLarge(limit: cap) }
        var bytes: [UInt8] = []
        if let contentLength { bytes.reserveCapacity(contentLength - bytesRead) }
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = try chunk.withUnsafeMutableBytes { try read(into: $0) }
            if count == 0 { return bytes }
            if bytes.count + count > cap { throw CGIError.bodyTooLarge(limit: cap) }
            bytes.append(contentsOf: chunk[..<count])
        }
    }
}
