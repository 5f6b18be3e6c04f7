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
        var escaped: [UInt8] = []
        escaped.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "&"): escaped += "&amp;".utf8
            case UInt8(ascii: "<"): escaped += "&lt;".utf8
            case UInt8(ascii: ">"): escaped += "&gt;".utf8
            case UInt8(ascii: "\""): escaped += "&quot;".utf8
            case UInt8(ascii: "'"): escaped += "&#39;".utf8
            default: escaped.append(byte)
            }
        }
        return String(decoding: escaped, as: UTF8.self)
    }
}
