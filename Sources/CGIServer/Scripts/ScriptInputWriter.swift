import NIOCore

/// Sits on the pipe channel of a script's stdin: tells the request's ``ScriptInput`` when the pipe
/// can take more, and when the script stopped reading (EPIPE), so the rest of the body is dropped.
final class ScriptInputWriter: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    private let input: ScriptInput

    init(input: ScriptInput) {
        self.input = input
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { input.feed() }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        input.close()
    }
}
