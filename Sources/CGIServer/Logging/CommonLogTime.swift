import Glibc

/// The timestamp of an access log line in the Common Log Format: `06/Nov/1994:08:49:37 +0000`.
enum CommonLogTime {
    private static let monthNames: [StaticString] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]

    /// `seconds` since 1970-01-01 UTC as a Common Log Format timestamp.
    static func format(_ seconds: Int) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        return ASCIIText.make(capacity: 26) { text in
            text.append(Int(parts.tm_mday), digits: 2)
            text.append("/")
            text.append(monthNames[Int(parts.tm_mon)])
            text.append("/")
            text.append(Int(parts.tm_year) + 1900, digits: 4)
            text.append(":")
            text.append(Int(parts.tm_hour), digits: 2)
            text.append(":")
            text.append(Int(parts.tm_min), digits: 2)
            text.append(":")
            text.append(Int(parts.tm_sec), digits: 2)
            text.append(" +0000")
        }
    }
}
