import NIOCore

/// Sits on the pipe channel of a script's stdin: tells the request's ``CGIHandler`` when the pipe
/// can take more, and when the script stopped reading (EPIPE), so the rest of the body is dropped.
final class ScriptInputWriter: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    private let handler: CGIHandler

    init(handler: CGIHandler) {
        self.handler = handler
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { handler.standardInputBecameWritable() }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        handler.standardInputFailed()
    }
}
