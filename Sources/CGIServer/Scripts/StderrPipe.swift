import Glibc
import NIOCore
import NIOPosix

/// The read end of a script's stderr, logged line by line (``LogLineSplitter``) without an
/// event-loop channel for the common, quick script: what it wrote is read in one go once its
/// output has ended. A script still running after ``watchDelay``, or stderr still open when the
/// output ends (a background child), gets a pipe channel that reads as the script writes, so a
/// script that fills the pipe never waits longer than that.
final class StderrPipe {
    /// How long a script may run before its stderr is read as it is written.
    static let watchDelay = TimeAmount.milliseconds(50)

    private let loop: any EventLoop
    private let lines: LogLineSplitter
    /// The pipe while this object reads it; `nil` once closed or handed to a channel.
    private var descriptor: Int32?
    private var watch: Scheduled<Void>?

    /// Takes ownership of `descriptor` (blocking, as the spawn made it).
    init(descriptor: Int32, lines: LogLineSplitter, loop: any EventLoop) {
        self.descriptor = descriptor
        self.lines = lines
        self.loop = loop
        watch = loop.assumeIsolated().scheduleTask(in: Self.watchDelay) { [self] in handOver() }
    }

    /// The script's output ended (or the request is over): reads what stderr holds; closes it at
    /// end-of-file, or hands it to a channel when a writer is still there.
    func collect() {
        watch?.cancel()
        guard let descriptor else { return }
        _ = fcntl(descriptor, F_SETFL, O_NONBLOCK)
        let ended = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 4096) { buffer -> Bool in
            while true {
                let count = read(descriptor, buffer.baseAddress, buffer.count)
                if count > 0 {
                    lines.append(UnsafeBufferPointer(rebasing: buffer[..<count]))
                } else if count < 0 && errno == EINTR {
                    continue
                } else {
                    return count == 0 || errno != EAGAIN
                }
            }
        }
        guard ended else { return handOver() }
        close(descriptor)
        self.descriptor = nil
        lines.finish()
    }

    /// Gives the pipe to an event-loop channel that logs as the script writes.
    private func handOver() {
        guard let descriptor else { return }
        self.descriptor = nil
        let lines = NIOLoopBound(lines, eventLoop: loop)
        _ = NIOPipeBootstrap(group: loop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ChannelReader(lines: lines.value))
                }
            }
            .takingOwnershipOfDescriptor(input: descriptor)
    }

    /// Sits on the pipe channel of a script's stderr (one that still writes there after its output
    /// ended, or runs long): hands what arrives to the script's ``LogLineSplitter``.
    private final class ChannelReader: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        private let lines: LogLineSplitter

        init(lines: LogLineSplitter) {
            self.lines = lines
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            lines.append(unwrapInboundIn(data).readableBytesView)
        }

        func channelInactive(context: ChannelHandlerContext) {
            lines.finish()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }
}
