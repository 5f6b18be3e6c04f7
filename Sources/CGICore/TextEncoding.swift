/// The text encodings a form can be decoded with.
public enum TextEncoding: String, Sendable, CaseIterable {
    /// UTF-8; invalid sequences become U+FFFD.
    case utf8 = "utf-8"
    /// ISO-8859-1: every byte is the code point of the same number.
    case latin1 = "latin-1"

    /// Looks an encoding up by a name as it appears in a `charset` parameter
    /// (`utf-8`, `UTF8`, `iso-8859-1`, `latin1`, …); nil for names it does not know.
    public init?(name: String) {
        switch name.lowercased().filter({ $0 != "-" && $0 != "_" }) {
        // US-ASCII is a subset of UTF-8 (RFC 3629 §1), so UTF-8 decodes it.
        case "utf8", "usascii", "ascii": self = .utf8
        case "latin1", "iso88591", "l1", "iso885911987", "cp819", "ibm819": self = .latin1
        default: return nil
        }
    }

    /// Decodes bytes to text; bytes this encoding cannot decode become U+FFFD.
    @inlinable public func decode<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String {
        switch self {
        case .utf8:
            String(decoding: bytes, as: UTF8.self)
        case .latin1:
            String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
        }
    }
}
