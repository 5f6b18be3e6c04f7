import CGI
import Testing

@Suite struct JSONTests {
    @Test func parsesEveryKindOfValue() throws {
        let value = try JSON(parsing: #" { "a" : [1, -0, 2.5, -1e-3, 1E+2, true, false, null], "b": {"c": "d"}, "a": "last" } "#)
        #expect(value == ["a": "last", "b": ["c": "d"]])
        let array = try JSON(parsing: "[1, -0, 2.5, -1e-3, 1E+2, 9223372036854775808, true, false, null]")
        #expect(array == [1, 0, 2.5, -0.001, 100.0, .double(9_223_372_036_854_775_808), true, false, .null])
        #expect(array[0]?.int == 1 && array[4]?.int == 100 && array[2]?.int == nil && array[8] == .null)
    }

    @Test(arguments: [
        (#""\"\\\/\b\f\n\r\t""#, "\"\\/\u{8}\u{C}\n\r\t"),
        (#""\u00e9\u20AC\ud83d\ude00\u0000""#, "é€😀\u{0}"),
        ("\"é€😀\"", "é€😀"),
    ])
    func decodesStringEscapesAndSurrogatePairs(text: String, expected: String) throws {
        #expect(try JSON(parsing: text) == .string(expected))
    }

    @Test(arguments: [
        ("", 0), ("[1,]", 3), ("{\"a\":1,}", 7), ("[01]", 2), ("[1.]", 3), ("[.5]", 1), ("[1e]", 3), ("+1", 0),
        ("NaN", 0), ("[Infinity]", 1), ("'a'", 0), ("\"a", 2), ("\"\u{1}\"", 1), (#""\x""#, 2), (#""\u12""#, 3),
        (#""\ud83d""#, 7), (#""\ude00""#, 7), (#""\ud83d\u0041""#, 13), ("[1] [2]", 4), ("{1:2}", 1), ("{\"a\" 1}", 5),
        ("tru", 0), ("nul", 0), ("1e400", 0), ("[1 2]", 3), ("\u{FEFF}1", 0),
    ])
    func refusesMalformedText(text: String, offset: Int) {
        #expect(throws: JSONError.self) { try JSON(parsing: text) }
        #expect((try? JSON(parsing: text)) == nil)
        do { _ = try JSON(parsing: text) } catch let error as JSONError { #expect(error.offset == offset, "\(text)") } catch {}
    }

    @Test func refusesBytesThatAreNotUTF8() {
        #expect(throws: JSONError.self) { try JSON(parsing: [0x22, 0xC3, 0x28, 0x22]) }
        #expect(throws: JSONError.self) { try JSON(parsing: [0x22, 0xED, 0xA0, 0x80, 0x22]) }  // an encoded surrogate
    }

    @Test func enforcesTheLimits() throws {
        let deep = String(repeating: "[", count: 10) + String(repeating: "]", count: 10)
        #expect(throws: JSONError.self) { try JSON(parsing: deep, limits: JSONLimits(maxDepth: 9)) }
        #expect(try JSON(parsing: deep, limits: JSONLimits(maxDepth: 10)).array?.count == 1)
        #expect(throws: JSONError.self) { try JSON(parsing: "\"12345\"", limits: JSONLimits(maxBytes: 6)) }
        // A million nested arrays are refused with an error, not a stack overflow.
        let bomb = String(repeating: "[", count: 1_000_000)
        #expect(throws: JSONError.self) { try JSON(parsing: bomb, limits: JSONLimits(maxBytes: 2_000_000)) }
    }

    @Test func encodesCompactlyWithSortedKeys() {
        let value: JSON = ["b": [1, 2.5, "x\"\\\n\u{1}é"], "a": .null, "c": false]
        #expect(value.encoded() == #"{"a":null,"b":[1,2.5,"x\"\\\n\u0001é"],"c":false}"#)
        #expect(JSON.double(.nan).encoded() == "null" && JSON.double(-.infinity).encoded() == "null")
        #expect(JSON.double(1e-7).encoded() == "1e-07" && JSON.double(-0.0).encoded() == "-0.0")
    }
}
