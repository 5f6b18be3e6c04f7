import Foundation
import Testing

@testable import CGI

/// Differential test against CPython 3.11's `cgi.FieldStorage` (the oracle's answers in
/// `shared/oracle`): every multipart case goes through ``Request`` with the body on a pipe,
/// as a script reads stdin, and is compared field by field.
@Suite struct MultipartOracleTests {
    /// Where CPython's answer is a bug or a weakness, the library deliberately differs:
    /// this is what it does instead, and why.
    struct Deviation: Sendable {
        let ours: String
        let why: String
        let expected: @Sendable (MultipartOutcome) -> MultipartOutcome
    }

    static let deviations: [String: Deviation] = [
        "mp-text-utf8-split-at-64k": Deviation(
            ours: "the é is intact", why: "text is decoded once, after the whole part arrived",
            expected: { python in
                python.mapFields { field in
                    field.text = field.text?.replacingOccurrences(of: "\u{FFFD}\u{FFFD}", with: "é")
                    field.bytes = Array((field.text ?? "").utf8)
                }
            }),
        "mp-urlencoded-part": Deviation(
            ours: "u is the text \"x=1&y=2\"; z follows",
            why: "a part ends at its delimiter whatever its type; Python reads the rest of the body into it",
            expected: { _ in
                .fields([.text("a", "1"), .text("u", "x=1&y=2", type: "application/x-www-form-urlencoded"), .text("z", "after")])
            }),
        "file-boundary-with-padding-inside": Deviation(
            ours: "error malformed", why: "after the padded delimiter (RFC 2046 §5.1.1) the header line \"after\" has no colon",
            expected: { _ in .error(kind: "malformed") }),
        "file-windows-path": Deviation(
            ours: "filename photo.jpg, rawFilename as sent", why: "RFC 7578 §4.2: receivers must not use the client's path",
            expected: { python in python.mapFields { $0.filename = "photo.jpg" } }),
        "file-path-traversal": Deviation(
            ours: "filename passwd, rawFilename as sent", why: "RFC 7578 §4.2: a '../' path must not reach the file system",
            expected: { python in python.mapFields { $0.filename = "passwd" } }),
        "mp-missing-close-delimiter": Deviation(
            ours: "error truncated", why: "a body without its close delimiter is incomplete (RFC 2046 §5.1.1)",
            expected: { _ in .error(kind: "truncated") }),
        "mp-truncated-in-delimiter": Deviation(
            ours: "error truncated", why: "the body stops inside a delimiter; no partial delimiter in the data",
            expected: { _ in .error(kind: "truncated") }),
        "mp-truncated-in-headers": Deviation(
            ours: "error truncated", why: "no phantom part from a cut header block",
            expected: { _ in .error(kind: "truncated") }),
        "mp-cl-ends-mid-value": Deviation(
            ours: "error truncated", why: "RFC 3875 §4.2: never read past CONTENT_LENGTH, so the body ends mid-part",
            expected: { _ in .error(kind: "truncated") }),
        "mp-cl-invalid": Deviation(
            ours: "error invalid_content_length", why: "RFC 3875 §4.1.2: CONTENT_LENGTH must be decimal digits",
            expected: { _ in .error(kind: "invalid_content_length") }),
        "mp-nested-mixed-then-field": Deviation(
            ours: "the field after the multipart/mixed part is kept", why: "each nested part ends at its own close delimiter",
            expected: { python in python.mapFieldList { $0.append(.text("after", "X")) } }),
        "file-filename-and-star": Deviation(
            ours: "filename été.txt from filename*",
            why: "the RFC 2231/8187 extended parameter is exact where the plain one is a fallback (RFC 6266 §4.3)",
            expected: { python in
                python.mapFields {
                    $0.filename = "été.txt"; $0.rawFilename = "été.txt"
                }
            }),
        "mp-ctype-mixed-case": Deviation(
            ours: "parsed: a=1", why: "media types are case-insensitive (RFC 9110 §8.3.1); Python crashes",
            expected: { _ in .fields([.text("a", "1")]) }),
    ]

    /// Quirk cases where the library gives CPython's answer, and why that is right here.
    static let quirksMatched: [String: String] = [
        "mp-binary-without-filename": "same text (U+FFFD for bad bytes), and the raw bytes are kept beside it",
        "mp-300-parts-no-limit": "300 parts are within the default limit of 1000 (FormOptions.maxParts)",
    ]

    @Test func everyMultipartCaseMatchesCPythonOrDiffersOnPurpose() throws {
        let cases = try OracleCase.loadAll().filter { $0.contentType?.lowercased().hasPrefix("multipart/") == true }
        #expect(cases.count >= 50)
        var matched = 0
        var deviated = 0
        for oracle in cases {
            let python = oracle.pythonOutcome
            let run = try oracle.run()
            // CPython keeps no raw bytes for text: compare the decoded text only.
            let ours = run.mapFields { field in
                if let text = field.text { field.bytes = Array(text.utf8) }
            }
            if let deviation = Self.deviations[oracle.id] {
                #expect(ours == deviation.expected(python), "\(oracle.id): \(deviation.ours) because \(deviation.why)")
                #expect(ours != python, "\(oracle.id) is listed as a deviation but matches CPython")
                deviated += 1
            } else {
                #expect(ours == python, "\(oracle.id): \(oracle.description)")
                matched += 1
            }
            if oracle.id == "mp-binary-without-filename", case .fields(let fields) = run {
                #expect(fields.contains { Array(($0.text ?? "").utf8) != $0.bytes }, "raw bytes kept")
            }
        }
        print("multipart oracle: \(cases.count) cases: \(matched) match CPython, \(deviated) differ on purpose")
        for (id, deviation) in Self.deviations.sorted(by: { $0.key < $1.key }) {
            print("  \(id): \(deviation.ours) — \(deviation.why)")
        }
        #expect(Self.deviations.keys.allSatisfy { id in cases.contains { $0.id == id } })
    }

