/// Escaping text for HTML.
public enum HTML {
    /// `text` with `&`, `<`, `>`, `"` and `'` replaced by character references, safe both as
    /// element content and inside a quoted attribute value (HTML Living Standard §13.1.2.3).
    ///
    /// ```swift
    /// "<p title=\"\(HTML.escape(title))\">\(HTML.escape(comment))</p>"
    /// ```
    public static func escape(_ text: String) -> String {
        // Bytes, not Unicode scalars: the characters replaced are ASCII, which never occurs
        // inside a multi-byte UTF-8 sequence, and appending scalars one by one to a String
        // costs hundreds of instructions each (error pages are prepared at every start-up).
        // Text without any of them, the common case, comes back as it is, uncopied.
        let escaped = text.utf8.withContiguousStorageIfAvailable(escaped) ?? Array(text.utf8).withUnsafeBufferPointer(escaped)
        return escaped ?? text
    }

    /// `bytes` escaped; nil when none of them needs it.
    private static func escaped(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard let first = bytes.firstIndex(where: { reference(for: $0) != nil }) else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + 32)
        output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[..<first]))
        for byte in UnsafeBufferPointer(rebasing: bytes[first...]) {
            if let reference = reference(for: byte) {
                reference.withUTF8Buffer { output.append(contentsOf: $0) }
            } else {
                output.append(byte)
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The character reference that stands for `byte`, if it is one of the five replaced; static
    /// text, so crash reports written in a signal handler use it too.
    package static func reference(for byte: UInt8) -> StaticString? {
        switch byte {
        case UInt8(ascii: "&"): "&amp;"
        case UInt8(ascii: "<"): "&lt;"
        case UInt8(ascii: ">"): "&gt;"
        case UInt8(ascii: "\""): "&quot;"
        case UInt8(ascii: "'"): "&#39;"
        default: nil
        }
    }
}
