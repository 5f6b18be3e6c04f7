import CGI
import Foundation
import Testing

/// Feeds every non-multipart request case of the CPython oracle (shared/oracle beside the
/// repository) through `Request` and compares with what `cgi.FieldStorage` answered.
///
/// Both sides are rendered to one line (fields in arrival order, an error kind, or an unread
/// body) and compared. Where we differ on purpose, the case is in `deliberateDifferences`
/// with the line we produce instead and why.
@Suite struct OracleDifferentialTests {
    static let oracle = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/oracle")

    static let categories: Set<String> = [
        "get_query", "post_urlencoded", "content_length", "max_num_fields", "strict_parsing", "separator",
        "encoding", "maxlen", "content_type",
    ]

    /// Cases where our answer differs from CPython's on purpose: the line we produce, and why.
    static let deliberateDifferences: [String: (ours: String, why: String)] = [
        "post-urlenc-cl-long": (
            "error truncated",
            "RFC 3875 §4.2: a body shorter than CONTENT_LENGTH is an incomplete request; CPython parses what came"
        ),
        "post-urlenc-cl-invalid": (
            "error invalid_content_length", "RFC 3875 §4.1.2: CONTENT_LENGTH is 1*digit; CPython reads to EOF"
        ),
        "post-urlenc-cl-negative": (
            "error invalid_content_length", "a negative CONTENT_LENGTH is not a length; CPython reads to EOF"
        ),
        "post-urlenc-charset-param-ignored": (
            #"ok x="é""#, "the body's charset=iso-8859-1 parameter is honoured; CPython ignores it"
        ),
        "post-urlenc-ctype-mixed-case": (
            #"ok a="1""#, "media types are case-insensitive (RFC 9110 §8.3.1); CPython crashes (TypeError)"
        ),
        "post-urlenc-semicolon-sep-with-query": (
            #"ok a="1" b="2" c="3""#,
            "body and query are parsed separately; CPython joins them with '&' whatever the separator"
        ),
        "post-urlenc-maxlen-no-cl": (
            "error body_too_large", "the body limit holds without CONTENT_LENGTH too; CPython checks only the declared length"
        ),
        "post-text-plain-with-cl": (
            #"body text/plain "hello""#,
            "a non-form body stays unread for the script as bytes; CPython crashes (bpo-27777)"
        ),
        "post-text-plain-no-cl": (
            #"body text/plain "line1\r\nline2" a="1""#,
            "the raw body is kept as bytes and the query is still parsed; CPython decodes the body to text and drops the query"
        ),
        "put-no-ctype-no-cl": (
            #"body - "raw é data""#, "the raw body is kept as bytes; CPython decodes it to text"
        ),
        "put-octet-stream-with-cl": (
            #"body application/octet-stream "\0\u{01}""#,
            "a non-form body stays unread for the script as bytes; CPython crashes (bpo-27777)"
        ),
    ]

    /// Cases CPython marks as quirks where we still give the same answer, and why.
    static let quirksMatched: [String: String] = [
        "get-many-fields-no-limit":
            "the case asks for no field limit and gets none; FormOptions.maxFields defaults to 1000, not unlimited"
    ]

    struct Case: CustomTestStringConvertible, Sendable {
        let id: String
        let environment: [String: String]
        let body: [UInt8]
        let options: FormOptions
        let python: String
        let quirk: String?
        var testDescription: String { id }
    }

