import NIOCore

/// Sits on the pipe channel of a script's stdout: hands output and end-of-output to the request's ``CGIHandler``.
final class ScriptOutputReader: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    private let handler: CGIHandler

    init(handler: CGIHandler) {
        self.handler = handler
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        handler.receivedOutput(unwrapInboundIn(data))
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event { handler.outputEnded() }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        handler.outputEnded()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
