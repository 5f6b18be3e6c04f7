import CGI
import Foundation
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

    @Test func everyBackslashCaseIsInTheOracle() throws {
        let inputs = Set(try Self.loadCases().map(\.input))
        #expect(Set(Self.bpo43910.keys).isSubset(of: inputs))
    }
}
