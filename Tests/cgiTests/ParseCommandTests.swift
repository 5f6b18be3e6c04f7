import Foundation
import TestSupport
import Testing

/// `cgi parse` run as a real process: environment in, body on stdin, JSON out.
@Suite struct ParseCommandTests {
    struct Outcome {
        let status: Int32
        let json: [String: Any]
    }

    static func parse(_ environment: [String: String], body: String = "", arguments: [String] = []) throws -> Outcome {
        try parse(environment, body: Data(body.utf8), arguments: arguments)
    }

    static func parse(_ environment: [String: String], body: Data, arguments: [String] = []) throws -> Outcome {
        let (status, data) = try pipe(body, through: cgiTool, arguments: ["parse"] + arguments, environment: environment)
        let json =
            (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [
                "unparsed": String(decoding: data, as: UTF8.self)
            ]
        return Outcome(status: status, json: json)
    }

    /// Runs `executable` with `input` on its standard input; its exit status and standard output.
    static func pipe(
        _ input: Data, through executable: URL, arguments: [String], environment: [String: String]? = nil
    ) throws -> (status: Int32, output: Data) {
        let result = try runProcess(executable.path, arguments, environment: environment, input: input)
        return (result.exitStatus, result.standardOutput)
    }

    /// The fields as `name=value` lines.
    static func fields(_ outcome: Outcome) -> [String] {
        (outcome.json["fields"] as? [[String: Any]] ?? []).map {
            "\($0["name"] as? String ?? "null")=\($0["value"] as? String ?? "?")"
        }
    }

    static let urlencoded = ["REQUEST_METHOD": "POST", "CONTENT_TYPE": "application/x-www-form-urlencoded"]

    @Test(
        arguments: [
            (["REQUEST_METHOD": "GET", "QUERY_STRING": "a=1&b=%C3%A9&a=2"], "", [], ["a=1", "b=é", "a=2"]),
            (
                urlencoded.merging(["QUERY_STRING": "q=0", "CONTENT_LENGTH": "9"]) { $1 }, "x=1&y=two", [],
                ["x=1", "y=two", "q=0"]
            ),
            (["QUERY_STRING": "a=&b"], "", ["--keep-blank-values"], ["a=", "b="]),
            (["QUERY_STRING": "a=1;b=2&c=3"], "", ["--separator", ";"], ["a=1", "b=2&c=3"]),
            (["QUERY_STRING": "k=%E9"], "", ["--encoding", "latin-1"], ["k=é"]),
            (["QUERY_STRING": "k=%E9"], "", [], ["k=\u{FFFD}"]),
            (["QUERY_STRING": "t=line%0A%22q%22%5C"], "", [], ["t=line\n\"q\"\\"]),
        ] as [([String: String], String, [String], [String])])
    func printsFields(environment: [String: String], body: String, arguments: [String], expected: [String]) throws {
        let outcome = try Self.parse(environment, body: body, arguments: arguments)
        #expect(outcome.status == 0)
        #expect(Self.fields(outcome) == expected)
        #expect(outcome.json["body"] == nil)
    }

    @Test func describesABodyThatIsNotAForm() throws {
        let outcome = try Self.parse(
            ["REQUEST_METHOD": "PUT", "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": "9", "QUERY_STRING": "v=1"],
            body: #"{"a": 1}"# + "\n")
        #expect(outcome.status == 0)
        #expect(Self.fields(outcome) == ["v=1"])
        let body = try #require(outcome.json["body"] as? [String: Any])
        #expect(body["content_type"] as? String == "application/json")
        #expect(body["size"] as? Int == 9)
    }

    @Test func describesUploads() throws {
        let body = [
            "--B", #"Content-Disposition: form-data; name="note""#, "", "hi", "--B",
            #"Content-Disposition: form-data; name="f"; filename="C:\dir\a.txt""#, "Content-Type: text/plain", "",
            "abc", "--B--", "",
        ].joined(separator: "\r\n")
        let outcome = try Self.parse(
            [
                "REQUEST_METHOD": "POST", "CONTENT_TYPE": "multipart/form-data; boundary=B", "QUERY_STRING": "q=1",
                "CONTENT_LENGTH": String(body.utf8.count),
            ],
            body: body)
        #expect(outcome.status == 0)
        let fields = try #require(outcome.json["fields"] as? [[String: Any]])
        #expect(fields.count == 3)
        #expect(Self.fields(outcome).prefix(2) == ["q=1", "note=hi"])
        let file = try #require(fields.last)
        #expect(file["name"] as? String == "f")
        #expect(file["filename"] as? String == #"C:\dir\a.txt"#)
        #expect(file["sanitized_filename"] as? String == "a.txt")
        #expect(file["content_type"] as? String == "text/plain")
        #expect(file["size"] as? Int == 3)
        #expect(file["sha256"] as? String == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    /// SHA-256 of `data` by `sha256sum`, independently of the CGI library.
    static func sha256sum(_ data: Data) throws -> String {
        let output = try pipe(data, through: URL(fileURLWithPath: "/usr/bin/sha256sum"), arguments: []).output
        return String(decoding: output.prefix(64), as: UTF8.self)
    }

    /// Uploads past the 64 KiB memory threshold (spooled to a temporary file, hashed while
    /// spooled) and under it (kept in memory): sizes and digests as `sha256sum` computes them.
    @Test func hashesLargeAndSmallUploads() throws {
        var random = SystemRandomNumberGenerator()
        let large = Data((0..<(3 << 20) + 17).map { _ in UInt8.random(in: 0...255, using: &random) })
        let small = Data((0..<1000).map { _ in UInt8.random(in: 0...255, using: &random) })
        var body = Data()
        for (name, contents) in [("large", large), ("small", small)] {
            body += Data("--B\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(name).bin\"\r\n\r\n".utf8)
            body += contents + Data("\r\n".utf8)
        }
        body += Data("--B--\r\n".utf8)
        let temporaryDirectory = try TemporaryDirectory(prefix: "cgi-parse")
        defer { withExtendedLifetime(temporaryDirectory) {} }
        let outcome = try Self.parse(
            [
                "REQUEST_METHOD": "POST", "CONTENT_TYPE": "multipart/form-data; boundary=B",
                "CONTENT_LENGTH": String(body.count), "TMPDIR": temporaryDirectory.path,
            ],
            body: body)
        #expect(outcome.status == 0)
        let fields = try #require(outcome.json["fields"] as? [[String: Any]])
        #expect(fields.count == 2)
        for (field, contents) in zip(fields, [large, small]) {
            #expect(field["size"] as? Int == contents.count)
            #expect(field["sha256"] as? String == (try Self.sha256sum(contents)), "\(field["name"] ?? "?")")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: temporaryDirectory.path).isEmpty)
    }

    @Test(
        arguments: [
            (["QUERY_STRING": "a=1&b"], "", ["--strict"], "strict_parsing"),
            (["QUERY_STRING": "a=1&b=2"], "", ["--max-fields", "1"], "too_many_fields"),
            (urlencoded.merging(["CONTENT_LENGTH": "7"]) { $1 }, "a=1&b=2", ["--max-body", "3"], "body_too_large"),
            (urlencoded, "a=1&b=2", ["--max-body", "3"], "body_too_large"),
            (urlencoded.merging(["CONTENT_LENGTH": "20"]) { $1 }, "a=1", [], "truncated"),
            (urlencoded.merging(["CONTENT_LENGTH": "-1"]) { $1 }, "a=1", [], "invalid_content_length"),
        ] as [([String: String], String, [String], String)])
    func reportsRejectedRequests(environment: [String: String], body: String, arguments: [String], kind: String) throws {
        let outcome = try Self.parse(environment, body: body, arguments: arguments)
        #expect(outcome.status == 2)
        let error = try #require(outcome.json["error"] as? [String: Any])
        #expect(error["kind"] as? String == kind)
        #expect((error["message"] as? String)?.isEmpty == false)
    }

    @Test(arguments: [["--separator", "ab"], ["--separator", "é"], ["--encoding", "klingon"], ["--max-fields", "-1"]])
    func refusesBadOptions(arguments: [String]) throws {
        let outcome = try Self.parse([:], arguments: arguments)
        #expect(outcome.status == 2)
        #expect(outcome.json["fields"] == nil && outcome.json["error"] == nil, "the usage error goes to stderr")
    }
}
