/// The limits a JSON text is parsed under: untrusted input must not exhaust memory or the
/// stack.
public struct JSONLimits: Sendable, Equatable {
    /// The longest text accepted, in bytes (1 MiB by default).
    public var maxBytes: Int
    /// The deepest nesting of arrays and objects accepted (100 by default).
    public var maxDepth: Int

    /// Creates limits; the defaults suit a request body.
    public init(maxBytes: Int = 1 << 20, maxDepth: Int = 100) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
    }
}

/// Why a JSON text was refused, with the byte offset where it went wrong.
public struct JSONError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What is wrong, such as `expected ':' after an object key`.
    public var reason: String
    /// The offset of the offending byte from the start of the text.
    public var offset: Int

    /// A sentence for a person.
    public var description: String { "invalid JSON at byte \(offset): \(reason)" }
}

extension JSON {
    /// Parses one JSON text (RFC 8259): one value with optional whitespace around it, in UTF-8.
    ///
    /// Strict where the RFC is: no comments, trailing commas, single quotes, `NaN` or
    /// leading zeros; control characters in strings must be escaped; a `\u` escape of a
    /// surrogate must be half of a pair. A number too large for a `Double` is refused.
    /// - Throws: ``JSONError`` for a text that is malformed, longer than
    ///   ``JSONLimits/maxBytes`` or nested deeper than ``JSONLimits/maxDepth``.
    public init(parsing bytes: some Collection<UInt8>, limits: JSONLimits = JSONLimits()) throws {
        guard bytes.count <= limits.maxBytes else {
            throw JSONError(reason: "the text is longer than \(limits.maxBytes) bytes", offset: limits.maxBytes)
        }
        var parser = JSONParser(bytes: Array(bytes), maxDepth: limits.maxDepth)
        self = try parser.parseDocument()
    }

    /// Parses a JSON text given as a string, as the byte form does.
    public init(parsing text: String, limits: JSONLimits = JSONLimits()) throws {
        try self.init(parsing: Array(text.utf8), limits: limits)
    }
}

/// A recursive-descent parser over the bytes of one JSON text.
struct JSONParser {
    let bytes: [UInt8]
    let maxDepth: Int
    var index = 0
    var depth = 0

