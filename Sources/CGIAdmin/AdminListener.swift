import NIOCore
import NIOHTTP1
import NIOPosix

/// An admin listener (`--admin HOST:PORT`): a socket of its own on an event loop, serving
/// ``AdminHandler``. The public listeners never route to it.
package struct AdminListener {
    /// The listening channel.
    package let channel: any Channel

    /// Binds `address` on `group` and serves `pages`.
    package init(address: AdminAddress, group: any EventLoopGroup, pages: any AdminPages) throws {
        channel = try ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(AdminHandler(pages: pages))
                }
            }
            .bind(host: address.host, port: address.port).wait()
    }

    /// The port it listens on.
    package var port: Int? { channel.localAddress?.port }

    /// The URL it answers on, `http://HOST:PORT/` with the port actually bound (for `:0`).
    package func url(for address: AdminAddress) -> String {
        let host = address.host.contains(":") ? "[\(address.host)]" : address.host
        return "http://\(host):\(port ?? address.port)/"
    }

    /// Stops listening.
    package func close() {
        try? channel.close().wait()
    }
}
