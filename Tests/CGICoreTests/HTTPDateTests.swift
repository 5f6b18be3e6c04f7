import CGICore
import TestSupport
import Testing

@Suite struct HTTPDateTests {
    @Test func formatsAndParsesTheRFCExample() {
        #expect(HTTPDate.format(784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 GMT") == 784_111_777)
    }

    /// Random times against Python's `email.utils.formatdate(usegmt=True)`, and back.
    @Test func randomTimesMatchPython() throws {
        var generator = SeededGenerator(seed: 9110)
        let times = (0..<300).map { _ in Int.random(in: 0...4_102_444_800, using: &generator) }
        let script =
            "import email.utils, json, sys\nprint(json.dumps([email.utils.formatdate(t, usegmt=True) for t in json.load(sys.stdin)]))"
        let answers = try #require(try runPython(script, input: times) as? [String])
        for (time, answer) in zip(times, answers) {
            #expect(HTTPDate.format(time) == answer)
            #expect(HTTPDate.parse(answer) == time)
        }
    }

    @Test(arguments: [
        "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994", "Sun, 06 Nov 1994 08:49:37 UTC",
        "Sun, 06 Nov 1994 24:49:37 GMT", "Sun, 6 Nov 1994 08:49:37 GMT ", "Xyz, 06 Nov 1994 08:49:37 GMT",
        "Sun, 06 Foo 1994 08:49:37 GMT", "", "Sun, 0x Nov 1994 08:49:37 GMT",
    ])
    func ignoresOtherForms(text: String) {
        #expect(HTTPDate.parse(text) == nil)
    }
}