    static func loadCases() throws -> [Case] {
        let cases =
            try JSONSerialization.jsonObject(with: Data(contentsOf: oracle.appendingPathComponent("cases.json")))
            as! [[String: Any]]
        let expected =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: oracle.appendingPathComponent("expected.json"))) as! [String: Any]
        let results = Dictionary(
            uniqueKeysWithValues: (expected["results"] as! [[String: Any]]).map { ($0["id"] as! String, $0) })
        return cases.compactMap { entry in
            let environment = entry["environ"] as! [String: String]
            guard categories.contains(entry["category"] as! String),
                !(environment["CONTENT_TYPE"] ?? "").lowercased().hasPrefix("multipart/")
            else { return nil }
            let id = entry["id"] as! String
            let result = results[id]!
            return Case(
                id: id, environment: environment,
                body: [UInt8](Data(base64Encoded: entry["body_b64"] as! String)!),
                options: formOptions(entry["options"] as! [String: Any]),
                python: render(python: result), quirk: result["python_quirk"] as? String)
        }
    }

    static func formOptions(_ json: [String: Any]) -> FormOptions {
        var options = FormOptions()
        options.keepBlankValues = json["keep_blank_values"] as! Bool
        options.strictParsing = json["strict_parsing"] as! Bool
        options.maxFields = json["max_num_fields"] as? Int
        options.separator = (json["separator"] as! String).utf8.first!
        options.encoding = TextEncoding(name: json["encoding"] as! String)!
        if let maxlen = json["maxlen"] as? Int, maxlen > 0 { options.maxBodyBytes = maxlen }
        return options
    }

    /// CPython's answer as one line.
    static func render(python result: [String: Any]) -> String {
        if result["result"] as! String == "error" {
            let kind = (result["error"] as! [String: Any])["kind"] as! String
            let ours = ["max_num_fields": "too_many_fields", "maxlen": "body_too_large"][kind] ?? kind
            return "error \(ours)"
        }
        let top = result["top"] as! [String: Any]
        guard top["indexable"] as! Bool else {
            return "body \(top["type"]!) \(String(reflecting: top["value"] as! String))"
        }
        var groups: [String: [String]] = [:]
        for field in result["fields"] as! [[String: Any]] {
            groups[field["name"] as! String] = (field["items"] as! [[String: Any]]).map { $0["value"] as! String }
        }
        let pairs = (result["order"] as! [String]).map { name in (name, groups[name]!.removeFirst()) }
        return (["ok"] + pairs.map { "\($0)=\(String(reflecting: $1))" }).joined(separator: " ")
    }

    /// Our answer as one line.
    static func render(_ testCase: Case) -> String {
        do {
            return try withBodyPipe(testCase.body) { input in
                let request = try Request(environment: testCase.environment, input: input, options: testCase.options)
                let fields = request.form.map { "\($0.name!)=\(String(reflecting: $0.text!))" }
                guard let body = request.body, request.method != "GET" else {
                    return (["ok"] + fields).joined(separator: " ")
                }
                let bytes = try body.readAll()
                let text = String(reflecting: String(decoding: bytes, as: UTF8.self))
                return (["body", request.contentType ?? "-", text] + fields).joined(separator: " ")
            }
        } catch let error as CGIError {
            return "error \(error.kind)"
        } catch {
            return "unexpected \(error)"
        }
    }

    @Test(arguments: try loadCases())
    func matchesCPythonOrDiffersOnPurpose(_ testCase: Case) {
        let ours = Self.render(testCase)
        if let difference = Self.deliberateDifferences[testCase.id] {
            #expect(ours == difference.ours, "\(difference.why)")
            #expect(ours != testCase.python, "listed as different but matches CPython")
        } else {
            #expect(ours == testCase.python)
        }
        if testCase.quirk != nil {
            #expect(
                Self.deliberateDifferences[testCase.id] != nil || Self.quirksMatched[testCase.id] != nil,
                "a python_quirk case must say which way we go")
        }
    }

    @Test func reportsCounts() throws {
        let cases = try Self.loadCases()
        let matched = cases.filter { Self.render($0) == $0.python }.count
        let different = cases.filter { Self.deliberateDifferences[$0.id] != nil }.count
        print("oracle (non-multipart): \(cases.count) cases, \(matched) matched, \(different) deliberately different")
        #expect(cases.count >= 40)
        #expect(matched + different == cases.count)
    }
}
