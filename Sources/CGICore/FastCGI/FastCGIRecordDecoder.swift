/// Turns the bytes of a FastCGI connection into records, however the bytes are split: feed
/// each read with ``append(_:)``, then take records with ``next()`` until it returns nil.
///
/// Padding is skipped. A header whose version is not 1 is
/// ``FastCGIProtocolError/unsupportedVersion(_:)``; after an error the decoder stays failed,
/// and the connection should be closed. Memory stays bounded by one record (at most
/// 8 + 65,535 + 255 bytes) plus the bytes of one read, as long as records are taken after
/// each append.
package struct FastCGIRecordDecoder: Sendable {
    private var buffer: [UInt8] = []
    /// Where the next record starts in `buffer`.
    private var start = 0
    private var failure: FastCGIProtocolError?

    /// Creates a decoder with nothing buffered.
    package init() {}

    /// Adds bytes read from the connection.
    package mutating func append(_ bytes: UnsafeRawBufferPointer) {
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// Adds bytes read from the connection.
    package mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    /// Whether bytes of a record that is not complete yet are waiting.
    package var hasPartialRecord: Bool { start < buffer.count }

    /// The next complete record, or nil until more bytes arrive.
    /// - Throws: ``FastCGIProtocolError/unsupportedVersion(_:)`` for a header that is not
    ///   FastCGI 1.0, then again on every call.
    package mutating func next() throws(FastCGIProtocolError) -> FastCGIRecord? {
        if let failure { throw failure }
        let available = buffer.count - start
        guard available >= FastCGIRecord.headerLength else { return nil }
        let version = buffer[start]
        guard version == FastCGIRecord.version else {
            failure = .unsupportedVersion(version)
            throw .unsupportedVersion(version)
        }
        let type = buffer[start + 1]
        let requestID = UInt16(buffer[start + 2]) << 8 | UInt16(buffer[start + 3])
        let contentLength = Int(buffer[start + 4]) << 8 | Int(buffer[start + 5])
        let paddingLength = Int(buffer[start + 6])
        let total = FastCGIRecord.headerLength + contentLength + paddingLength
        guard available >= total else { return nil }
        let contentStart = start + FastCGIRecord.headerLength
        let record = FastCGIRecord(
            type: type, requestID: requestID, content: Array(buffer[contentStart..<contentStart + contentLength]))
        start += total
        return record
    }

    /// Drops the bytes of records already taken.
    private mutating func compact() {
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        } else if start > 0 {
            buffer.removeFirst(start)
            start = 0
        }
    }
}
