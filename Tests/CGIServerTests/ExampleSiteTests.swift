import Foundation
import TestSupport
import Testing

/// How the example site's scripts run: a process per request (CGI), or the `.swift` ones as
/// resident FastCGI worker pools (`--resident '*.swift'`).
enum ScriptMode: String, CaseIterable, CustomTestStringConvertible {
    case cgi
    case resident

    /// The server options for this mode.
    var options: [String] { self == .resident ? ["--resident", "*.swift"] : [] }

    var testDescription: String { rawValue }
}

/// The example site (Examples/site) served by the real server, every example exercised, with
/// the scripts run as CGI and as resident workers.
@Suite(.serialized) struct ExampleSiteTests {
    static let site = URL(filePath: #filePath).deletingLastPathComponent().appending(path: "../../Examples/site").standardized
    /// One compile cache for the suite, so each script compiles once; removed when the test run ends.
    static let cache = try! TemporaryDirectory.removedAtExit(prefix: "example-site-cache")
    /// contact.swift's signing key, new for each test run (so it writes no key file into the site).
    static let secret = UUID().uuidString + UUID().uuidString
    /// The real server on the example site, with the suite's compile cache. Scripts get the
    /// server's TMPDIR (in the test's site folder), where upload.swift keeps its uploads, and
    /// the signing key of contact.swift.
    static func serve(_ mode: ScriptMode, _ options: [String] = []) throws -> TestServer {
        try TestServer(
            options: [
                "--htdocs", site.appending(path: "htdocs").path, "--cgi-bin", site.appending(path: "cgi-bin").path,
                "--swift-cache", cache.path, "--swiftc", swiftc, "--pass-env", "TMPDIR",
                "--set-env", "CGI_EXAMPLE_SECRET=\(secret)",
            ] + mode.options + options)
    }

    func get(_ path: String, _ server: TestServer) throws -> HTTPResult {
        try curl([server.url(path)], timeout: 120)
    }

    @Test(arguments: ScriptMode.allCases) func indexLinksEveryExample(mode: ScriptMode) throws {
        let server = try Self.serve(mode)
        let index = try get("/", server).text
        for script in [
            "hello.swift", "form.swift", "checkboxes.swift", "upload.swift", "api.swift", "contact.swift",
            "environment.swift", "error.swift", "hello.sh", "hello.py",
        ] {
            #expect(index.contains("href=\"/cgi-bin/\(script)"), "index.html links \(script)")
        }
        #expect(index.contains("href=\"/api.html\""))
        #expect(try get("/api.html", server).text.contains("fetch(api"))
    }

    @Test(arguments: ScriptMode.allCases) func helloInEveryLanguage(mode: ScriptMode) throws {
        let server = try Self.serve(mode)
        #expect(try get("/cgi-bin/hello.swift?name=Tests", server).text == "Hello, Tests!\n")
        #expect(try get("/cgi-bin/hello?name=Tests", server).text == "Hello, Tests!\n")
        #expect(try get("/cgi-bin/hello.sh?x", server).text == "Hello from the shell! You asked for x.\n")
        #expect(try get("/cgi-bin/hello.py?name=Tests", server).text == "Hello from Python, Tests!\n")
    }

    @Test(
        arguments: ScriptMode.allCases,
        [
            ("", "Please fill in your name and address."),
            ("name=Ada", "Please fill in your address."),
            ("address=London", "Please fill in your name."),
            ("name=%20&address=London", "Please fill in your name."),
            ("name=Ada+%3Cb%3E&address=London", "Thank you, Ada &lt;b&gt;."),
        ])
    func formNeedsNameAndAddress(mode: ScriptMode, form: (body: String, message: String)) throws {
        let server = try Self.serve(mode)
        let (body, message) = form
        let result = try curl([server.url("/cgi-bin/form.swift"), "--data", body], timeout: 120)
        #expect(result.status == 200)
        #expect(result.text.contains(message))
    }

    @Test(arguments: ScriptMode.allCases) func checkboxesKeepEveryValue(mode: ScriptMode) throws {
        let server = try Self.serve(mode)
        let text = try get("/cgi-bin/checkboxes.swift?topping=cheese&topping=olives", server).text
        #expect(text.contains("You chose 2: cheese, olives."))
        #expect(text.contains("value=\"olives\" checked"))
        #expect(!text.contains("value=\"peppers\" checked"))
    }

    @Test(arguments: ScriptMode.allCases) func uploadSavesTheFileAndReportsIt(mode: ScriptMode) throws {
        let server = try Self.serve(mode)
        let bytes = try server.site.randomFile("upload.bin", count: 300_000)
        let digest = try sha256(of: server.site.root.appending(path: "upload.bin"))
        let result = try curl(
            [
                server.url("/cgi-bin/upload.swift"), "-F",
                "file=@\(server.site.root.appending(path: "upload.bin").path);type=application/x-test",
            ], timeout: 120)
        #expect(result.status == 200)
        #expect(result.text.contains("<td>upload.bin</td>"))
        #expect(result.text.contains("<td>application/x-test</td>"))
        #expect(result.text.contains("<td>\(bytes.count) bytes</td>"))
        #expect(result.text.contains("<td>\(digest)</td>"))
        let saved = server.site.temporary.appending(path: "swift-cgi-uploads/\(digest)")
        #expect(try Data(contentsOf: saved) == bytes)
        #expect(try get("/cgi-bin/upload.swift", server).text.contains("enctype=\"multipart/form-data\""))
    }

    @Test(arguments: ScriptMode.allCases) func apiAnswersInJSON(mode: ScriptMode) throws {
        let server = try Self.serve(mode)
        let url = server.url("/cgi-bin/api.swift")
        let greeting = try curl(
            [url, "-H", "Content-Type: application/json", "--data", #"{"name": "Ada \u00e9"}"#], timeout: 120)
        #expect(greeting.status == 200)
        #expect(greeting.header("Content-Type") == "application/json")
        #expect(try jsonObject(greeting)["greeting"] as? String == "Hello, Ada é!")

        let description = try get("/cgi-bin/api.swift", server)
        #expect(description.status == 200)
        #expect(try jsonObject(description)["usage"] is String)

        let blank = try curl([url, "-H", "Content-Type: application/json", "--data", #"{"name": " "}"#], timeout: 120)
        #expect(blank.status == 422)
        #expect(try jsonObject(blank)["error"] is String)
        // Refused by the library before any greeting: still JSON, with the status.
        for (arguments, status) in [
            (["-H", "Content-Type: application/json", "--data", "{\"name\":"], 400),
            (["-H", "Content-Type: text/plain", "--data", "{}"], 415),
        ] {
            let refused = try curl([url] + arguments, timeout: 120)
            #expect(refused.status == status)
            #expect(refused.header("Content-Type") == "application/json")
            #expect((try jsonObject(refused)["error"] as? [String: Any])?["status"] as? Int == status)
        }
    }

    @Test(arguments: ScriptMode.allCases) func contactFormNeedsTheTokenAndFlashesOnce(mode: ScriptMode) throws {
        let server = try Self.serve(mode)
        let url = server.url("/cgi-bin/contact.swift")
        let jar = server.site.root.appending(path: "cookies.txt").path
        let forged = try curl([url, "--data", "message=Hi"], timeout: 120)
        #expect(forged.status == 403)
        #expect(forged.text.contains("403: this form was not sent from this site"))

        let form = try curl([url, "-c", jar], timeout: 120)
        #expect(form.status == 200)
        let token = try #require(form.text.firstMatch(of: /name="csrf_token" value="([^"]+)"/)?.1)
        // The token is bound to the session cookie: without that cookie it is refused.
        let withoutSession = try curl([url, "--data", "csrf_token=\(token)&message=Hi"], timeout: 120)
        #expect(withoutSession.status == 403)

        let sent = try curl(
            [url, "-b", jar, "-c", jar, "--data-urlencode", "csrf_token=\(token)", "--data", "message=Hello+there"], timeout: 120)
        #expect(sent.status == 303)
        #expect(sent.header("Location") == "/cgi-bin/contact.swift")
        let flashed = try curl([url, "-b", jar, "-c", jar], timeout: 120)
        #expect(flashed.text.contains("Thank you! Your message of 11 characters was sent."))
        #expect(flashed.headers.contains { $0.name.lowercased() == "set-cookie" && $0.value.hasPrefix("flash=; ") })
        let reloaded = try curl([url, "-b", jar, "-c", jar], timeout: 120)
        #expect(reloaded.status == 200)
        #expect(!reloaded.text.contains("Thank you!"))
    }

    @Test(arguments: ScriptMode.allCases) func environmentIsTheDiagnosticsPage(mode: ScriptMode) throws {
        let server = try Self.serve(mode)
        let text = try get("/cgi-bin/environment.swift?example=1", server).text
        #expect(text.contains("CGI diagnostics"))
        #expect(text.contains("QUERY_STRING"))
        #expect(text.contains("example"))
    }

    @Test(arguments: ScriptMode.allCases) func errorThrowsAndTraps(mode: ScriptMode) throws {
        let server = try Self.serve(mode)
        let thrown = try get("/cgi-bin/error.swift?kind=throw", server)
        #expect(thrown.status == 500)
        #expect(eventually { server.errorText.contains("order 42 cannot be shipped") })
        let trapped = try get("/cgi-bin/error.swift?kind=trap", server)
        #expect(trapped.status == 500)
        #expect(eventually { server.errorText.contains("CGI crash") })
    }

    @Test(arguments: ScriptMode.allCases) func developmentModeShowsTheErrorReport(mode: ScriptMode) throws {
        let development = try Self.serve(mode, ["--dev"])
        let thrown = try curl([development.url("/cgi-bin/error.swift?kind=throw")], timeout: 120)
        #expect(thrown.status == 500)
        #expect(thrown.text.contains("order 42 cannot be shipped"))
        let trapped = try curl([development.url("/cgi-bin/error.swift?kind=trap")], timeout: 120)
        #expect(trapped.text.contains("The script crashed"))
    }

    func jsonObject(_ result: HTTPResult) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: result.body) as? [String: Any])
    }

    func sha256(of file: URL) throws -> String {
        String(try runProcess("/usr/bin/sha256sum", [file.path]).output.prefix(64))
    }
}
