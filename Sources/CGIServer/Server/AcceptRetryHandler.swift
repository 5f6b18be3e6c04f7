import Glibc
import NIOCore

/// Makes a listener wait ``delay`` after an accept that failed for want of resources (`EMFILE`,
/// `ENFILE`: out of descriptors; `ENOBUFS`, `ENOMEM`) before it tries again, and logs the
/// failure (``AcceptFailureLog``). Other failures, such as a connection reset before it was
/// accepted, concern one connection and pass on.
///
/// The connection that could not be accepted stays in the listen queue, so the socket stays
/// readable; NIO keeps its read pending after the failure and tries again at once, spinning every
/// event loop on a failing `accept`. NIO's `AcceptBackoffHandler` does not stop that here: it
/// delays the next `read()`, and none comes while the failed one is still pending (measured:
/// 44,000 failed accepts a second with it installed). So this handler turns the listener's
/// `autoRead` off, which stops NIO watching the socket, and on again after ``delay``.
final class AcceptRetryHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = any Channel
    typealias InboundOut = any Channel

    /// How long a listener waits after a failed accept: short enough that a freed descriptor is
    /// used soon, long enough that a full descriptor table costs next to no CPU.
    static let delay = TimeAmount.milliseconds(100)

    private let log: AcceptFailureLog
    private var retry: Scheduled<Void>?

    init(log: AcceptFailureLog) {
        self.log = log
    }

    /// The `errno` values that mean the process or the system is short of something.
    private static let exhaustion: Set<Int32> = [EMFILE, ENFILE, ENOBUFS, ENOMEM]

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let error = error as? IOError, Self.exhaustion.contains(error.errnoCode) else {
            return context.fireErrorCaught(error)
        }
        log.record(error, retry: Self.delay)
        guard retry == nil, let options = context.channel.syncOptions else { return }
        try? options.setOption(.autoRead, value: false)
        retry = context.eventLoop.assumeIsolated().scheduleTask(in: Self.delay) { [self] in
            retry = nil
            try? options.setOption(.autoRead, value: true)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        retry?.cancel()
        retry = nil
    }
}
