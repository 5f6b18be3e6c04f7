import NIOCore

final class CGIExchange {
    func receivedBody(_ buffer: ByteBuffer) {}
    func receivedEnd() {}
    func clientDisconnected() {}
    func clientBecameWritable() {}
}
