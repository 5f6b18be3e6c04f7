import CGI
import Foundation
import Testing

/// `Response.file` on real files: headers, conditional requests, ranges.
@Suite struct FileResponseTests {
    let folder: URL
    let path: String
    let content = Array("0123456789".utf8)

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("files-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        path = folder.appendingPathComponent("notes.txt").path
        try Data(content).write(to: URL(fileURLWithPath: path))
        // A known modification time: 2001-09-09 01:46:40 UTC.
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1_000_000_000)], ofItemAtPath: path)
    }

    func response(method: String = "GET", _ headers: [String: String] = [:]) throws -> Response {
        let request = try withBodyPipe([]) {
            try Request(environment: headers.merging(["REQUEST_METHOD": method]) { $1 }, input: $0)
        }
        return try Response.file(at: path, for: request)
    }

    @Test func sendsTheFileWithValidators() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let response = try response()
        #expect(response.status == 200)
        #expect(response.body == content)
        #expect(response.headers["Content-Type"] == "text/plain; charset=utf-8")
        #expect(response.headers["Content-Length"] == "10")
        #expect(response.headers["Last-Modified"] == "Sun, 09 Sep 2001 01:46:40 GMT")
        #expect(response.headers["Accept-Ranges"] == "bytes")
        let etag = try #require(response.headers["ETag"])
        #expect(etag.hasPrefix("\"a-3b9aca00-") && etag.hasSuffix("\""))

        let head = try self.response(method: "HEAD")
        #expect(head.status == 200 && head.body.isEmpty && head.headers["Content-Length"] == "10")
    }

    @Test func answersConditionalRequestsWith304() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let etag = try #require(try response().headers["ETag"])
        for headers in [
            ["HTTP_IF_NONE_MATCH": etag], ["HTTP_IF_NONE_MATCH": "\"x\", W/" + etag], ["HTTP_IF_NONE_MATCH": "*"],
            ["HTTP_IF_MODIFIED_SINCE": "Sun, 09 Sep 2001 01:46:40 GMT"],
            ["HTTP_IF_MODIFIED_SINCE": "Mon, 10 Sep 2001 00:00:00 GMT"],
        ] {
            let response = try response(headers)
            #expect(response.status == 304, "\(headers)")
            #expect(response.body.isEmpty && response.headers["ETag"] == etag && response.headers["Content-Type"] == nil)
        }
        for headers in [
            ["HTTP_IF_NONE_MATCH": "\"other\""],
            ["HTTP_IF_MODIFIED_SINCE": "Sun, 09 Sep 2001 01:46:39 GMT"],
            ["HTTP_IF_MODIFIED_SINCE": "yesterday"],
            // If-None-Match decides when both are present (RFC 9110 §13.2.2).
            ["HTTP_IF_NONE_MATCH": "\"other\"", "HTTP_IF_MODIFIED_SINCE": "Mon, 10 Sep 2001 00:00:00 GMT"],
        ] {
            #expect(try response(headers).status == 200, "\(headers)")
        }
        #expect(try response(method: "POST", ["HTTP_IF_NONE_MATCH": "*"]).status == 200)
    }

    @Test(
        arguments: [
            ("bytes=2-4", 206, "234", "bytes 2-4/10"), ("bytes=7-", 206, "789", "bytes 7-9/10"),
            ("bytes=-3", 206, "789", "bytes 7-9/10"), ("bytes=-30", 206, "0123456789", "bytes 0-9/10"),
            ("bytes=8-99999999999999999999", 206, "89", "bytes 8-9/10"),
            ("bytes=10-", 416, nil, "bytes */10"), ("bytes=99999999999999999999-1", 416, nil, "bytes */10"),
            ("bytes=0-1,4-5", 200, "0123456789", nil), ("bytes=5-2", 200, "0123456789", nil),
            ("items=0-1", 200, "0123456789", nil), ("bytes=a-b", 200, "0123456789", nil),
        ] as [(String, Int, String?, String?)])
    func servesOneRange(range: String, status: Int, body: String?, contentRange: String?) throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let response = try response(["HTTP_RANGE": range])
        #expect(response.status == status)
        #expect(response.headers["Content-Range"] == contentRange)
        if let body {
            #expect(String(decoding: response.body, as: UTF8.self) == body)
            #expect(response.headers["Content-Length"] == String(body.utf8.count))
        }
    }

    @Test func ifRangeForAnotherVersionSendsTheWholeFile() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let etag = try #require(try response().headers["ETag"])
        #expect(try response(["HTTP_RANGE": "bytes=0-0", "HTTP_IF_RANGE": etag]).status == 206)
        #expect(try response(["HTTP_RANGE": "bytes=0-0", "HTTP_IF_RANGE": "Sun, 09 Sep 2001 01:46:40 GMT"]).status == 206)
        #expect(try response(["HTTP_RANGE": "bytes=0-0", "HTTP_IF_RANGE": "\"old\""]).status == 200)
    }

    @Test func missingFilesAndFoldersAre404() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let request = try Request(environment: [:], input: -1)
        #expect(try Response.file(at: folder.path + "/missing", for: request).status == 404)
        #expect(try Response.file(at: folder.path, for: request).status == 404)
        #expect(try Response.file(at: path + "/below", for: request).status == 404)
    }
}
