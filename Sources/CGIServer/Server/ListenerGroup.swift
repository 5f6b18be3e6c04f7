import Glibc
import NIOCore
import NIOPosix

/// The server's listening sockets: one per event loop, all bound to the same address with
/// `SO_REUSEPORT`. The kernel spreads new connections over them, so each loop accepts and
/// serves its own connections; with a single listener, the accepting loop handed every new
/// connection to another thread (about 40 µs of CPU per connection here).
///
/// `SO_REUSEPORT` would also let a second server of the same user join the group and take a
/// share of the connections. So a taken port is checked first with a plain bind, which fails
/// while any socket listens there: a second `cgi-server` on the same port fails to start.
struct ListenerGroup {
    /// The bound server channels, one per event loop.
    let channels: [any Channel]

    /// The port the group listens on (the one the kernel chose when asked for port 0).
    var port: Int? { channels.first?.localAddress?.port }

    /// The address the group listens on, as the kernel reports it.
    var address: SocketAddress? { channels.first?.localAddress }

    /// Binds `bootstrap(loop, loop)` on every loop of `group` to `host` and `port` (0: any free port).
    init(
        group: MultiThreadedEventLoopGroup, host: String, port: Int,
        bootstrap: (any EventLoop, any EventLoopGroup) -> ServerBootstrap
    ) throws {
        if port != 0 { try Self.checkFree(host: host, port: port) }
        var channels: [any Channel] = []
        do {
            var port = port
            for loop in group.makeIterator() {
                let channel = try bootstrap(loop, loop)
                    .serverChannelOption(.socketOption(NIOBSDSocket.Option(rawValue: SO_REUSEPORT)), value: 1)
                    .bind(host: host, port: port).wait()
                channels.append(channel)
                port = channel.localAddress?.port ?? port
            }
        } catch {
            channels.forEach { $0.close(promise: nil) }
            throw error
        }
        self.channels = channels
    }

    /// Listens on sockets bound by someone else (systemd's socket activation): one channel for
    /// each, accepting on a loop of `group` and handing connections to all of `group`'s loops
    /// (`bootstrap(loop, group)`). The sockets are the group's from then on.
    init(
        group: MultiThreadedEventLoopGroup, descriptors: [Int32],
        bootstrap: (any EventLoop, any EventLoopGroup) -> ServerBootstrap
    ) throws {
        var channels: [any Channel] = []
        do {
            for descriptor in descriptors {
                channels.append(try bootstrap(group.next(), group).withBoundSocket(descriptor).wait())
            }
        } catch {
            for channel in channels { channel.close(promise: nil) }
            throw error
        }
        self.channels = channels
    }

    /// Closes every listener (connections already accepted stay open).
    func close() {
        for channel in channels { try? channel.close().wait() }
    }

    /// Throws `EADDRINUSE` (as NIO's `IOError`) when a socket listens on the address already.
    private static func checkFree(host: String, port: Int) throws {
        let address = try SocketAddress.makeAddressResolvingHost(host, port: port)
        let probe = socket(Int32(address.protocol.rawValue), Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard probe >= 0 else { throw IOError(errnoCode: errno, reason: "socket") }
        defer { Glibc.close(probe) }
        // As on the listeners: connections in TIME_WAIT from an earlier run do not count as taken.
        var on: Int32 = 1
        setsockopt(probe, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        let result = address.withSockAddr { pointer, size in Glibc.bind(probe, pointer, socklen_t(size)) }
        guard result == 0 else { throw IOError(errnoCode: errno, reason: "bind") }
    }
}
