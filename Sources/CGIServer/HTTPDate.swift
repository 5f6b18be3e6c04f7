#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOConcurrencyHelpers

/// A point in time at one-second precision, as HTTP dates (RFC 9110 §5.6.7) and log timestamps write it.
struct HTTPDate: Equatable, Comparable, Sendable {
    /// Seconds since the Unix epoch.
    var secondsSinceEpoch: Int

    init(secondsSinceEpoch: Int) {
        self.secondsSinceEpoch = secondsSinceEpoch
    }

    /// The current time.
    static func now() -> HTTPDate {
        HTTPDate(secondsSinceEpoch: time(nil))
    }

    /// The current time as an IMF-fixdate for the `Date` header, formatted once per second.
    static func currentIMFFixdate() -> String {
        let now = HTTPDate.now()
        return dateHeaderCache.withLockedValue { cache in
            if cache.second != now.secondsSinceEpoch {
                cache = (now.secondsSinceEpoch, now.imfFixdate)
            }
            return cache.text
        }
    }

    private static let dateHeaderCache = NIOLockedValueBox((second: 0, text: ""))

    /// Parses an IMF-fixdate such as `Sun, 06 Nov 1994 08:49:37 GMT`; other (obsolete) forms give `nil`.
    init?(imfFixdate text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 29, bytes[3] == UInt8(ascii: ","), text.hasSuffix(" GMT") else { return nil }
        func number(_ start: Int, _ count: Int) -> Int32? {
            Int32(String(decoding: bytes[start..<start + count], as: UTF8.self))
        }
        let monthName = String(decoding: bytes[8..<11], as: UTF8.self)
        guard let month = HTTPDate.monthNames.firstIndex(of: monthName),
            let day = number(5, 2), let year = number(12, 4),
            let hour = number(17, 2), let minute = number(20, 2), let second = number(23, 2)
        else { return nil }
        var parts = tm()
        parts.tm_year = year - 1900
        parts.tm_mon = Int32(month)
        parts.tm_mday = day
        parts.tm_hour = hour
        parts.tm_min = minute
        parts.tm_sec = second
        self.secondsSinceEpoch = timegm(&parts)
    }

    private static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `Sun, 06 Nov 1994 08:49:37 GMT`, for `Date` and `Last-Modified`.
    var imfFixdate: String { format("%a, %d %b %Y %H:%M:%S GMT") }

    /// `06/Nov/1994:08:49:37 +0000`, the Common Log Format timestamp.
    var commonLogFormat: String { format("%d/%b/%Y:%H:%M:%S +0000") }

    private func format(_ pattern: String) -> String {
        var seconds = time_t(secondsSinceEpoch)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var buffer = [CChar](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, pattern, &parts)
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func < (lhs: HTTPDate, rhs: HTTPDate) -> Bool {
        lhs.secondsSinceEpoch < rhs.secondsSinceEpoch
    }
}
