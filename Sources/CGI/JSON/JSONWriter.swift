extension JSON {
    /// The value as compact JSON text (RFC 8259): object keys sorted, strings in UTF-8 with
    /// `"`, `\` and control characters escaped, numbers in their shortest exact form. A
    /// `double` that is not finite (NaN, infinity), which JSON cannot express, is written as
    /// `null`, as JavaScript's `JSON.stringify` does.
    public func encoded() -> String {
        var output: [UInt8] = []
        Self.write(self, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// `text` as a JSON string literal (RFC 8259 §7), for tools that lay out their own JSON.
    package static func quoted(_ text: String) -> String {
        JSONString.quoted(text)
    }

    private static func write(_ value: JSON, to output: inout [UInt8]) {
        switch value {
        case .null: output += Array("null".utf8)
        case .bool(let flag): output += Array((flag ? "true" : "false").utf8)
        case .integer(let number): output += Array(String(number).utf8)
        case .double(let number): output += Array((number.isFinite ? number.description : "null").utf8)
        case .string(let text): JSONString.write(text, to: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                write(element, to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                JSONString.write(key, to: &output)
                output.append(UInt8(ascii: ":"))
                write(members[key]!, to: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }
}
