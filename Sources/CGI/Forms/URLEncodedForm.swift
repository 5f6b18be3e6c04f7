/// The `application/x-www-form-urlencoded` format (WHATWG URL Standard §5) of query strings
/// and form bodies: `name=value` pairs joined by a separator, `+` for space, `%XX` escapes.
///
/// Parsing follows Python's `urllib.parse.parse_qsl`, which `cgi.FieldStorage` uses:
/// - fields are split on ``FormOptions/separator`` only (`&` by default; CVE-2021-23336);
/// - the first `=` splits name from value; a field without `=` is dropped, or kept with an
///   empty value under ``FormOptions/keepBlankValues``, or rejected under
///   ``FormOptions/strictParsing``, which also rejects empty fields (`a=1&&b=2`);
/// - a field with an empty value is dropped unless ``FormOptions/keepBlankValues`` is on;
/// - `+` becomes a space, then `%XX` escapes are decoded; a malformed escape stays literal;
/// - the bytes are decoded with ``FormOptions/encoding``, undecodable ones becoming U+FFFD,
///   and the raw bytes are kept in ``FormField/Value/text(_:bytes:)``.
public enum URLEncodedForm {
    /// The number of fields `text` holds for ``FormOptions/maxFields``: one more than the
    /// number of separators, empty fields included, and 0 for empty text (as Python counts).
    public static func fieldCount<Bytes: Collection<UInt8>>(of text: Bytes, separator: UInt8) -> Int {
        text.isEmpty ? 0 : 1 + text.lazy.filter { $0 == separator }.count
    }

    /// Parses one query string or urlencoded body into fields, in order.
    ///
    /// - Parameters:
    ///   - text: the raw bytes (a query string as it arrived, or a request body).
    ///   - source: where the text came from; recorded on every field.
    ///   - options: separator, blank values, strictness, field limit and text encoding.
    /// - Throws: ``CGIError/tooManyFields(limit:)`` when `text` holds more fields than
    ///   ``FormOptions/maxFields``; ``CGIError/strictParsing(field:)`` for a malformed field
    ///   under strict parsing.
    public static func parse<Bytes: Collection<UInt8>>(
        _ text: Bytes, source: FormField.Source, options: FormOptions
    ) throws -> [FormField] where Bytes.SubSequence: Collection<UInt8> {
        try options.checkFieldCount(fieldCount(of: text, separator: options.separator))
        var fields: [FormField] = []
        if text.isEmpty { return fields }
        for piece in text.split(separator: options.separator, omittingEmptySubsequences: false) {
            if piece.isEmpty && !options.strictParsing { continue }
            let name: Bytes.SubSequence
            let value: Bytes.SubSequence
            if let equals = piece.firstIndex(of: UInt8(ascii: "=")) {
                name = piece[..<equals]
                value = piece[piece.index(after: equals)...]
            } else if options.strictParsing {
                throw CGIError.strictParsing(field: options.encoding.decode(piece))
            } else if options.keepBlankValues {
                name = piece[...]
                value = piece[piece.endIndex...]
            } else {
                continue
            }
            if value.isEmpty && !options.keepBlankValues { continue }
            let valueBytes = PercentEncoding.decode(value, plusAsSpace: true)
            fields.append(
                FormField(
                    name: options.encoding.decode(PercentEncoding.decode(name, plusAsSpace: true)),
                    value: .text(options.encoding.decode(valueBytes), bytes: valueBytes),
                    source: source))
        }
        return fields
    }

    /// Serializes pairs as `application/x-www-form-urlencoded` text joined by `&`, the inverse
    /// of ``parse(_:source:options:)`` (with ``FormOptions/keepBlankValues`` for empty values).
    public static func encode(_ pairs: [(name: String, value: String)]) -> String {
        pairs.map {
            PercentEncoding.encodeFormComponent($0.name) + "=" + PercentEncoding.encodeFormComponent($0.value)
        }.joined(separator: "&")
    }
}
