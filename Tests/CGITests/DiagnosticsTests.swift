import Testing

/// `CGI.diagnostics`, the `cgi.test()` of this library.
@Suite struct DiagnosticsTests {
    @Test func escapesHostileValuesAndHidesSecrets() throws {
        let output = try FixtureScript(name: "ErrorReportFixture").run(
            query: "mode=diagnostics&x=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E&password=s3cret",
            [
                "HTTP_X_EVIL": "<script>alert(1)</script>", "HTTP_COOKIE": "session=abc123",
                "REQUEST_URI": "/cgi-bin/x?password=s3cret", "HTTP_X_API_TOKEN": "t0ken",
            ])
        #expect(output.head == "Status: 200 OK\r\nContent-Type: text/html; charset=utf-8")
        let page = output.body
        #expect(page.contains("<tr><th>HTTP_X_EVIL</th><td>&lt;script&gt;alert(1)&lt;/script&gt;</td></tr>"))
        #expect(page.contains("<tr><th>x</th><td>&lt;img src=x onerror=alert(1)&gt;</td></tr>"))
        #expect(!page.contains("<script>"))
        #expect(!page.contains("<img"))
        #expect(page.contains("<tr><th>password</th><td>(hidden)</td></tr>"))
        #expect(page.contains("<tr><th>REQUEST_URI</th><td>/cgi-bin/x?password=(hidden)</td></tr>"))
        #expect(page.contains("<tr><th>HTTP_COOKIE</th><td>session=(hidden)</td></tr>"))
        #expect(page.contains("<tr><th>HTTP_X_API_TOKEN</th><td>(hidden)</td></tr>"))
        for secret in ["s3cret", "abc123", "t0ken"] { #expect(!page.contains(secret)) }
        #expect(page.contains("<tr><th>Working directory</th><td>/"))
        #expect(page.contains("<tr><th>User id</th><td>"))
        #expect(page.contains("<dt><code>AUTH_TYPE</code> (not set)</dt>"))
        #expect(page.contains("<dt><code>REQUEST_METHOD</code></dt>"))
    }

    @Test func listsUploadsAndSortsTheEnvironment() throws {
        let body =
            "--XyZ\r\nContent-Disposition: form-data; name=\"doc\"; filename=\"a<b>.txt\"\r\n"
            + "Content-Type: text/plain\r\n\r\nhi\r\n--XyZ--\r\n"
        let output = try FixtureScript(name: "ErrorReportFixture").run(
            query: "mode=diagnostics", method: "POST", body: body,
            [
                "CONTENT_TYPE": "multipart/form-data; boundary=XyZ", "CONTENT_LENGTH": "\(body.utf8.count)",
                "ZED": "1", "ALPHA": "2",
            ])
        #expect(
            output.body.contains("<tr><th>doc</th><td>upload &quot;a&lt;b&gt;.txt&quot;, text/plain, 2 bytes</td></tr>")
        )
        let alpha = try #require(output.body.range(of: "<th>ALPHA</th>"))
        let zed = try #require(output.body.range(of: "<th>ZED</th>"))
        #expect(alpha.lowerBound < zed.lowerBound)
    }
}
