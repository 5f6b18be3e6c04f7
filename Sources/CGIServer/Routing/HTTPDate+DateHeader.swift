import CGICore
import Glibc
import NIOConcurrencyHelpers

extension HTTPDate {
    /// The current time as an IMF-fixdate for the `Date` header of every response, formatted
    /// once per second.
    static func currentIMFFixdate() -> String {
        let now = time(nil)
        return dateHeaderCache.withLockedValue { cache in
            if cache.second != now {
                cache = (now, format(now))
            }
            return cache.text
        }
    }

    private static let dateHeaderCache = NIOLockedValueBox((second: 0, text: ""))
}
