import CGICore
import TestSupport
import Testing

/// `HTML.escape`: fixed cases, and random texts against the rule.
@Suite struct HTMLTests {
    @Test(arguments: [
        ("plain", "plain"), ("<a href=\"x\">'&'</a>", "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"),
        ("é ✓", "é ✓"), ("", ""),
    ])
    func escapes(text: String, escaped: String) {
        #expect(HTML.escape(text) == escaped)
    }

    /// Random texts, the replaced characters anywhere (first, last, in a row, beside multi-byte
    /// ones), against the rule applied character by character.
    @Test func escapesLikeTheRuleCharacterByCharacter() {
        let alphabet: [Character] = ["a", "Z", " ", "&", "<", ">", "\"", "'", "é", "✓", "🙂", ";", "#"]
        var generator = SeededGenerator(seed: 3875)
        for _ in 0..<2_000 {
            let text = generator.string(from: alphabet, maxCount: 24)
            let expected = text.map { character -> String in
                switch character {
                case "&": "&amp;"
                case "<": "&lt;"
                case ">": "&gt;"
                case "\"": "&quot;"
                case "'": "&#39;"
                default: String(character)
                }
            }.joined()
            #expect(HTML.escape(text) == expected, "\(text.debugDescription)")
        }
    }
}
