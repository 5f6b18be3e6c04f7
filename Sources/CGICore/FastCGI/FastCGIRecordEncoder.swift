/// Writes FastCGI records: the 8-byte header, the content, and padding to a multiple of
/// 8 bytes (FastCGI 1.0 §3.3 recommends the alignment).
package enum FastCGIRecordEncoder {
    /// The most content one record carries when this encoder splits a stream: a multiple of 8,
    /// so whole records need no padding.
    package static let streamChunkLength = 65_528

    /// Appends one record with `content` (at most 65,535 bytes) to `output`.
    package static func append(
        type: UInt8, requestID: UInt16, content: UnsafeRawBufferPointer, to output: inout [UInt8]
    ) {
        precondition(content.count <= FastCGIRecord.maxContentLength, "a record holds at most 65,535 bytes")
        let padding = (8 - content.count % 8) % 8
        output.append(contentsOf: [
            FastCGIRecord.version, type, UInt8(requestID >> 8), UInt8(requestID & 0xFF),
            UInt8(content.count >> 8), UInt8(content.count & 0xFF), UInt8(padding), 0,
        ])
        output.append(contentsOf: content)
        output.append(contentsOf: repeatElement(0, count: padding))
    }

    /// Appends `record` to `output`.
    package static func append(_ record: FastCGIRecord, to output: inout [UInt8]) {
        record.content.withUnsafeBytes { append(type: record.type, requestID: record.requestID, content: $0, to: &output) }
    }

    /// Appends `bytes` as records of the stream `kind` (STDOUT, STDERR, PARAMS, …), split into
    /// records of at most ``streamChunkLength`` bytes; no bytes append nothing (the empty
    /// record that ends a stream is ``appendEndOfStream(_:requestID:to:)``).
    package static func appendStream(
        _ kind: FastCGIRecord.Kind, requestID: UInt16, bytes: UnsafeRawBufferPointer, to output: inout [UInt8]
    ) {
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + streamChunkLength, bytes.count)
            append(
                type: kind.rawValue, requestID: requestID, content: UnsafeRawBufferPointer(rebasing: bytes[offset..<end]),
                to: &output)
            offset = end
        }
    }

    /// Appends the empty record that ends the stream `kind`.
    package static func appendEndOfStream(_ kind: FastCGIRecord.Kind, requestID: UInt16, to output: inout [UInt8]) {
        append(type: kind.rawValue, requestID: requestID, content: UnsafeRawBufferPointer(start: nil, count: 0), to: &output)
    }

    /// Appends an END_REQUEST record (FastCGI 1.0 §5.5).
    package static func appendEndRequest(
        requestID: UInt16, appStatus: UInt32 = 0, protocolStatus: FastCGIProtocolStatus, to output: inout [UInt8]
    ) {
        let body: [UInt8] = [
            UInt8(appStatus >> 24), UInt8(appStatus >> 16 & 0xFF), UInt8(appStatus >> 8 & 0xFF), UInt8(appStatus & 0xFF),
            protocolStatus.rawValue, 0, 0, 0,
        ]
        append(FastCGIRecord(.endRequest, requestID: requestID, content: body), to: &output)
    }
}

/// How a request ended, in END_REQUEST (FastCGI 1.0 §5.5).
package enum FastCGIProtocolStatus: UInt8, Sendable {
    /// The request was answered (or aborted by the web server).
    case requestComplete = 0
    /// A second request arrived on a connection that carries one request at a time.
    case cantMultiplexConnection = 1
    /// The application is out of some resource.
    case overloaded = 2
    /// The application does not play the role asked for (the filter role, say).
    case unknownRole = 3
}
