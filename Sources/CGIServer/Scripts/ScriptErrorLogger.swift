import NIOCore

/// Sits on the pipe channel of a script's stderr (one that still writes there after its output
/// ended, or runs long): hands what arrives to the script's ``ScriptErrorLines``.
final class ScriptErrorLogger: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    private let lines: ScriptErrorLines

    init(lines: ScriptErrorLines) {
        self.lines = lines
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lines.append(unwrapInboundIn(data).readableBytesView)
    }

    func channelInactive(context: ChannelHandlerContext) {
        lines.finish()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
