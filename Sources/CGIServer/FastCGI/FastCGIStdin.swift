import CGIGateway
import NIOCore

/// A FastCGI request's STDIN stream (FastCGI 1.0 §5.3) as a ``ScriptInputSink``: each piece of
/// the body goes out as STDIN records, the end as the empty record. Closing it writes nothing:
/// the responder owns the connection and sends ABORT_REQUEST when the request is given up.
final class FastCGIStdin: ScriptInputSink {
    private let channel: any Channel
    private let records: FastCGIClientExchange

    /// The STDIN stream of the request that `records` makes records for, on `channel`.
    init(channel: any Channel, records: FastCGIClientExchange) {
        self.channel = channel
        self.records = records
    }

    var isWritable: Bool { channel.isWritable }

    func write(_ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        let bytes = buffer.withUnsafeReadableBytes { records.stdin($0) }
        return channel.write(channel.allocator.buffer(bytes: bytes))
    }

    func flush() {
        channel.flush()
    }

    func end() {
        channel.writeAndFlush(channel.allocator.buffer(bytes: records.stdinEnd()), promise: nil)
    }

    func close() {}
}
