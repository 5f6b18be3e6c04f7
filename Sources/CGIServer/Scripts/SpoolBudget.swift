import NIOConcurrencyHelpers

/// The bytes all chunked request bodies being collected (``RequestBodySpool``) may hold
/// together, in memory and in temporary files (`--max-spool`): without it, many connections
/// each sending up to the largest body allowed could fill the temporary folder's disk.
///
/// One server runs per process, so the budget is the process's: ``process`` is set once at
/// start-up and every spool draws from it.
final class SpoolBudget: Sendable {
    /// The budget every spool draws from.
    static let process = SpoolBudget()

    private let state = NIOLockedValueBox((limit: Int.max, used: 0))

    /// Sets the most bytes all spools may hold together.
    func setLimit(_ limit: Int) {
        state.withLockedValue { $0.limit = limit }
    }

    /// The bytes all spools hold now, and the most they may hold.
    var use: (used: Int, limit: Int) {
        state.withLockedValue { ($0.used, $0.limit) }
    }

    /// Takes `count` bytes from the budget; `false` (and nothing taken) when that would exceed it.
    func take(_ count: Int) -> Bool {
        state.withLockedValue { state in
            guard count <= state.limit - state.used else { return false }
            state.used += count
            return true
        }
    }

    /// Gives back `count` bytes taken earlier.
    func giveBack(_ count: Int) {
        state.withLockedValue { $0.used -= count }
    }
}
