import NIOCore
import NIOEmbedded
import NIOHTTP1

/// The handlers of one client connection, outermost first (after TLS, when it is on):
/// ``ResponseEncoder`` (response parts to bytes), ``RequestLineWatcher`` (tells a long request
/// line from a large head), ``RequestStreamNormalizer`` (rewrites what HTTP allows but the
/// decoder refuses), NIO's request decoder and pipelining helper, and the ``HTTPConnectionHandler``.
enum ConnectionPipeline {
    /// Builds one pipeline on an unconnected `EmbeddedChannel`, on the calling thread, before any
    /// event loop accepts: the Swift runtime then instantiates these handlers' generic metadata
    /// on one thread. Two event loops doing it at once for their first connections crashed the
    /// server once (a null pointer in the runtime's `swift_checkMetadataState`, under
    /// `swift_conformsToProtocol`, from `addHandlers`).
    static func instantiateMetadata(server: ServerContext) throws {
        let channel = EmbeddedChannel()
        try addHandlers(to: channel.pipeline.syncOperations, server: server, connectionNumber: 0)
        _ = try? channel.finish()
    }

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
