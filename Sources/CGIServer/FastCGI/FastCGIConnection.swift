import NIOCore

/// What a FastCGI connection tells the request using it (``FastCGIConnection/user``), on the
/// connection's event loop.
protocol FastCGIConnectionUser: AnyObject {
    /// Bytes from the application.
    func connectionReceived(_ buffer: ByteBuffer)
    /// The connection can take more after its send buffer was full.
    func connectionBecameWritable()
    /// The connection closed or broke.
    func connectionClosed()
}

/// One connection to a FastCGI application, used by one request at a time and kept for the next
/// one by a ``FastCGIConnectionPool`` when the request ended cleanly (FCGI_KEEP_CONN).
///
/// Only its channel's event loop touches it (the pool keeps each loop's connections apart); it
/// crosses no thread, but travels in that loop's futures, hence `@unchecked Sendable`.
final class FastCGIConnection: @unchecked Sendable {
    /// The channel to the application.
    let channel: any Channel
    /// Where it leads.
    let address: FastCGIAddress
    /// How many requests used it before the current one (a kept connection may have been closed
    /// by the application meanwhile: PHP-FPM recycles its workers).
    private(set) var uses = 0
    /// Whether a request used it before the current one.
    var isReused: Bool { uses > 0 }
    /// The request using it; nil while it waits in the pool.
    weak var user: (any FastCGIConnectionUser)?
    /// Called when it closes while idle, so that the pool forgets it.
    var closedWhileIdle: (() -> Void)?

    init(channel: any Channel, address: FastCGIAddress) {
        self.channel = channel
        self.address = address
    }

    /// Makes it ready to wait for its next request, after one that ended cleanly: no user,
    /// counted as used, read again (so that a close or stray bytes are noticed while it waits).
    func prepareForNextRequest() {
        user = nil
        uses += 1
        channel.setAutoRead(true)
    }
}

/// The channel handler of a ``FastCGIConnection``: hands bytes, writability and the close to the
/// request using the connection. Bytes arriving while no request uses it break the protocol (an
/// application answers only requests), so the connection is closed.
final class FastCGIConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    /// Set once the channel exists.
    var connection: FastCGIConnection?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let user = connection?.user else { return context.close(promise: nil) }
        user.connectionReceived(unwrapInboundIn(data))
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { connection?.user?.connectionBecameWritable() }
    }

    func channelInactive(context: ChannelHandlerContext) {
        guard let connection else { return }
        if let user = connection.user {
            user.connectionClosed()
        } else {
            connection.closedWhileIdle?()
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
