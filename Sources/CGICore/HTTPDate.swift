import Glibc

/// HTTP dates in the IMF-fixdate format (RFC 9110 §5.6.7), such as
/// `Sun, 06 Nov 1994 08:49:37 GMT`: `Date`, `Expires`, `Last-Modified`, `If-Modified-Since`.
public enum HTTPDate {
    /// `seconds` since 1970-01-01 UTC as an IMF-fixdate.
    ///
    /// The fields are written over a fixed template straight into the string's storage (one
    /// allocation, no interpolation): a server formats one for the `Date` header of its responses.
    public static func format(_ seconds: Int) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        return String(unsafeUninitializedCapacity: 29) { buffer in
            /// The three-letter name `index` of `names` at `offset`.
            func put(_ names: StaticString, _ index: Int32, at offset: Int) {
                let name = names.utf8Start + 3 * Int(index)
                for i in 0..<3 { buffer[offset + i] = name[i] }
            }
            /// The last two decimal digits of `value` at `offset`.
            func put(_ value: Int32, at offset: Int) {
                buffer[offset] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: value / 10 % 10)
                buffer[offset + 1] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: value % 10)
            }
            let template: StaticString = "Sun, 06 Nov 1994 08:49:37 GMT"
            for i in 0..<29 { buffer[i] = template.utf8Start[i] }
            put(dayNames, parts.tm_wday, at: 0)
            put(parts.tm_mday, at: 5)
            put(monthNames, parts.tm_mon, at: 8)
            let year = max(0, parts.tm_year + 1900)
            put(year / 100, at: 12)
            put(year % 100, at: 14)
            put(parts.tm_hour, at: 17)
            put(parts.tm_min, at: 20)
            put(parts.tm_sec, at: 23)
            return 29
        }
    }

    /// The day names `format` writes, three letters each from Sunday.
    private static let dayNames: StaticString = "SunMonTueWedThuFriSat"
    /// The month names `format` writes, three letters each from January.
    private static let monthNames: StaticString = "JanFebMarAprMayJunJulAugSepOctNovDec"

    /// The seconds since 1970-01-01 UTC of an IMF-fixdate, or nil for anything else (the
    /// obsolete RFC 850 and asctime forms included, which a recipient may ignore).
    public static func parse(_ text: String) -> Int? {
        let bytes = Array(text.utf8)
        guard bytes.count == 29, bytes[3] == UInt8(ascii: ","), text.hasSuffix(" GMT"),
            index(of: bytes[0..<3], in: dayNames) != nil, let month = index(of: bytes[8..<11], in: monthNames),
            let day = number(bytes[5..<7]), let year = number(bytes[12..<16]), let hour = number(bytes[17..<19]),
            let minute = number(bytes[20..<22]), let second = number(bytes[23..<25]),
            [4, 7, 11, 16].allSatisfy({ bytes[$0] == UInt8(ascii: " ") }),
            bytes[19] == UInt8(ascii: ":"), bytes[22] == UInt8(ascii: ":"),
            (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        return Int(timegm(&parts))
    }

    /// The position of the three-letter `name` in `names` (`dayNames`, `monthNames`), or nil.
    private static func index(of name: ArraySlice<UInt8>, in names: StaticString) -> Int? {
        let letters = UnsafeBufferPointer(start: names.utf8Start, count: names.utf8CodeUnitCount)
        return stride(from: 0, to: letters.count, by: 3).first { letters[$0..<$0 + 3].elementsEqual(name) }.map { $0 / 3 }
    }

    /// The value of a run of ASCII digits, or nil.
    private static func number(_ digits: ArraySlice<UInt8>) -> Int? {
        guard digits.allSatisfy(HTTPSyntax.isDigit) else { return nil }
        return digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
    }
}
