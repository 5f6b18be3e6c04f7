import TestSupport
import Testing

@testable import CGI

/// Every limit of ``FormOptions`` that applies to multipart bodies fails with its own error
/// kind, and a failed parse leaves no temporary file behind.
@Suite struct MultipartLimitsTests {
    /// The test's scratch folder, removed when the test ends.
    let scratch: TemporaryDirectory

    init() throws {
        scratch = try TemporaryDirectory(prefix: "cgi-test")
    }

    static func part(_ name: String, filename: String? = nil, size: Int) -> (headers: [String], data: [UInt8]) {
        let disposition = "Content-Disposition: form-data; name=\"\(name)\"" + (filename.map { "; filename=\"\($0)\"" } ?? "")
        return (headers: [disposition], data: [UInt8](repeating: UInt8(ascii: "x"), count: size))
    }

    /// (limit, options change, parts, expected error kind or nil when accepted)
    static let cases: [(String, @Sendable (inout FormOptions) -> Void, [(headers: [String], data: [UInt8])], String?)] = [
        ("parts at the limit", { $0.maxParts = 3 }, [part("a", size: 1), part("b", size: 1), part("c", size: 1)], nil),
        ("parts over", { $0.maxParts = 2 }, [part("a", size: 1), part("b", size: 1), part("c", size: 1)], "too_many_parts"),
        ("fields over", { $0.maxFields = 2 }, [part("a", size: 1), part("b", size: 1), part("c", size: 1)], "too_many_fields"),
        (
            "header block over", { $0.maxPartHeaderBytes = 64 }, [part(String(repeating: "n", count: 64), size: 1)],
            "header_too_large"
        ),
        ("header block at the limit", { $0.maxPartHeaderBytes = 64 }, [part(String(repeating: "n", count: 18), size: 1)], nil),
        ("text at the limit", { $0.maxTextBytes = 10 }, [part("a", size: 4), part("b", size: 6)], nil),
        ("text over, two fields", { $0.maxTextBytes = 10 }, [part("a", size: 4), part("b", size: 7)], "text_too_large"),
        ("file at the limit", { $0.maxFileBytes = 100 }, [part("f", filename: "f", size: 100)], nil),
        ("file over", { $0.maxFileBytes = 100 }, [part("f", filename: "f", size: 101)], "file_too_large"),
        (
            "file over, in memory",
            {
                $0.maxFileBytes = 10; $0.memoryThreshold = 1000
            }, [part("f", filename: "f", size: 11)], "file_too_large"
        ),
        (
            "disk at the limit",
            {
                $0.maxDiskBytes = 120; $0.memoryThreshold = 10
            }, [part("f", filename: "1", size: 60), part("g", filename: "2", size: 60)], nil
        ),
        (
            "disk over",
            {
                $0.maxDiskBytes = 100; $0.memoryThreshold = 10
            }, [part("f", filename: "1", size: 60), part("g", filename: "2", size: 60)], "disk_quota_exceeded"
        ),
        (
            "memory uploads do not use the disk quota",
            {
                $0.maxDiskBytes = 10; $0.memoryThreshold = 100
            }, [part("f", filename: "1", size: 60), part("g", filename: "2", size: 60)], nil
        ),
    ]

    @Test(arguments: cases)
    func limit(
        what: String, change: @Sendable (inout FormOptions) -> Void, parts: [(headers: [String], data: [UInt8])], kind: String?
    ) throws {
        var options = FormOptions()
        change(&options)
        let spool = try scratch.newFolder()
        options.temporaryDirectory = spool
        let outcome = MultipartHarness.parse(
            MultipartHarness.body(parts), contentType: "multipart/form-data; boundary=BOUND", options: options)
        if let kind {
            #expect(outcome == .error(kind: kind), "\(what)")
            #expect(try MultipartHarness.contents(of: options.temporaryDirectory!).isEmpty, "\(what): temporary files left")
        } else {
            guard case .fields(let fields) = outcome else { Issue.record("\(what): \(outcome)"); return }
            #expect(fields.count == parts.count, "\(what)")
        }
    }

    @Test(arguments: [(Int?.none, "body_too_large"), (Int?.some(5000), "body_too_large")])
    func bodyLimit(contentLength: Int?, kind: String) throws {
        var options = FormOptions()
        options.maxBodyBytes = 1000
        let body = MultipartHarness.body([Self.part("f", filename: "f", size: 4000)])
        let outcome = try MultipartHarness.parseFromPipe(
            body, contentType: "multipart/form-data; boundary=BOUND", contentLength: contentLength.map { _ in body.count },
            options: options)
        #expect(outcome == .error(kind: kind))
    }

    @Test(arguments: ["truncated", "file_too_large", "malformed"])
    func failedParseDeletesEarlierAndPartialFiles(kind: String) throws {
        var options = FormOptions()
        options.memoryThreshold = 16
        options.maxFileBytes = 1000
        let spool = try scratch.newFolder()
        options.temporaryDirectory = spool
        var body = MultipartHarness.body([Self.part("done", filename: "a", size: 500)]).dropLast(9)  // without the close delimiter
        switch kind {
        case "truncated":
            body +=
                Array("\r\n--BOUND\r\nContent-Disposition: form-data; name=\"b\"; filename=\"b\"\r\n\r\n".utf8)
                + Array(repeating: 0, count: 300)
        case "file_too_large":
            body +=
                Array("\r\n--BOUND\r\nContent-Disposition: form-data; name=\"b\"; filename=\"b\"\r\n\r\n".utf8)
                + Array(repeating: 0, count: 3000)
        default: body += Array("\r\n--BOUND\r\nno colon\r\n\r\n".utf8)
        }
        let outcome = MultipartHarness.parse(
            Array(body), contentType: "multipart/form-data; boundary=BOUND", options: options, splits: [600])
        #expect(outcome == .error(kind: kind))
        #expect(try MultipartHarness.contents(of: options.temporaryDirectory!).isEmpty)
    }
}
