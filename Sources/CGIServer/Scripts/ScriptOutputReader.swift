import NIOCore

/// Sits on the pipe channel of a script's stdout: hands output and end-of-output to the request's ``CGIResponder``.
final class ScriptOutputReader: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    private let responder: CGIResponder

    init(responder: CGIResponder) {
        self.responder = responder
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        responder.receivedOutput(unwrapInboundIn(data))
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event { responder.outputEnded() }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        responder.outputEnded()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
