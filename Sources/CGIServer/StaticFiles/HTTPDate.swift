import Glibc
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
        guard let month = HTTPDate.monthNames.firstIndex(where: { $0.description == monthName }),
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

    private static let monthNames: [StaticString] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]

    /// `Sun, 06 Nov 1994 08:49:37 GMT`, for `Date` and `Last-Modified`.
    var imfFixdate: String {
        let parts = brokenDown
        return ASCIIText.make(capacity: 29) { text in
            text.append(HTTPDate.dayNames[Int(parts.tm_wday)])
            text.append(", ")
            text.append(Int(parts.tm_mday), digits: 2)
            text.append(" ")
            text.append(HTTPDate.monthNames[Int(parts.tm_mon)])
            text.append(" ")
            text.append(Int(parts.tm_year) + 1900, digits: 4)
            text.append(" ")
            text.appendTime(of: parts)
            text.append(" GMT")
        }
    }

    /// `06/Nov/1994:08:49:37 +0000`, the Common Log Format timestamp.
    var commonLogFormat: String {
        let parts = brokenDown
        return ASCIIText.make(capacity: 26) { text in
            text.append(Int(parts.tm_mday), digits: 2)
            text.append("/")
            text.append(HTTPDate.monthNames[Int(parts.tm_mon)])
            text.append("/")
            text.append(Int(parts.tm_year) + 1900, digits: 4)
            text.append(":")
            text.appendTime(of: parts)
            text.append(" +0000")
        }
    }

    private static let dayNames: [StaticString] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]

    /// The date in UTC, split into its calendar fields.
    private var brokenDown: tm {
        var seconds = time_t(secondsSinceEpoch)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return parts
    }

    static func < (lhs: HTTPDate, rhs: HTTPDate) -> Bool {
        lhs.secondsSinceEpoch < rhs.secondsSinceEpoch
    }
}

extension ByteWriter {
    /// Appends `08:49:37`.
    fileprivate mutating func appendTime(of parts: tm) {
        append(Int(parts.tm_hour), digits: 2)
        append(":")
        append(Int(parts.tm_min), digits: 2)
        append(":")
        append(Int(parts.tm_sec), digits: 2)
    }
}
