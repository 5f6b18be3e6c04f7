/// Byte classes of HTTP field syntax (RFC 9110 §5.1, §5.5, §5.6.2): what scripts may write
/// as header fields and cookie names, and what a host accepts from a script.
public enum HTTPSyntax {
    /// Whether `text` is a token, the syntax of a field name: one or more `tchar`.
    // Inlinable, so that a caller in another module gets a specialized copy: unspecialized, each
    // call looks up conformances at run time, a quarter of a script's start-up.
    @inlinable public static func isToken(_ text: some StringProtocol) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy(isTokenByte)
    }

    /// Whether `text` can be a field value: no control characters other than horizontal tab.
    @inlinable public static func isFieldValue(_ text: some StringProtocol) -> Bool {
        !text.utf8.contains(where: isControlByte)
    }

    /// Whether `byte` may appear in a token (`tchar`, RFC 9110 §5.6.2).
    @inlinable package static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"),
            UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"),
            UInt8(ascii: "|"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    /// Whether `byte` is a control character other than horizontal tab (CR, LF and NUL included).
    @inlinable package static func isControlByte(_ byte: UInt8) -> Bool {
        (byte < 0x20 && byte != UInt8(ascii: "\t")) || byte == 0x7F
    }

    /// Whether `byte` is one of the ASCII digits 0–9 (`DIGIT`, RFC 5234 §B.1).
    @inlinable package static func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    /// `bytes` without leading and trailing spaces and tabs.
    package static func trimmingWhitespace(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let isWhitespace = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        guard let first = bytes.firstIndex(where: { !isWhitespace($0) }),
            let last = bytes.lastIndex(where: { !isWhitespace($0) })
        else { return [] }
        return bytes[first...last]
    }
}
