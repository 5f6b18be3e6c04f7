import CGI
import TestSupport
import Testing

/// The JSON reader and writer on random values and random texts, against themselves and
/// against Python's `json` module.
@Suite struct JSONPropertyTests {
    /// A random value up to `depth` levels deep: every kind, strings with escapes, controls,
    /// non-ASCII and astral characters, whole and fractional numbers of every size.
    static func randomValue(_ generator: inout SeededGenerator, depth: Int = 4) -> JSON {
        let alphabet: [Character] = Array("aZ09 \"\\/\n\r\t\u{1}\u{1F}\u{7F}é€😀\u{2028}{}[],:")
        switch Int.random(in: 0..<(depth > 0 ? 8 : 6), using: &generator) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &generator))
        case 2: return .integer(Int.random(in: Int.min...Int.max, using: &generator) >> Int.random(in: 0...63, using: &generator))
        case 3:
            let number = Double(bitPattern: UInt64.random(in: 0...UInt64.max, using: &generator))
            return .double(number.isFinite ? number : Double.random(in: -1e6...1e6, using: &generator))
        case 4, 5: return .string(generator.string(from: alphabet, maxCount: 12))
        case 6:
            return .array((0..<Int.random(in: 0...4, using: &generator)).map { _ in randomValue(&generator, depth: depth - 1) })
        default:
            return .object(
                Dictionary(
                    (0..<Int.random(in: 0...4, using: &generator)).map { _ in
                        (generator.string(from: alphabet, maxCount: 6), randomValue(&generator, depth: depth - 1))
                    }, uniquingKeysWith: { $1 }))
        }
    }

    @Test func randomValuesRoundTrip() throws {
        var generator = SeededGenerator(seed: 8259)
        for _ in 0..<2000 {
            let value = Self.randomValue(&generator)
            #expect(try JSON(parsing: value.encoded()) == value, "\(value.encoded())")
        }
    }

    /// Python reads what the writer writes and writes it back with `ensure_ascii` (every
    /// non-ASCII character a `\u` escape, astral ones as surrogate pairs); the reader must get
    /// the original value from that.
    @Test func pythonReadsTheOutputAndTheReaderReadsPythons() throws {
        var generator = SeededGenerator(seed: 8259_2)
        let values = (0..<500).map { _ in Self.randomValue(&generator) }
        let script = """
            import json, sys
            print(json.dumps([json.dumps(json.loads(text), ensure_ascii=True) for text in json.load(sys.stdin)]))
            """
        let answers = try #require(try runPython(script, input: values.map { $0.encoded() }) as? [String])
        for (value, answer) in zip(values, answers) {
            #expect(try JSON(parsing: answer) == value, "\(answer)")
        }
    }

    /// Random mutations of valid texts are accepted or refused as Python's strict reader
    /// does (with NaN and Infinity, lone surrogates and numbers past a Double, which Python
    /// accepts and RFC 8259 leaves open, counted as refusals), and accepted ones mean the same.
    @Test func mutatedTextsAreJudgedAsPythonJudgesThem() throws {
        var generator = SeededGenerator(seed: 8259_3)
        let pieces: [[UInt8]] =
            ["[", "]", "{", "}", ",", ":", "\"", "\\", "\\u", "d83d", "-", "0", "1", ".", "e", " ", "\u{1}", "é", "true", "nul"]
            .map { Array($0.utf8) } + [[0xFF], [0xC3]]
        var texts: [[UInt8]] = []
        for _ in 0..<1500 {
            var bytes = Array(Self.randomValue(&generator, depth: 3).encoded().utf8)
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                let position = Int.random(in: 0...bytes.count, using: &generator)
                if Bool.random(using: &generator), position < bytes.count {
                    bytes.remove(at: position)
                } else {
                    bytes.insert(contentsOf: pieces.randomElement(using: &generator)!, at: position)
                }
            }
            texts.append(bytes)
        }
        let script = """
            import json, math, sys
            def bad(value):
                if isinstance(value, float): return not math.isfinite(value)
                if isinstance(value, str): return any(0xD800 <= ord(c) <= 0xDFFF for c in value)
                if isinstance(value, list): return any(bad(v) for v in value)
                if isinstance(value, dict): return any(bad(k) or bad(v) for k, v in value.items())
                return False
            def judge(data):
                try:
                    value = json.loads(bytes(data).decode("utf-8"), parse_constant=lambda name: float("nan"))
                except (ValueError, UnicodeDecodeError):
                    return None
                return None if bad(value) else json.dumps(value, ensure_ascii=True)
            print(json.dumps([judge(data) for data in json.load(sys.stdin)]))
            """
        let answers = try #require(try runPython(script, input: texts.map { $0.map(Int.init) }) as? [Any])
        var accepted = 0
        for (text, answer) in zip(texts, answers) {
            let ours = try? JSON(parsing: text)
            let shown = String(decoding: text, as: UTF8.self)
            if let canonical = answer as? String {
                accepted += 1
                #expect(ours == (try JSON(parsing: canonical)), "Python accepts \(shown.debugDescription)")
            } else {
                #expect(ours == nil, "Python refuses \(shown.debugDescription)")
            }
        }
        #expect(accepted > 100 && accepted < texts.count - 100)
    }
}
