import CGI
import Foundation
import TestSupport
import Testing

/// `HeaderValue` against CPython's `cgi.parse_header` answers in shared/oracle/parse_header.json.
@Suite struct ParseHeaderOracleTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let input: String
        let key: String
        let params: [String: String]
        var testDescription: String { String(reflecting: input) }
    }

    /// bpo-43910: CPython counts quotes without seeing that `\\` escapes the backslash, so a
    /// quoted value ending in `\\` swallows the following parameters. We parse the quoted
    /// string per RFC 9110 §5.6.4; these are our answers.
    static let bpo43910: [String: (key: String, params: [String: String])] = [
        #"a; b="\\"; c=d"#: ("a", ["b": "\\", "c": "d"]),
        #"a; b="x\\"; c="y;z""#: ("a", ["b": "x\\", "c": "y;z"]),
    ]

    static func loadCases() throws -> [Case] {
        let url = OracleDifferentialTests.oracle.appendingPathComponent("parse_header.json")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        return (json["results"] as! [[String: Any]]).map {
            Case(input: $0["input"] as! String, key: $0["key"] as! String, params: $0["params"] as! [String: String])
        }
    }

    @Test(arguments: try loadCases())
    func matchesCPython(_ testCase: Case) {
        let parsed = HeaderValue(parsing: testCase.input)
        // Later duplicates win, as in CPython's dict.
        let params = Dictionary(parsed.parameters.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 })
        if let ours = Self.bpo43910[testCase.input] {
            #expect(parsed.value == ours.key)
            #expect(params == ours.params)
            #expect(params != testCase.params, "bpo-43910 case should differ from CPython")
        } else {
            #expect(parsed.value == testCase.key)
            #expect(params == testCase.params)
        }
    }

    /// Random header values without backslashes (where bpo-43910 makes CPython wrong) through
    /// `HeaderValue` and through CPython's `cgi.parse_header` in a python3 process.
    @Test
    func randomHeadersMatchCPython() throws {
        var generator = SeededGenerator(seed: 2231)
        let alphabet: [Character] = Array("aB*0=;; \t\"'%é/-")
        let headers = (0..<2000).map { _ in generator.string(from: alphabet, maxCount: 30) }
        let script = """
            import cgi, json, sys
            json.dump([list(cgi.parse_header(h)) for h in json.load(sys.stdin)], sys.stdout)
            """
        let answers = try #require(try runPython(script, input: headers) as? [[Any]])
        #expect(answers.count == headers.count)
        for (header, answer) in zip(headers, answers) {
            let parsed = HeaderValue(parsing: header)
            #expect(parsed.value == answer[0] as? String, "\(String(reflecting: header))")
            let params = Dictionary(parsed.parameters.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 })
            #expect(params == answer[1] as? [String: String], "\(String(reflecting: header))")
        }
    }

    @Test func everyBackslashCaseIsInTheOracle() throws {
        let inputs = Set(try Self.loadCases().map(\.input))
        #expect(Set(Self.bpo43910.keys).isSubset(of: inputs))
    }
}
