/// Percent-encoding (RFC 3986 §2.1): `%XX` escapes of bytes.
public enum PercentEncoding {
    /// Decodes every `%XX` escape (two hex digits, either case) to its byte.
    ///
    /// A `%` not followed by two hex digits is kept as it is, as browsers and Python's
    /// `urllib.parse.unquote` do. With `plusAsSpace`, `+` becomes a space first, as
    /// `application/x-www-form-urlencoded` requires (WHATWG URL Standard §5.1), so `%2B`
    /// still decodes to `+`.
    @inlinable public static func decode<Bytes: Collection<UInt8>>(_ bytes: Bytes, plusAsSpace: Bool = false) -> [UInt8] {
        var decoded: [UInt8] = []
        decoded.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index != bytes.endIndex {
            let byte = bytes[index]
            bytes.formIndex(after: &index)
            if byte == UInt8(ascii: "%"), index != bytes.endIndex {
                let second = bytes.index(after: index)
                if second != bytes.endIndex, let high = hexValue(bytes[index]), let low = hexValue(bytes[second]) {
                    decoded.append(high << 4 | low)
                    index = bytes.index(after: second)
                    continue
                }
            }
            decoded.append(plusAsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
        }
        return decoded
    }

    /// Encodes `text` (as UTF-8) for one name or value of an `application/x-www-form-urlencoded`
    /// form: ASCII letters, digits and `*-._` stay, a space becomes `+`, every other byte `%XX`
    /// (WHATWG URL Standard §5.2).
    public static func encodeFormComponent(_ text: String) -> String {
        var encoded: [UInt8] = []
        encoded.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "*"), UInt8(ascii: "-"),
                UInt8(ascii: "."), UInt8(ascii: "_"):
                encoded.append(byte)
            case UInt8(ascii: " "):
                encoded.append(UInt8(ascii: "+"))
            default:
                encoded.append(UInt8(ascii: "%"))
                encoded.append(hexDigits[Int(byte >> 4)])
                encoded.append(hexDigits[Int(byte & 0xF)])
            }
        }
        return String(decoding: encoded, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    /// The value of one hex digit, or nil if `byte` is not one.
    @inlinable package static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
