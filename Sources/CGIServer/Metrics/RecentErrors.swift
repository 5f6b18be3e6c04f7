import Glibc
import NIOConcurrencyHelpers

/// The last server errors (5xx responses), newest first, for the status page: enough to match a
/// complaint's reference with the error log without opening it.
final class RecentErrors: Sendable {
    /// One error response.
    struct Entry: Sendable {
        /// When it was sent (seconds since 1970).
        var time: time_t
        var requestID: String
        var status: UInt
        var responder: ResponderKind
        /// The request's path, without its query (which may hold secrets).
        var path: String
        /// What the error log says about it, or the status's reason phrase.
        var reason: String
    }

    /// How many are kept.
    static let capacity = 20

    private let entries = NIOLockedValueBox<[Entry]>([])

    /// Keeps `entry`, dropping the oldest beyond ``capacity``.
    func add(_ entry: Entry) {
        entries.withLockedValue { entries in
            entries.insert(entry, at: 0)
            if entries.count > Self.capacity { entries.removeLast() }
        }
    }

    /// The errors kept, newest first.
    var all: [Entry] { entries.withLockedValue { $0 } }
}
