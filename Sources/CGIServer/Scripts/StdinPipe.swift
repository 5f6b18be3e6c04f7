import NIOCore

/// A CGI script's stdin as a ``ScriptInputSink``: the pipe channel; its end and its close both
/// close the pipe (RFC 3875 §4.2: the script reads the body, then end-of-file).
final class StdinPipe: ScriptInputSink {
    private let channel: any Channel

    init(_ channel: any Channel) {
        self.channel = channel
    }

    var isWritable: Bool { channel.isWritable }

    func write(_ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        channel.write(buffer)
    }

    func flush() {
        channel.flush()
    }

    func end() {
        channel.close(promise: nil)
    }

    func close() {
        channel.close(promise: nil)
    }
}
