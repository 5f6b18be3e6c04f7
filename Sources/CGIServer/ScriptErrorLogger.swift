import Logging
import NIOCore

/// Reads a script's stderr and logs it line by line, tagged with the script and the request id.
/// The text is the script's, hence untrusted: the log handler escapes nothing, so control bytes are shown as `\xNN`.
final class ScriptErrorLogger: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    /// Tagged when the first line arrives (most scripts write none).
    private lazy var logger = untaggedLogger.tagged(request: request, script: script)
    private let untaggedLogger: Logger
    private let request: RequestID
    private let script: String
    private var partialLine: [UInt8] = []
    private static let maxLine = 4096

    /// Logs to `logger`, tagging each line with `request` and `script`.
    init(logger: Logger, request: RequestID, script: String) {
        untaggedLogger = logger
        self.request = request
        self.script = script
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
