import CGIAdmin
import NIOPosix

/// `cgi fastcgi --admin`: the shared admin listener (CGIAdmin) on one event-loop thread of its
/// own, serving a ``PoolAdmin``. The manager's loop never serves it; it only posts to the board.
///
/// Start it after ``ManagerSignals`` blocked the manager's signals: the thread inherits that
/// mask, so SIGTERM, SIGHUP and SIGCHLD still reach the manager's signalfd and not the thread.
struct PoolAdminListener {
    private let group: MultiThreadedEventLoopGroup
    private let listener: AdminListener
    /// `http://HOST:PORT/`, with the port bound (for `--admin 127.0.0.1:0`).
    let url: String

    /// Binds `address` and serves `pages` on it.
    init(address: AdminAddress, pages: PoolAdmin) throws(FastCGIError) {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        do {
            listener = try AdminListener(address: address, group: group, pages: pages)
        } catch {
            try? group.syncShutdownGracefully()
            throw .admin(address.description, reason: "\(error)")
        }
        url = listener.url(for: address)
    }

    /// Stops listening and ends the thread.
    func stop() {
        listener.close()
        try? group.syncShutdownGracefully()
    }
}
