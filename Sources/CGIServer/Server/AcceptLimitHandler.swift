import NIOCore

/// Keeps a listener below the server's connection limit (`--max-connections`, counted by the
/// ``ConnectionRegistry``): at the limit it stops accepting, and it accepts again as soon as a
/// connection closes.
///
/// New connections are not accepted rather than accepted and closed: they wait in the kernel's
/// listen queue and are served once a connection closes, so that a burst is delayed rather than
/// refused, and no descriptor is spent on a connection that is turned away. A listener may have
/// asked for connections just before another listener reached the limit; what it accepts then
/// is held here, unread, until a connection closes, and handed on in order.
final class AcceptLimitHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = any Channel
    typealias InboundOut = any Channel
    typealias OutboundIn = any Channel

    private let registry: ConnectionRegistry
    /// Accepted connections over the limit, in the order they came.
    private var held: [any Channel] = []
    /// Whether a closing connection will call ``read(context:)`` again.
    private var waiting = false

    init(registry: ConnectionRegistry) {
        self.registry = registry
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let child = unwrapInboundIn(data)
        if held.isEmpty && registry.admit(child) {
            context.fireChannelRead(data)
        } else {
            held.append(child)
        }
    }

    /// Hands on what is held while the limit allows, then asks for more connections if it still does.
    func read(context: ChannelHandlerContext) {
        guard !waiting else { return }
        while let first = held.first, registry.admit(first) {
            held.removeFirst()
            context.fireChannelRead(wrapInboundOut(first))
        }
        let loop = context.eventLoop
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: loop)
        let belowLimit = registry.belowLimit(orWhenBelow: {
            loop.execute {
                bound.value.handler.waiting = false
                bound.value.handler.read(context: bound.value.context)
            }
        })
        guard belowLimit else {
            waiting = true
            return
        }
        if held.isEmpty {
            context.read()
        } else {
            read(context: context)  // a connection closed since the last admit: hand on the next
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        held.forEach { $0.close(promise: nil) }
        held = []
    }
}
