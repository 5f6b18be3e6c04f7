import NIOCore
import NIOHTTP1

/// Passes a connection's raw bytes to the HTTP decoder in the forms it accepts, through a
/// ``RequestStreamFraming``: `HTTP/1.x` request lines as `HTTP/1.1`, chunk-size lines without
/// extensions. A chunk-size line that is too long is refused as a bad chunk size (400). Before
/// the bytes of a head go on, a ``RawHeaderValues`` event carries its values that hold bytes 0x80–0xFF.
final class RequestStreamNormalizer: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private var framing: RequestStreamFraming

    /// A normalizer that holds back head lines of up to `longestHeadLine` bytes until they end.
    init(longestHeadLine: Int) {
        framing = RequestStreamFraming(longestHeadLine: longestHeadLine)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let result = framing.normalize(unwrapInboundIn(data))
        for values in result.rawHeaderValues { context.fireUserInboundEventTriggered(values) }
        if result.output.readableBytes > 0 { context.fireChannelRead(wrapInboundOut(result.output)) }
        if result.refused { context.fireErrorCaught(HTTPParserError.invalidChunkSize) }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .some(.inputClosed) = event as? ChannelEvent { passHeldBytes(context: context) }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        passHeldBytes(context: context)
        context.fireChannelInactive()
    }

    /// The input ended: a line held back will never end, and the decoder gets it as it is.
    private func passHeldBytes(context: ChannelHandlerContext) {
        if let held = framing.takeHeldBytes() { context.fireChannelRead(wrapInboundOut(held)) }
    }
}
