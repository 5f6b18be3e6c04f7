import NIOConcurrencyHelpers
import NIOCore

/// The open client connections, so that a shutdown can ask each to finish and, after the grace period, close it.
final class ConnectionRegistry: Sendable {
    private let state = NIOLockedValueBox((nextNumber: 1, channels: [ObjectIdentifier: any Channel]()))

    /// Registers `channel` until it closes; returns its connection number (used in request ids).
    func add(_ channel: any Channel) -> Int {
        let number = state.withLockedValue { state in
            state.channels[ObjectIdentifier(channel)] = channel
            defer { state.nextNumber += 1 }
            return state.nextNumber
        }
        channel.closeFuture.whenComplete { [self] _ in
            _ = state.withLockedValue { $0.channels.removeValue(forKey: ObjectIdentifier(channel)) }
        }
        return number
    }

    /// The connections open now.
    var channels: [any Channel] {
        state.withLockedValue { Array($0.channels.values) }
    }
}
