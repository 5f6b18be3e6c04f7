import Logging
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

/// Reads a script's stderr and logs it line by line, tagged with the script and the request id.
/// The text is the script's, hence untrusted: the log handler escapes nothing, so control bytes are shown as `\xNN`.
final class ScriptErrorLogger: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    private var logger: Logger
    private var partialLine: [UInt8] = []
    private static let maxLine = 4096

    init(logger: Logger) {
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        for byte in unwrapInboundIn(data).readableBytesView {
            if byte == UInt8(ascii: "\n") || partialLine.count >= Self.maxLine {
                flushLine()
            } else {
                partialLine.append(byte)
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !partialLine.isEmpty { flushLine() }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func flushLine() {
        logger.warning("\(AccessLog.escape(String(decoding: partialLine, as: UTF8.self)))")
        partialLine.removeAll(keepingCapacity: true)
    }
}
