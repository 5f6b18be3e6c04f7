import Glibc

/// FastCGI output a signal handler may send: records whose headers are built on the stack
/// and written with `write(2)`, nothing allocated. ``CrashHandler`` uses it to send a crashed
/// request's 500 page and END_REQUEST on the request's connection.
enum FastCGICrashOutput {
    /// Sends `bytes` as STDOUT records of `requestID` (no padding; it is optional).
    static func writeStdout(_ bytes: UnsafeRawBufferPointer, socket: Int32, requestID: UInt16) {
        guard let base = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            let length = min(bytes.count - offset, FastCGIRecordEncoder.streamChunkLength)
            writeHeader(.stdout, requestID: requestID, contentLength: length, socket: socket)
            SignalSafeBuffer.writeAll(base + offset, length, to: socket)
            offset += length
        }
    }

    /// Ends STDOUT and the request: the empty STDOUT record, then END_REQUEST with
    /// application status 1.
    static func endRequest(socket: Int32, requestID: UInt16) {
        writeHeader(.stdout, requestID: requestID, contentLength: 0, socket: socket)
        writeHeader(.endRequest, requestID: requestID, contentLength: 8, socket: socket)
        var body: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (
            0, 0, 0, 1, FastCGIProtocolStatus.requestComplete.rawValue, 0, 0, 0
        )
        withUnsafeBytes(of: &body) { SignalSafeBuffer.writeAll($0.baseAddress!, $0.count, to: socket) }
    }

    private static func writeHeader(_ kind: FastCGIRecord.Kind, requestID: UInt16, contentLength: Int, socket: Int32) {
        var header: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (
            FastCGIRecord.version, kind.rawValue, UInt8(requestID >> 8), UInt8(requestID & 0xFF),
            UInt8(contentLength >> 8), UInt8(contentLength & 0xFF), 0, 0
        )
        withUnsafeBytes(of: &header) { SignalSafeBuffer.writeAll($0.baseAddress!, $0.count, to: socket) }
    }
}
