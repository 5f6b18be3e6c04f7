import CGICore
import CGIGateway
import NIOCore

/// What a FastCGI connection tells the request using it (``FastCGIConnection/user``), on the
/// connection's event loop.
protocol FastCGIConnectionUser: AnyObject {
    /// Bytes from the application, on a connection that carries one request at a time.
    func connectionReceived(_ buffer: ByteBuffer)
    /// A record for this user's request, on a connection that carries several (``FastCGIConnection/multiplexer``).
    func connectionReceived(record: FastCGIRecord)
    /// The connection can take more after its send buffer was full.
    func connectionBecameWritable()
    /// The connection closed or broke.
    func connectionClosed()
}

/// One connection to a FastCGI application, used by one request at a time and kept for the next
/// one by a ``FastCGIConnectionPool`` when the request ended cleanly (FCGI_KEEP_CONN); or, to an
/// application that said FCGI_MPXS_CONNS=1, shared by several requests at once: then its
/// ``multiplexer`` hands out request ids and routes each record to the user of its id.
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
    /// Called when it closes while idle, so that the pool forgets it; for a shared connection,
    /// whenever it closes (before its users hear of it).
    var closedWhileIdle: (() -> Void)?
    /// For a connection shared by several requests: their ids and the records arriving.
    private(set) var multiplexer: FastCGIMultiplexer?
    /// The request of each live id on a shared connection (an id may be reserved before its user comes).
    private var users: [UInt16: WeakUser] = [:]
    /// Why a shared connection broke, for the requests on it; nil for a close.
    private(set) var failure: FastCGIApplicationError?
    /// Whether several requests share it.
    var isShared: Bool { multiplexer != nil }

    private struct WeakUser {
        weak var user: (any FastCGIConnectionUser)?
    }

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

extension FastCGIConnection {
    /// Makes it a connection that several requests share, up to `capacity` at once; it is read
    /// all the time (a shared connection is never paused: ``FastCGIResponder`` has the rule).
    func startSharing(capacity: Int) {
        precondition(user == nil && multiplexer == nil)
        multiplexer = FastCGIMultiplexer(capacity: capacity)
        channel.setAutoRead(true)
    }

    /// Whether a shared connection can take another request now.
    var hasRoom: Bool { channel.isActive && multiplexer?.hasRoom == true }

    /// A request id on a shared connection, reserved until ``release(_:)``; nil when it is full.
    func reserveRequestID() -> UInt16? {
        guard channel.isActive, let id = multiplexer?.allocate() else { return nil }
        uses += 1
        return id
    }

    /// `user` takes the records of the request `id` (reserved with ``reserveRequestID()``).
    func attach(_ user: any FastCGIConnectionUser, as id: UInt16) {
        users[id] = WeakUser(user: user)
    }

    /// Frees the id of a request that ended on a shared connection.
    func release(_ id: UInt16) {
        users[id] = nil
        multiplexer?.release(id)
    }

    /// How many requests are live on a shared connection.
    var liveRequests: Int { multiplexer?.liveCount ?? 0 }

    /// Routes bytes read from a shared connection to the users of their ids; a protocol
    /// violation closes it (every user hears of the close, with ``failure``).
    fileprivate func demultiplex(_ buffer: ByteBuffer) {
        buffer.withUnsafeReadableBytes { multiplexer?.receive($0) }
        while let event = multiplexer?.next() {
            switch event {
            case .record(let record):
                if let user = users[record.requestID]?.user {
                    user.connectionReceived(record: record)
                } else if record.kind == .endRequest {
                    // The request was given up and its responder is gone: its id is free now.
                    release(record.requestID)
                }
            case .values:
                break
            case .failed(let error):
                failure = error
                channel.close(promise: nil)
            }
        }
    }

    /// Tells every user of a shared connection that it closed.
    fileprivate func sharedConnectionClosed() {
        if failure == nil, let multiplexer { failure = multiplexer.closingError }
        closedWhileIdle?()
        let users = self.users.values.compactMap(\.user)
        self.users = [:]
        for user in users { user.connectionClosed() }
    }

    fileprivate func sharedConnectionBecameWritable() {
        for user in users.values.compactMap(\.user) { user.connectionBecameWritable() }
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
        if let connection, connection.isShared { return connection.demultiplex(unwrapInboundIn(data)) }
        guard let user = connection?.user else { return context.close(promise: nil) }
        user.connectionReceived(unwrapInboundIn(data))
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        guard context.channel.isWritable else { return }
        if let connection, connection.isShared { return connection.sharedConnectionBecameWritable() }
        connection?.user?.connectionBecameWritable()
    }

    func channelInactive(context: ChannelHandlerContext) {
        guard let connection else { return }
        if connection.isShared { return connection.sharedConnectionClosed() }
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
