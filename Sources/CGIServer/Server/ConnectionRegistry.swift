import NIOConcurrencyHelpers
import NIOCore

/// The open client connections: how many there are against the limit (`--max-connections`),
/// so that a listener knows whether it may accept another (``AcceptLimitHandler``), and which
/// they are, so that a shutdown can ask each to finish and, after the grace period, close it.
final class ConnectionRegistry: Sendable {
    private struct State {
        var nextNumber = 1
        /// Connections admitted and not closed yet.
        var admitted = 0
        var channels: [ObjectIdentifier: any Channel] = [:]
        /// Listeners waiting for a connection to close (``belowLimit(orWhenBelow:)``).
        var waiting: [@Sendable () -> Void] = []
    }

    /// The most connections open at once, or `nil` for no limit.
    let limit: Int?
    private let state = NIOLockedValueBox(State())

    init(limit: Int? = nil) {
        self.limit = limit
    }

    /// Counts `channel`, just accepted, as open until it closes; `false` (and not counted) when
    /// the limit is reached.
    func admit(_ channel: any Channel) -> Bool {
        let admitted = state.withLockedValue { state in
            if let limit, state.admitted >= limit { return false }
            state.admitted += 1
            return true
        }
        guard admitted else { return false }
        channel.closeFuture.whenComplete { [self] _ in
            let wake = state.withLockedValue { state in
                state.admitted -= 1
                defer { state.waiting = [] }
                return state.waiting
            }
            wake.forEach { $0() }
        }
        return true
    }

    /// Whether fewer connections than the limit are open; when not, `resume` is called (once,
    /// on the thread that closes a connection) as soon as one closes.
    func belowLimit(orWhenBelow resume: @escaping @Sendable () -> Void) -> Bool {
        state.withLockedValue { state in
            guard let limit, state.admitted >= limit else { return true }
            state.waiting.append(resume)
            return false
        }
    }

    /// Registers an admitted `channel` for the shutdown until it closes; returns its connection
    /// number (used in request ids).
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

    /// How many connections are open now.
    var count: Int {
        state.withLockedValue { $0.channels.count }
    }

    /// The connections open now.
    var channels: [any Channel] {
        state.withLockedValue { Array($0.channels.values) }
    }
}
