import Foundation
import Testing

/// The JSON API, cookie, CSRF and file helpers in a real script process
/// (Tests/Fixtures/ToolkitFixture).
@Suite struct ToolkitProcessTests {
    let script = FixtureScript(name: "ToolkitFixture")

    /// Runs the fixture with `mode` and a body, CONTENT_LENGTH set to the body's size.
    func run(
        _ query: String, method: String = "GET", body: String = "", _ extra: [String: String] = [:]
    ) throws
        -> FixtureScript.Output
    {
        var environment = extra
        if !body.isEmpty { environment["CONTENT_LENGTH"] = String(body.utf8.count) }
        return try script.run(query: query, method: method, body: body, environment)
    }

    func status(_ output: FixtureScript.Output) -> Int? {
        output.head.split(separator: "\r\n").first.flatMap { Int($0.dropFirst("Status: ".count).prefix(3)) }
    }

    func header(_ name: String, _ output: FixtureScript.Output) -> [String] {
        output.head.components(separatedBy: "\r\n").compactMap { line in
            line.lowercased().hasPrefix(name.lowercased() + ": ") ? String(line.dropFirst(name.count + 2)) : nil
        }
    }

    func jsonError(_ output: FixtureScript.Output) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(output.body.utf8)) as? [String: Any]
        return try #require(object?["error"] as? [String: Any])
    }

    @Test func echoesJSON() throws {
        let output = try run(
            "mode=echo", method: "POST", body: #"{"name":"Ann \ud83d\ude00","n":[1,2.5]}"#,
            ["CONTENT_TYPE": "Application/JSON; charset=utf-8"])
        #expect(status(output) == 200)
        #expect(header("Content-Type", output) == ["application/json"])
        #expect(output.body == #"{"received":{"n":[1,2.5],"name":"Ann 😀"}}"#)
    }

    /// Malformed JSON (400), a wrong Content-Type (415) and a body over the limit (413) come
    /// back as JSON when the client asks for JSON, and as HTML from a browser.
    @Test(arguments: [
        ("{\"a\":", "application/json", 400, "malformed"),
        ("{}", "text/plain", 415, "unsupported_media_type"),
        ("[" + String(repeating: "1,", count: 40) + "1]", "application/json", 413, "body_too_large"),
    ])
    func jsonErrorsFollowTheAcceptHeader(body: String, type: String, expected: Int, kind: String) throws {
        let json = try run("mode=echo", method: "POST", body: body, ["CONTENT_TYPE": type, "HTTP_ACCEPT": "application/json"])
        #expect(status(json) == expected)
        #expect(header("Content-Type", json) == ["application/json"])
        #expect(try jsonError(json)["kind"] as? String == kind)
        #expect(try jsonError(json)["status"] as? Int == expected)
        #expect(json.stderr.contains("CGI request rejected (\(expected))"))

        let browser = try run(
            "mode=echo", method: "POST", body: body,
            ["CONTENT_TYPE": type, "HTTP_ACCEPT": "text/html,application/xhtml+xml,*/*;q=0.8"])
        #expect(status(browser) == expected)
        #expect(header("Content-Type", browser) == ["text/html; charset=utf-8"])
    }

    /// A request the library rejects before the handler runs, in the format CGI.run is told.
    @Test func rejectionsBeforeTheHandlerFollowTheOption() throws {
        let tooBig = ["CONTENT_TYPE": "application/x-www-form-urlencoded", "CONTENT_LENGTH": "9999999999"]
        let json = try script.run(query: "mode=echo", method: "POST", tooBig.merging(["FIXTURE_REJECTIONS": "json"]) { $1 })
        #expect(status(json) == 413)
        #expect(try jsonError(json)["kind"] as? String == "body_too_large")
        let negotiated = try script.run(
            query: "mode=echo", method: "POST", tooBig.merging(["HTTP_ACCEPT": "application/json;q=0.9, text/html;q=0.5"]) { $1 })
        #expect(header("Content-Type", negotiated) == ["application/json"])
        let html = try script.run(
            query: "mode=echo", method: "POST",
            tooBig.merging(["HTTP_ACCEPT": "application/json", "FIXTURE_REJECTIONS": "html"]) { $1 })
        #expect(status(html) == 413)
        #expect(header("Content-Type", html) == ["text/html; charset=utf-8"])
        #expect(html.body.contains("<p>The request was not accepted: the request body is larger than"))
    }

    @Test func bodyTooLargeInTheHandlerIs413() throws {
        let output = try run(
            "mode=raw", method: "POST", body: String(repeating: "x", count: 17),
            ["CONTENT_TYPE": "application/octet-stream"])
        #expect(status(output) == 413)
        #expect(!output.stderr.contains("report"))
        let fits = try run(
            "mode=raw", method: "POST", body: String(repeating: "x", count: 16),
            ["CONTENT_TYPE": "application/octet-stream"])
        #expect(fits.body == "16 bytes\n")
    }

    @Test func cookieValuesWithSpacesAndCommasAreSetAndReadBack() throws {
        let value = "Saved, thank you; 100% é"
        let set = try run("mode=set-cookie&value=" + value.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
        #expect(status(set) == 200)
        let cookies = header("Set-Cookie", set)
        #expect(
            cookies == [
                "flash=Saved%2C%20thank%20you%3B%20100%25%20%C3%A9",
                "old=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
            ])
        let pair = try #require(cookies.first)
        let read = try run("mode=read-cookie", ["HTTP_COOKIE": pair])
        #expect(read.body == value)
    }

    @Test func csrfTokensGuardThePostOfTheirSession() throws {
        let page = try run("mode=form")
        let token = page.body
        let session = try #require(header("Set-Cookie", page).first?.components(separatedBy: ";").first)
        func post(_ form: String, cookie: String) throws -> FixtureScript.Output {
            try run(
                "mode=form", method: "POST", body: form,
                ["CONTENT_TYPE": "application/x-www-form-urlencoded", "HTTP_COOKIE": cookie])
        }
        let accepted = try post("comment=hi&csrf_token=\(token)", cookie: session)
        #expect(status(accepted) == 200 && accepted.body == "accepted hi\n")
        #expect(status(try post("comment=hi", cookie: session)) == 403)
        #expect(status(try post("comment=hi&csrf_token=\(token)x", cookie: session)) == 403)
        // Another visitor's session with this token: refused.
        let other = try run("mode=form")
        let otherSession = try #require(header("Set-Cookie", other).first?.components(separatedBy: ";").first)
        #expect(status(try post("comment=hi&csrf_token=\(token)", cookie: otherSession)) == 403)
        // A token in the header (for fetch) works as in the form.
        let viaHeader = try run(
            "mode=form", method: "POST", body: "comment=js",
            ["CONTENT_TYPE": "application/x-www-form-urlencoded", "HTTP_COOKIE": session, "HTTP_X_CSRF_TOKEN": token])
        #expect(viaHeader.body == "accepted js\n")
    }

    @Test func sendsAFileWithItsHeaders() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("toolkit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("Photo.PNG").path
        try Data("abcdefg".utf8).write(to: URL(fileURLWithPath: path))
        let output = try run("mode=file&path=" + path)
        #expect(status(output) == 200)
        #expect(header("Content-Type", output) == ["image/png"])
        #expect(header("Content-Length", output) == ["7"])
        let etag = try #require(header("ETag", output).first)
        let notModified = try run("mode=file&path=" + path, ["HTTP_IF_NONE_MATCH": "\"other\", " + etag])
        #expect(status(notModified) == 304 && notModified.body.isEmpty)
        let range = try run("mode=file&path=" + path, ["HTTP_RANGE": "bytes=4-"])
        #expect(status(range) == 206)
        #expect(header("Content-Range", range) == ["bytes 4-6/7"])
        #expect(range.body == "efg")
        #expect(status(try run("mode=file&path=" + path + ".missing")) == 404)
    }
}
