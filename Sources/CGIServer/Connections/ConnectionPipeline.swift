import NIOCore
import NIOHTTP1

/// The handlers of one client connection, outermost first (after TLS, when it is on):
/// ``ResponseEncoder`` (response parts to bytes), ``RequestLineWatcher`` (tells a long request
/// line from a large head), ``RequestStreamNormalizer`` (rewrites what HTTP allows but the
/// decoder refuses), NIO's request decoder and pipelining helper, and the ``HTTPConnectionHandler``.
enum ConnectionPipeline {
    /// Adds the handlers of connection number `connectionNumber` to `pipeline`.
    static func addHandlers(
        to pipeline: ChannelPipeline.SynchronousOperations, server: ServerContext, connectionNumber: Int
    ) throws {
        let configuration = server.configuration
        var limits = NIOHTTPDecoderLimitConfiguration()
        limits.maxHeaderFieldSize = configuration.maxHeaderSize
        limits.maxHeaderListSize = configuration.maxHeaderSize
        limits.maxHeaderFieldCount = 1000
        let encoder = ResponseEncoder()
        let lineWatcher = RequestLineWatcher(maxRequestTargetSize: configuration.maxRequestTargetSize)
        try pipeline.addHandler(encoder)
        try pipeline.addHandler(lineWatcher)
        try pipeline.addHandler(
            RequestStreamNormalizer(longestHeadLine: configuration.maxHeaderSize + configuration.maxRequestTargetSize + 64))
        try pipeline.addHandler(ByteToMessageHandler(HTTPRequestDecoder(limitConfiguration: limits)))
        try pipeline.addHandler(HTTPServerPipelineHandler())
        try pipeline.addHandler(
            HTTPConnectionHandler(server: server, connectionNumber: connectionNumber, encoder: encoder, lineWatcher: lineWatcher))
    }
}