    @Test func everyPythonQuirkIsAccountedFor() throws {
        let quirks = try OracleCase.loadAll().filter {
            $0.quirk != nil && $0.contentType?.lowercased().hasPrefix("multipart/") == true
        }
        for oracle in quirks {
            let known = Self.deviations[oracle.id] != nil || Self.quirksMatched[oracle.id] != nil
            #expect(known, "\(oracle.id): \(oracle.quirk ?? "")")
        }
    }
}

/// One case of the CPython oracle (`shared/oracle/cases.json`) with CPython's answer.
/// Immutable once loaded, so safe to share between tests.
struct OracleCase: CustomStringConvertible, @unchecked Sendable {
    let id: String
    let description: String
    let environment: [String: String]
    let body: [UInt8]
    let options: [String: Any]
    let expected: [String: Any]

    var contentType: String? { environment["CONTENT_TYPE"] }
    var quirk: String? { expected["python_quirk"] as? String }

    /// The oracle folder: `$CGI_ORACLE_DIR`, else `shared/oracle` beside the package.
    static var directory: URL {
        if let path = ProcessInfo.processInfo.environment["CGI_ORACLE_DIR"] { return URL(fileURLWithPath: path) }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/oracle")
    }

    static func loadAll() throws -> [OracleCase] {
        let cases =
            try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("cases.json")))
            as! [[String: Any]]
        let answers =
            try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("expected.json")))
            as! [String: Any]
        let results = answers["results"] as! [[String: Any]]
        return zip(cases, results).map { oracle, expected in
            precondition(oracle["id"] as? String == expected["id"] as? String)
            return OracleCase(
                id: oracle["id"] as! String, description: oracle["description"] as! String,
                environment: oracle["environ"] as! [String: String],
                body: Array(Data(base64Encoded: oracle["body_b64"] as! String)!),
                options: oracle["options"] as! [String: Any], expected: expected)
        }
    }

    /// The library's options for the case's CPython options.
    var formOptions: FormOptions {
        var formOptions = FormOptions()
        formOptions.encoding = TextEncoding(rawValue: options["encoding"] as? String ?? "utf-8") ?? .utf8
        formOptions.maxFields = options["max_num_fields"] as? Int
        formOptions.keepBlankValues = options["keep_blank_values"] as? Bool ?? false
        formOptions.strictParsing = options["strict_parsing"] as? Bool ?? false
        formOptions.separator = Array((options["separator"] as? String ?? "&").utf8)[0]
        return formOptions
    }

    /// Runs the case through ``Request``, reading the body from a pipe as a script reads stdin.
    func run() throws -> MultipartOutcome {
        try withBodyPipe(body) { descriptor in
            MultipartHarness.outcome {
                try Request(environment: environment, input: descriptor, options: formOptions).form.fields
            }
        }
    }

    /// CPython's answer as an outcome: fields in arrival order, a nested multipart/mixed part
    /// as one file per inner part under the outer name.
    var pythonOutcome: MultipartOutcome {
        if expected["result"] as? String == "error" {
            let kind = (expected["error"] as! [String: Any])["kind"] as! String
            return .error(kind: kind == "max_num_fields" ? "too_many_fields" : kind)
        }
        return .fields(
            Self.items(in: expected).flatMap { item -> [FieldSummary] in
                if item["value_kind"] as? String == "list" {
                    return Self.items(in: item).map { Self.summary($0, name: item["name"] as? String) }
                }
                return [Self.summary(item, name: item["name"] as? String)]
            })
    }

    /// The items of a result (or of a nested list item) in arrival order.
    private static func items(in result: [String: Any]) -> [[String: Any]] {
        let groups = result["fields"] as? [[String: Any]] ?? []
        var next: [Int: Int] = [:]
        return (result["order"] as? [Any] ?? []).map { name in
            let index = groups.firstIndex { ($0["name"] as? String) == (name as? String) }!
            let items = groups[index]["items"] as! [[String: Any]]
            defer { next[index, default: 0] += 1 }
            return items[next[index, default: 0]]
        }
    }

    private static func summary(_ item: [String: Any], name: String?) -> FieldSummary {
        let isFile = item["is_file"] as? Bool ?? false
        let filename = item["filename"] as? String
        let value = item["value"] as? String ?? ""
        if isFile {
            return FieldSummary(
                name: name, isFile: true, filename: filename, rawFilename: filename, contentType: item["type"] as? String,
                text: nil, bytes: Array(Data(base64Encoded: value)!))
        }
        return FieldSummary(
            name: name, isFile: false, filename: nil, rawFilename: nil, contentType: item["type"] as? String,
            text: value, bytes: Array(value.utf8))
    }
}

extension MultipartOutcome {
    /// The outcome with `change` applied to every field.
    func mapFields(_ change: (inout FieldSummary) -> Void) -> MultipartOutcome {
        mapFieldList { fields in
            for index in fields.indices { change(&fields[index]) }
        }
    }

    /// The outcome with `change` applied to its field list.
    func mapFieldList(_ change: (inout [FieldSummary]) -> Void) -> MultipartOutcome {
        guard case .fields(var fields) = self else { return self }
        change(&fields)
        return .fields(fields)
    }
}
