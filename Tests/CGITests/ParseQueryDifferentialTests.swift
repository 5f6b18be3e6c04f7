import CGI
import Foundation
import TestSupport
import Testing

/// Random query strings through `URLEncodedForm` and through CPython's
/// `urllib.parse.parse_qsl` (what `cgi.FieldStorage` uses), run as a real python3 process.
@Suite struct ParseQueryDifferentialTests {
    /// Reads JSON cases on stdin, answers each with ["ok", [[name, value], ...]] or ["error"].
    static let python = """
        import json, sys, urllib.parse
        out = []
        for case in json.load(sys.stdin):
            try:
                pairs = urllib.parse.parse_qsl(
                    case["qs"], keep_blank_values=case["keep"], strict_parsing=case["strict"],
                    encoding=case["encoding"], errors="replace", max_num_fields=case["max"],
                    separator=case["sep"])
                out.append(["ok", pairs])
            except ValueError:
                out.append(["error"])
        json.dump(out, sys.stdout)
        """

    struct Case {
        let query: String
        let options: FormOptions
    }

    static func randomCases(count: Int) -> [Case] {
        var generator = SeededGenerator(seed: 23336)
        let pieces = [
            "a", "b", "Z", "0", "=", "=", "&", "&", ";", "+", "%", "%2", "%20", "%2B", "%26", "%3D", "%zz", "%E9",
            "%C3%A9", "%C3", "%A9", "%F0%9F%98%80", "%F0%9F", "%80", "%FF", "%00", "#", " ", "~",
        ]
        return (0..<count).map { _ in
            let query = (0..<Int.random(in: 0...14, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }
                .joined()
            var options = FormOptions()
            options.keepBlankValues = Bool.random(using: &generator)
            options.strictParsing = Int.random(in: 0..<4, using: &generator) == 0
            options.encoding = Bool.random(using: &generator) ? .utf8 : .latin1
            options.separator = Bool.random(using: &generator) ? UInt8(ascii: "&") : UInt8(ascii: ";")
            options.maxFields = Bool.random(using: &generator) ? nil : Int.random(in: 0...6, using: &generator)
            return Case(query: query, options: options)
        }
    }

    /// Our answer in the same shape as Python's.
    static func ours(_ testCase: Case) -> String {
        do {
            let fields = try URLEncodedForm.parse(Array(testCase.query.utf8), source: .query, options: testCase.options)
            return "ok " + fields.map { "\(String(reflecting: $0.name!))=\(String(reflecting: $0.text!))" }.joined(separator: " ")
        } catch {
            return "error"
        }
    }

    @Test
    func matchesParseQsl() throws {
        let cases = Self.randomCases(count: 2000)
        let input: [[String: Any]] = cases.map {
            [
                "qs": $0.query, "keep": $0.options.keepBlankValues, "strict": $0.options.strictParsing,
                "encoding": $0.options.encoding.rawValue, "max": $0.options.maxFields as Any? ?? NSNull(),
                "sep": String(UnicodeScalar($0.options.separator)),
            ]
        }
        let answers = try #require(try runPython(Self.python, input: input) as? [[Any]])
        #expect(answers.count == cases.count)
        var mismatches = 0
        for (testCase, answer) in zip(cases, answers) {
            let theirs =
                answer[0] as! String == "error"
                ? "error"
                : "ok "
                    + (answer[1] as! [[String]]).map { "\(String(reflecting: $0[0]))=\(String(reflecting: $0[1]))" }
                    .joined(separator: " ")
            let ours = Self.ours(testCase)
            if ours != theirs { mismatches += 1 }
            #expect(ours == theirs, "query \(String(reflecting: testCase.query))")
        }
        print("parse_qsl differential: \(cases.count) random queries, \(cases.count - mismatches) identical")
    }
}
