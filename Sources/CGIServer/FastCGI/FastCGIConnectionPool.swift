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
final class FastCGIConnectionPool: Sendable {
    /// Most idle connections kept per event loop and address; more are closed.
    static let maxIdle = 1
    /// How long an idle connection is kept.
    static let idleTime = TimeAmount.seconds(5)
    /// Each event loop's idle connections, created on the loop the first time it asks.
    private let loops = NIOLockedValueBox<[ObjectIdentifier: NIOLoopBoundBox<[FastCGIAddress: [FastCGIConnection]]>]>([:])

    /// A connection to `address` on `loop` (the caller's): an idle one, or a new one made within `timeout`.
    /// - Throws (in the future): ``FastCGIApplicationError/unreachable(address:reason:)``.
    func connection(
        to address: FastCGIAddress, on loop: any EventLoop, timeout: TimeAmount
    ) -> EventLoopFuture<
        FastCGIConnection
    > {
        let idle = idleConnections(on: loop)
        if let connection = idle.value[address]?.popLast() {
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
