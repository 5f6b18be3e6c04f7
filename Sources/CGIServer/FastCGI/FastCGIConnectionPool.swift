import CGIGateway
import Glibc
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Connections to FastCGI applications, kept open between requests (FCGI_KEEP_CONN, FastCGI 1.0
/// §5.1) and reused: per event loop and address, at most ``maxIdle`` idle ones, each closed after
/// ``idleTime`` unused. A connection closed by its application while idle leaves the pool at once.
///
/// An application like PHP-FPM gives each connection a worker of its own for as long as it is
/// open, so every idle connection holds a worker: the pool keeps few, and not for long, so that a
/// request on another event loop always finds a worker to connect to (the pool needs more workers
/// than the server has event loops).
///
/// An application at a `--fastcgi-pass` address is asked once what it can do (GET_VALUES
/// FCGI_MPXS_CONNS and FCGI_MAX_REQS, with the first request on a new connection; ``slot(to:on:timeout:)``).
/// Once it said FCGI_MPXS_CONNS=1, its requests on an event loop share connections
/// (``FastCGIConnection/isShared``): each new request takes an id on the first shared connection
/// with room (at most FCGI_MAX_REQS, capped at 16, at once), and a new connection is made only
/// when all are full. An application that says 0 or does not answer (PHP-FPM says 0) keeps one
/// request per connection. A shared connection whose requests all ended is closed after ``idleTime``.
final class FastCGIConnectionPool: Sendable {
    /// Most idle connections kept per event loop and address; more are closed.
    static let maxIdle = 1
    /// How long an idle connection is kept.
    static let idleTime = TimeAmount.seconds(5)
    /// Each event loop's idle connections, created on the loop the first time it asks.
    private let loops = NIOLockedValueBox<[ObjectIdentifier: NIOLoopBoundBox<[FastCGIAddress: [FastCGIConnection]]>]>([:])
    /// Each event loop's shared connections and the one being made, per address.
    private let sharedLoops = NIOLockedValueBox<[ObjectIdentifier: NIOLoopBoundBox<SharedConnections>]>([:])
    /// What each application answered: how many requests a connection carries (0 for one at a
    /// time, FCGI_MPXS_CONNS=0); no entry while unknown.
    private let capacities = NIOLockedValueBox<[FastCGIAddress: Int]>([:])

    /// One event loop's shared connections.
    private struct SharedConnections {
        var connections: [FastCGIAddress: [FastCGIConnection]] = [:]
        var connecting: [FastCGIAddress: EventLoopFuture<FastCGIConnection>] = [:]
    }

    /// Where a request to an application goes: a connection and the request id to use on it.
    struct Slot: Sendable {
        /// The connection, shared or the request's alone.
        let connection: FastCGIConnection
        /// The id the request's records carry: reserved on a shared connection, else 1.
        let requestID: UInt16
        /// Whether to ask the application GET_VALUES FCGI_MPXS_CONNS and FCGI_MAX_REQS first.
        let asksValues: Bool
    }

    /// A place for a request to the application at `address` on `loop` (the caller's): on a
    /// shared connection with room when the application multiplexes, else as ``connection(to:on:timeout:)``.
    func slot(to address: FastCGIAddress, on loop: any EventLoop, timeout: TimeAmount) -> EventLoopFuture<Slot> {
        let capacity = capacities.withLockedValue { $0[address] }
        guard let capacity, capacity > 1 else {
            return connection(to: address, on: loop, timeout: timeout).map { connection in
                Slot(connection: connection, requestID: 1, asksValues: capacity == nil && !connection.isReused)
            }
        }
        let shared = sharedConnections(on: loop)
        if let connection = shared.value.connections[address]?.first(where: \.hasRoom), let id = connection.reserveRequestID() {
            return loop.makeSucceededFuture(Slot(connection: connection, requestID: id, asksValues: false))
        }
        // Requests that find every connection full wait for the one being made, then look again.
        if let connecting = shared.value.connecting[address] {
            return connecting.flatMap { [self] _ in slot(to: address, on: loop, timeout: timeout) }
        }
        let connecting = connection(to: address, on: loop, timeout: timeout, kept: false).map { connection in
            connection.startSharing(capacity: capacity)
            connection.closedWhileIdle = { [weak connection] in
                guard let connection else { return }
                shared.value.connections[address]?.removeAll { $0 === connection }
            }
            shared.value.connections[address, default: []].append(connection)
            return connection
        }
        shared.value.connecting[address] = connecting
        connecting.whenComplete { _ in shared.value.connecting[address] = nil }
        return connecting.flatMap { [self] _ in slot(to: address, on: loop, timeout: timeout) }
    }

    /// Remembers what the application at `address` answered GET_VALUES.
    func learn(_ values: [String: String], of address: FastCGIAddress) {
        let capacity = FastCGIMultiplexer.capacity(answering: values) ?? 0
        capacities.withLockedValue { $0[address] = capacity }
    }

    /// Frees the id of a request that ended on a shared connection; a connection left without
    /// requests is closed after ``idleTime`` unless another comes.
    func release(_ requestID: UInt16, on connection: FastCGIConnection) {
        connection.release(requestID)
        guard connection.liveRequests == 0, connection.channel.isActive else { return }
        let uses = connection.uses
        connection.channel.eventLoop.assumeIsolated().scheduleTask(in: Self.idleTime) { [weak connection] in
            guard let connection, connection.uses == uses, connection.liveRequests == 0 else { return }
            connection.channel.close(promise: nil)
        }
    }

    /// A connection to `address` on `loop` (the caller's): an idle one, or a new one made within `timeout`.
    /// - Throws (in the future): ``FastCGIApplicationError/unreachable(address:reason:)``.
    func connection(
        to address: FastCGIAddress, on loop: any EventLoop, timeout: TimeAmount
    ) -> EventLoopFuture<
        FastCGIConnection
    > {
        connection(to: address, on: loop, timeout: timeout, kept: true)
    }

    private func connection(
        to address: FastCGIAddress, on loop: any EventLoop, timeout: TimeAmount, kept: Bool
    ) -> EventLoopFuture<FastCGIConnection> {
        let idle = idleConnections(on: loop)
        if kept, let connection = idle.value[address]?.popLast() {
            return loop.makeSucceededFuture(connection)
        }
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(FastCGIConnectionHandler())
                }
            }
        let connecting: EventLoopFuture<any Channel> =
            switch address {
            case .unix(let path): bootstrap.connect(unixDomainSocketPath: path)
            case .tcp(let host, let port): bootstrap.connect(host: host, port: port)
            }
        return connecting.flatMapErrorThrowing { error in
            throw FastCGIApplicationError.unreachable(address: address.description, reason: Self.reason(error))
        }.assumeIsolated().flatMapThrowing { channel in
            let connection = FastCGIConnection(channel: channel, address: address)
            try channel.pipeline.syncOperations.handler(type: FastCGIConnectionHandler.self).connection = connection
            return connection
        }.nonisolated()
    }

    /// Takes back a connection whose request ended cleanly, on its event loop; closes it when
    /// enough wait already.
    func release(_ connection: FastCGIConnection) {
        let loop = connection.channel.eventLoop
        let idle = idleConnections(on: loop)
        connection.prepareForNextRequest()
        guard connection.channel.isActive, idle.value[connection.address, default: []].count < Self.maxIdle else {
            return connection.channel.close(promise: nil)
        }
        connection.closedWhileIdle = { [weak connection] in
            guard let connection else { return }
            idle.value[connection.address]?.removeAll { $0 === connection }
        }
        idle.value[connection.address, default: []].append(connection)
        let uses = connection.uses
        loop.assumeIsolated().scheduleTask(in: Self.idleTime) { [weak connection] in
            guard let connection, connection.uses == uses, connection.user == nil else { return }
            connection.channel.close(promise: nil)
        }
    }

    private func sharedConnections(on loop: any EventLoop) -> NIOLoopBoundBox<SharedConnections> {
        sharedLoops.withLockedValue { loops in
            if let box = loops[ObjectIdentifier(loop)] { return box }
            let box = NIOLoopBoundBox(SharedConnections(), eventLoop: loop)
            loops[ObjectIdentifier(loop)] = box
            return box
        }
    }

    private func idleConnections(on loop: any EventLoop) -> NIOLoopBoundBox<[FastCGIAddress: [FastCGIConnection]]> {
        loops.withLockedValue { loops in
            if let box = loops[ObjectIdentifier(loop)] { return box }
            let box = NIOLoopBoundBox([FastCGIAddress: [FastCGIConnection]](), eventLoop: loop)
            loops[ObjectIdentifier(loop)] = box
            return box
        }
    }

    /// A connect error as the system words it, such as `Connection refused`.
    private static func reason(_ error: any Error) -> String {
        if let error = error as? IOError { return String(cString: strerror(error.errnoCode)) }
        if let error = error as? NIOConnectionError, let first = error.connectionErrors.first {
            return reason(first.error)
        }
        if case ChannelError.connectTimeout(let time) = error { return "no connection within \(time.nanoseconds / 1_000_000) ms" }
        return "\(error)"
    }
}
