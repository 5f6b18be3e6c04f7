import Glibc

/// The reference of one error report: shown to the visitor, printed in the server's error
/// log, and the name of the report's file. Unique without coordination: UTC time, process
/// id and random bits, such as `20261125-162811-4821-9f3a6c`; or the server's own id for the
/// request (`UNIQUE_ID`), so that one id finds the access-log line, the error-log lines and
/// the report.
package struct ReportID: Sendable, Equatable, CustomStringConvertible {
    /// The reference as text (only letters, digits, `-`, `_` and `@`: a safe file name).
    package let description: String

    /// The reference for a report of the request whose meta-variables are `environment`: its
    /// `UNIQUE_ID` when the server gave a usable one, otherwise a new one made now by this process.
    package static func make(environment: [String: String] = [:]) -> ReportID {
        if let given = environment["UNIQUE_ID"].flatMap(ReportID.init(uniqueID:)) { return given }
        return ReportID(time: Int(time(nil)), process: Int(getpid()), random: arc4random())
    }

    /// The server's request id `uniqueID` as a reference, or nil when it could not name a file:
    /// empty, longer than 64 bytes, or with a byte other than ASCII letters, digits, `-`, `_`
    /// and `@` (Apache's mod_unique_id uses these).
    init?(uniqueID: String) {
        let bytes = uniqueID.utf8
        guard (1...64).contains(bytes.count), bytes.first != UInt8(ascii: "-") else { return nil }
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "@"):
                continue
            default:
                return nil
            }
        }
        description = uniqueID
    }

    /// The reference for a report made at `time` (seconds since 1970, UTC) by `process`,
    /// with the low 24 bits of `random`.
    ///
    /// Every `CGI.run` makes one at start-up, so this is plain arithmetic on bytes: `gmtime_r`
    /// reads the time zone file on its first use, and string interpolation of integers
    /// brings in more code than a script needs to start.
    init(time: Int, process: Int, random: UInt32) {
        let (days, second) = time.quotientAndRemainder(dividingBy: 86_400)
        let date = Self.civilDate(daysSince1970: second < 0 ? days - 1 : days)
        let secondOfDay = second < 0 ? second + 86_400 : second
        var text: [UInt8] = []
        text.reserveCapacity(32)
        func append(_ value: Int, digits: Int, radix: Int = 10) {
            var divisor = 1
            for _ in 1..<digits { divisor *= radix }
            var remaining = value
            for _ in 0..<digits {
                let digit = UInt8(remaining / divisor % radix)
                text.append(digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10)
                remaining %= divisor
                divisor /= radix
            }
        }
        append(date.year, digits: 4)
        append(date.month, digits: 2)
        append(date.day, digits: 2)
        text.append(UInt8(ascii: "-"))
        append(secondOfDay / 3600, digits: 2)
        append(secondOfDay / 60 % 60, digits: 2)
        append(secondOfDay % 60, digits: 2)
        text.append(UInt8(ascii: "-"))
        var processDigits = 1
        var rest = process / 10
        while rest > 0 {
            processDigits += 1
            rest /= 10
        }
        append(process, digits: processDigits)
        text.append(UInt8(ascii: "-"))
        append(Int(random & 0xFF_FFFF), digits: 6, radix: 16)
        description = String(decoding: text, as: UTF8.self)
    }

    /// The proleptic Gregorian date of a day counted from 1970-01-01 (Howard Hinnant's
    /// `civil_from_days`, http://howardhinnant.github.io/date_algorithms.html).
    static func civilDate(daysSince1970 days: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468  // days since 0000-03-01
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        let month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
