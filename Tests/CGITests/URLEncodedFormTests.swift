import CGI
import TestSupport
import Testing

@Suite struct URLEncodedFormTests {
    static func parse(_ text: String, _ configure: (inout FormOptions) -> Void = { _ in }) throws -> [FormField] {
        var options = FormOptions()
        configure(&options)
        return try URLEncodedForm.parse(Array(text.utf8), source: .query, options: options)
    }

    @Test(arguments: [
        ("a=%", ["a": "%"]),
        ("a=%4", ["a": "%4"]),
        ("a=%zz%41", ["a": "%zzA"]),
        ("a=%2", ["a": "%2"]),
        ("a+b=c+%2B+d", ["a b": "c + d"]),
        ("k=%e2%9c%93", ["k": "✓"]),
        ("k=%FF", ["k": "\u{FFFD}"]),
        ("=x", ["": "x"]),
        ("a=b=c", ["a": "b=c"]),
    ])
    func decodes(text: String, expected: [String: String]) throws {
        let fields = try Self.parse(text)
        #expect(fields.count == 1)
        #expect(Dictionary(uniqueKeysWithValues: fields.map { ($0.name!, $0.text!) }) == expected)
        #expect(fields.allSatisfy { $0.source == .query })
    }

    @Test func keepsRawBytesOfUndecodableText() throws {
        let field = try #require(try Self.parse("k=caf%E9s").first)
        guard case .text(let text, let bytes) = field.value else { Issue.record("not text"); return }
        #expect(text == "caf\u{FFFD}s")
        #expect(bytes == [0x63, 0x61, 0x66, 0xE9, 0x73])
    }

    @Test func decodesLatin1() throws {
        let fields = try Self.parse("caf%E9=%E9t%E9") { $0.encoding = .latin1 }
        #expect(fields.map(\.name) == ["café"])
        #expect(fields.map(\.text) == ["été"])
    }

    @Test(arguments: [
        ("a=&b", false, [String]()),
        ("a=&b", true, ["a", "b"]),
        ("&&a=1&&", false, ["a"]),
    ])
    func blankValues(text: String, keepBlank: Bool, names: [String]) throws {
        #expect(try Self.parse(text) { $0.keepBlankValues = keepBlank }.map(\.name) == names)
    }

    @Test(arguments: ["a=1&b", "a=1&", "&", "a=1&&b=2", "noequals"])
    func strictRejects(text: String) {
        #expect(errorKind { _ = try Self.parse(text) { $0.strictParsing = true } } == "strict_parsing")
    }

    @Test(arguments: [("", 0), ("a", 1), ("a=1&b=2", 2), ("&&", 3), ("a=1;b=2", 1)])
    func countsFieldsLikePython(text: String, count: Int) throws {
        #expect(URLEncodedForm.fieldCount(of: Array(text.utf8), separator: UInt8(ascii: "&")) == count)
        #expect(errorKind { _ = try Self.parse(text) { $0.maxFields = count } } == nil)
        if count > 0 {
            #expect(errorKind { _ = try Self.parse(text) { $0.maxFields = count - 1 } } == "too_many_fields")
        }
    }

    @Test func separatorIsOneCharacter() throws {
        let fields = try Self.parse("a=1;b=2&c=3") { $0.separator = UInt8(ascii: ";") }
        #expect(fields.map(\.name) == ["a", "b"])
        #expect(fields.map(\.text) == ["1", "2&c=3"])
    }

    @Test func encodeThenParseRoundTrips() throws {
        var generator = SeededGenerator(seed: 2026)
        let alphabet: [Character] = Array("ab Z09&=+%;#?/\\\"'~.*-_éß✓😀\u{0}\t\r\n")
        for _ in 0..<500 {
            let pairs = (0..<Int.random(in: 0...6, using: &generator)).map { _ in
                (name: generator.string(from: alphabet, maxCount: 8), value: generator.string(from: alphabet, maxCount: 12))
            }
            let fields = try Self.parse(URLEncodedForm.encode(pairs)) {
                $0.keepBlankValues = true; $0.strictParsing = true
            }
            #expect(fields.map { $0.name! } == pairs.map(\.name))
            #expect(fields.map { $0.text! } == pairs.map(\.value))
        }
    }

    @Test func randomBytesNeverCrash() {
        var generator = SeededGenerator(seed: 34866)
        for _ in 0..<3000 {
            let bytes = generator.bytes(maxCount: 80)
            var options = FormOptions()
            options.keepBlankValues = Bool.random(using: &generator)
            options.strictParsing = Bool.random(using: &generator)
            options.encoding = Bool.random(using: &generator) ? .utf8 : .latin1
            options.maxFields = Int.random(in: 0...20, using: &generator)
            let kind = errorKind { _ = try URLEncodedForm.parse(bytes, source: .body, options: options) }
            #expect(kind == nil || kind == "strict_parsing" || kind == "too_many_fields")
        }
    }
}
