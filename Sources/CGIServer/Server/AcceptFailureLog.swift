import Glibc
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// Failed accepts on the listeners (above all `EMFILE`/`ENFILE`: out of descriptors), logged
/// at most once per ``interval`` for all listeners together, with the number left out since the
/// last line.
final class AcceptFailureLog: Sendable {
    /// The shortest time between two log lines.
    static let interval = TimeAmount.seconds(10)

    private let logger: Logger
    private let state = NIOLockedValueBox((lastLine: NIODeadline?.none, unlogged: 0))

    init(logger: Logger) {
        self.logger = logger
    }

    /// Records one failed accept; `retry` says when the listener tries again.
    func record(_ error: IOError, retry: TimeAmount) {
        let now = NIODeadline.now()
        let unlogged: Int? = state.withLockedValue { state in
            if let last = state.lastLine, now - last < Self.interval {
                state.unlogged += 1
                return nil
            }
            defer { state = (now, 0) }
            return state.unlogged
        }
        guard let unlogged else { return }
        let reason = String(cString: strerror(error.errnoCode))
        let more = unlogged > 0 ? " (\(unlogged) more since the last report)" : ""
        logger.error("cannot accept connections: \(reason); trying again every \(retry.nanoseconds / 1_000_000) ms\(more)")
    }
}
