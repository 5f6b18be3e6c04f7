import CGICore

/// The line that opens a chunk of a chunked body (RFC 9112 §7.1):
/// `chunk-size [ chunk-ext ] CRLF`, where
/// `chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] )`.
///
/// NIO's parser refuses the optional whitespace (BWS) around `;` and `=`, which the grammar
/// allows. The server never uses extensions, so a well-formed line is passed on as its size alone.
struct ChunkSizeLine {
    /// The chunk's size in bytes.
    let size: Int
    /// Whether the line has extensions (well-formed ones) after the size.
    let hasExtensions: Bool
    /// How many bytes the size takes at the start of the line.
    let sizeDigits: Int

    /// At most this many hex digits are read; a longer size is left for the decoder to judge.
    static let maxSizeDigits = 15

    /// Parses `line`, without its CRLF. `nil` when the line is not a well-formed chunk-size line.
    init?(_ line: UnsafeRawBufferPointer) {
        var index = 0
        var size = 0
        while index < line.count, let digit = Self.hexValue(line[index]) {
            guard index < Self.maxSizeDigits else { return nil }
            size = size << 4 | digit
            index += 1
        }
        guard index > 0 else { return nil }
        self.size = size
        self.sizeDigits = index
        self.hasExtensions = index < line.count
        guard Self.isExtensionList(UnsafeRawBufferPointer(rebasing: line[index...])) else { return nil }
    }

    private static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    /// Whether `bytes` is `*( BWS ";" BWS token [ BWS "=" BWS ( token / quoted-string ) ] )`.
    private static func isExtensionList(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        func skipWhitespace() {
            while index < bytes.count, bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t") { index += 1 }
        }
        func skipToken() -> Bool {
            let start = index
            while index < bytes.count, HTTPSyntax.isTokenByte(bytes[index]) { index += 1 }
            return index > start
        }
        func skipQuotedString() -> Bool {
            index += 1  // the opening quote
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "\""):
                    index += 1
                    return true
                case UInt8(ascii: "\\"):
                    guard index + 1 < bytes.count,
                        isQuotedText(bytes[index + 1]) || bytes[index + 1] == UInt8(ascii: "\"")
                            || bytes[index + 1] == UInt8(ascii: "\\")
                    else { return false }
                    index += 2
                case let byte where isQuotedText(byte):
                    index += 1
                default:
                    return false
                }
            }
            return false
        }
        while index < bytes.count {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ";") else { return false }
            index += 1
            skipWhitespace()
            guard skipToken() else { return false }
            let afterName = index
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "=") {
                index += 1
                skipWhitespace()
                guard index < bytes.count else { return false }
                guard bytes[index] == UInt8(ascii: "\"") ? skipQuotedString() : skipToken() else { return false }
            } else {
                index = afterName
            }
        }
        return true
    }

    /// `qdtext` of RFC 9110 §5.6.4 without the quote and backslash: HTAB, SP, visible and obs-text bytes.
    private static func isQuotedText(_ byte: UInt8) -> Bool {
        byte == 0x09 || byte == 0x20 || (byte >= 0x21 && byte != 0x22 && byte != 0x5C && byte != 0x7F)
    }
}
