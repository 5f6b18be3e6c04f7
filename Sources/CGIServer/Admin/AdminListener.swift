import NIOCore
import NIOHTTP1
import NIOPosix

/// The admin listener (`--admin HOST:PORT`): a socket of its own on one event loop, serving
/// ``AdminHandler``. The public listeners never route to it.
struct AdminListener {
    let channel: any Channel

    /// Binds `address` on `group` and serves `state`.
    init(address: AdminAddress, group: any EventLoopGroup, state: AdminState) throws {
        channel = try ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(AdminHandler(state: state))
                }
            }
            .bind(host: address.host, port: address.port).wait()
    }

    /// The port it listens on.
    var port: Int? { channel.localAddress?.port }

    /// Stops listening.
    func close() {
        try? channel.close().wait()
    }
}