    init(bytes: [UInt8], maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    /// The value of the whole text; anything but whitespace after it is an error.
    mutating func parseDocument() throws -> JSON {
        let value = try parseValue()
        skipWhitespace()
        guard index == bytes.count else { throw error("unexpected \(describe(bytes[index])) after the value") }
        return value
    }

    private mutating func parseValue() throws -> JSON {
        skipWhitespace()
        guard index < bytes.count else { throw error("the text ended where a value was expected") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try nested { try $0.parseObject() }
        case UInt8(ascii: "["): return try nested { try $0.parseArray() }
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        case let byte: throw error("unexpected \(describe(byte)) where a value was expected")
        }
    }

    /// Runs `parse` one level deeper, refusing to pass ``maxDepth``.
    private mutating func nested(_ parse: (inout JSONParser) throws -> JSON) throws -> JSON {
        guard depth < maxDepth else { throw error("arrays and objects are nested deeper than \(maxDepth) levels") }
        depth += 1
        defer { depth -= 1 }
        return try parse(&self)
    }

    private mutating func parseObject() throws -> JSON {
        index += 1  // {
        var members: [String: JSON] = [:]
        skipWhitespace()
        if consume(UInt8(ascii: "}")) { return .object(members) }
        repeat {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a string key") }
            let key = try parseString()
            skipWhitespace()
            guard consume(UInt8(ascii: ":")) else { throw error("expected ':' after an object key") }
            members[key] = try parseValue()
            skipWhitespace()
        } while consume(UInt8(ascii: ","))
        guard consume(UInt8(ascii: "}")) else { throw error("expected ',' or '}' in an object") }
        return .object(members)
    }

    private mutating func parseArray() throws -> JSON {
        index += 1  // [
        var elements: [JSON] = []
        skipWhitespace()
        if consume(UInt8(ascii: "]")) { return .array(elements) }
        repeat {
            elements.append(try parseValue())
            skipWhitespace()
        } while consume(UInt8(ascii: ","))
        guard consume(UInt8(ascii: "]")) else { throw error("expected ',' or ']' in an array") }
        return .array(elements)
    }

    private mutating func literal(_ word: StaticString, _ value: JSON) throws -> JSON {
        let expected = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        guard bytes.count - index >= expected.count, bytes[index..<index + expected.count].elementsEqual(expected)
        else { throw error("unknown word (expected \(word))") }
        index += expected.count
        return value
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?` (RFC 8259 §6).
    private mutating func parseNumber() throws -> JSON {
        let start = index
        _ = consume(UInt8(ascii: "-"))
        if consume(UInt8(ascii: "0")) {
            if index < bytes.count, HTTPSyntax.isDigit(bytes[index]) { throw error("a number must not have a leading zero") }
        } else {
            try digits("a digit")
        }
        var isInteger = true
        if consume(UInt8(ascii: ".")) {
            isInteger = false
            try digits("a digit after the decimal point")
        }
        if consume(UInt8(ascii: "e")) || consume(UInt8(ascii: "E")) {
            isInteger = false
            if !consume(UInt8(ascii: "+")) { _ = consume(UInt8(ascii: "-")) }
            try digits("a digit in the exponent")
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if isInteger, let number = Int(text) { return .integer(number) }
        guard let number = Double(text), number.isFinite else {
            throw JSONError(reason: "the number \(text.prefix(40)) is too large", offset: start)
        }
        return .double(number)
    }

    /// Skips one or more digits; `what` names them in the error when there is none.
    private mutating func digits(_ what: String) throws {
        guard index < bytes.count, HTTPSyntax.isDigit(bytes[index]) else { throw error("expected \(what)") }
        while index < bytes.count, HTTPSyntax.isDigit(bytes[index]) { index += 1 }
    }

    /// A string from its opening quote on, escapes decoded (RFC 8259 §7).
    private mutating func parseString() throws -> String {
        index += 1  // "
        var text: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                guard let string = String(validating: text, as: UTF8.self) else {
                    throw error("a string holds bytes that are not UTF-8")
                }
                index += 1
                return string
            case UInt8(ascii: "\\"):
                index += 1
                try parseEscape(into: &text)
            case 0..<0x20:
                throw error("a control character in a string must be escaped")
            default:
                text.append(byte)
                index += 1
            }
        }
        throw error("the text ended inside a string")
    }

    /// One escape after its backslash, appended to `text` as UTF-8.
    private mutating func parseEscape(into text: inout [UInt8]) throws {
        guard index < bytes.count else { throw error("the text ended inside an escape") }
        if let decoded = Self.simpleEscape(bytes[index]) {
            text.append(decoded)
            index += 1
            return
        }
        guard bytes[index] == UInt8(ascii: "u") else { throw error("unknown escape \\\(describe(bytes[index]))") }
        index += 1
        var scalar = try hexQuad()
        if (0xDC00...0xDFFF).contains(scalar) { throw error("a low surrogate without a high one before it") }
        if (0xD800...0xDBFF).contains(scalar) {
            guard consume(UInt8(ascii: "\\")), consume(UInt8(ascii: "u")) else {
                throw error("a high surrogate without a low one after it")
            }
            let low = try hexQuad()
            guard (0xDC00...0xDFFF).contains(low) else { throw error("a high surrogate without a low one after it") }
            scalar = 0x10000 + (scalar - 0xD800) << 10 + (low - 0xDC00)
        }
        text += Array(String(Unicode.Scalar(scalar)!).utf8)
    }

    /// The byte a one-character escape (`\n`, `\"`, …) stands for, or nil.
    private static func simpleEscape(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): byte
        case UInt8(ascii: "b"): 0x08
        case UInt8(ascii: "f"): 0x0C
        case UInt8(ascii: "n"): 0x0A
        case UInt8(ascii: "r"): 0x0D
        case UInt8(ascii: "t"): 0x09
        default: nil
        }
    }

    /// Four hex digits as a number.
    private mutating func hexQuad() throws -> UInt32 {
        guard bytes.count - index >= 4 else { throw error("expected four hex digits after \\u") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let digit = PercentEncoding.hexValue(bytes[index]) else { throw error("expected four hex digits after \\u") }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    private mutating func skipWhitespace() {
        while index < bytes.count,
            bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09
        {
            index += 1
        }
    }

    /// Skips `byte` if it comes next.
    private mutating func consume(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    private func error(_ reason: String) -> JSONError {
        JSONError(reason: reason, offset: index)
    }

    /// A byte for a message: the character when printable ASCII, else its hex value.
    private func describe(_ byte: UInt8) -> String {
        (0x21...0x7E).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
    }
}
