#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The reference of one error report: shown to the visitor, printed in the server's error
/// log, and the name of the report's file. Unique without coordination: UTC time, process
/// id and random bits, such as `20261125-162811-4821-9f3a6c`.
struct ReportID: Sendable, Equatable, CustomStringConvertible {
    /// The reference as text (only digits, lower-case hex letters and `-`).
    let description: String

    /// A new reference for a report made now by this process.
    static func make() -> ReportID {
        var now = time(nil)
        var parts = tm()
        gmtime_r(&now, &parts)
        func digits(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        let date = digits(parts.tm_year + 1900, 4) + digits(parts.tm_mon + 1, 2) + digits(parts.tm_mday, 2)
        let clock = digits(parts.tm_hour, 2) + digits(parts.tm_min, 2) + digits(parts.tm_sec, 2)
        let random = String(UInt32.random(in: 0...0xFF_FFFF) | 0x100_0000, radix: 16).dropFirst()
        return ReportID(description: "\(date)-\(clock)-\(getpid())-\(random)")
    }
}
