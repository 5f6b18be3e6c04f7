import Foundation
import Testing

/// `CGI.run` with handlers that throw, run as real processes.
@Suite struct ThrownErrorReportTests {
    let script = FixtureScript(name: "ErrorReportFixture")

    @Test func aWorkingScriptAnswersNormally() throws {
        let output = try script.run(query: "mode=ok")
        #expect(output.head == "Status: 200 OK\r\nContent-Type: text/html; charset=utf-8")
        #expect(output.body == "<p>fine</p>\n")
        #expect(output.stderr.isEmpty)
    }

    @Test func productionShowsTheReferenceOnly() throws {
        let output = try script.run(query: "mode=throw&password=hunter2")
        #expect(output.head.hasPrefix("Status: 500 Internal Server Error\r\n"))
        let reference = try #require(output.reference)
        #expect(output.body.contains("<code>\(reference)</code>"))
        #expect(!output.body.contains("LookupError"))
        #expect(!output.body.contains("plain"))
        #expect(
            output.stderr.contains(
                "CGI error \(reference): ErrorReportFixture.LookupError: no record for <plain>"))
        #expect(!output.stderr.contains("hunter2"))
        #expect(output.status == 0 && !output.signaled)
    }

    @Test func developmentShowsTheWholeReportEscapedAndLogsIt() throws {
        let folder = try ReportFolder()
        defer { withExtendedLifetime(folder) {} }
        let output = try script.run(
            query: "mode=throw-located&record=%3Cb%3E&password=hunter2",
            ["CGI_DEBUG": "1", "CGI_ERROR_LOG_DIR": folder.path, "HTTP_COOKIE": "session=abc123; theme=dark"])
        #expect(output.head.hasPrefix("Status: 500 Internal Server Error\r\nContent-Type: text/html"))
        let line = try script.line(of: "throw ReportableError(LookupError")
        let page = output.body
        #expect(page.contains("<h1>ErrorReportFixture.LookupError</h1>"))
        #expect(page.contains("no record for &lt;&lt;b&gt;&gt;"))
        #expect(page.contains("ErrorReportFixture/main.swift:\(line) in lookUpRecord(_:)"))
        #expect(page.contains("<strong>=&gt; \(line)      throw ReportableError(LookupError(key: key))</strong>"))
        #expect(page.contains("ErrorReportFixture.lookUpRecord(Swift.String) throws -&gt; Swift.String"))
        #expect(
            page.contains("GET /cgi-bin/ErrorReportFixture?mode=throw-located&amp;record=%3Cb%3E&amp;password=(hidden)")
        )
        #expect(page.contains("<dd>theme, session</dd>") || page.contains("<dd>session, theme</dd>"))
        #expect(!page.contains("<b>"))
        #expect(!page.contains("hunter2"))
        #expect(!page.contains("abc123"))

        let reference = try #require(output.reference)
        #expect(try folder.files() == ["\(reference).txt"])
        #expect(try folder.permissions("\(reference).txt") == 0o600)
        let report = try folder.report("\(reference).txt")
        #expect(report.hasPrefix("Error report \(reference)\n"))
        #expect(report.contains("ErrorReportFixture.LookupError: no record for <<b>>\n"))
        #expect(report.contains("Thrown at ErrorReportFixture/main.swift:\(line) in lookUpRecord(_:)\n"))
        #expect(report.contains("    record = \"<b>\"\n    password = (hidden)\n"))
        #expect(report.contains("ErrorReportFixture.lookUpRecord(Swift.String) throws -> Swift.String"))
        #expect(!report.contains("hunter2"))
        #expect(output.stderr.contains("report in \(folder.path)/\(reference).txt"))
    }

    @Test func aMissingReportFolderIsSaidInTheLogAndTheVisitorStillGetsThePage() throws {
        let output = try script.run(query: "mode=throw", ["CGI_ERROR_LOG_DIR": "/nonexistent/reports"])
        #expect(output.head.hasPrefix("Status: 500 Internal Server Error\r\n"))
        #expect(output.stderr.contains("CGI: cannot open the error report folder /nonexistent/reports"))
        #expect(output.stderr.contains("; opening /nonexistent/reports/\(try #require(output.reference)).txt failed"))
    }

    @Test func textDisplayIsPlainText() throws {
        let output = try script.run(query: "mode=throw", ["CGI_DEBUG": "text"])
        #expect(output.head == "Status: 500 Internal Server Error\r\nContent-Type: text/plain; charset=utf-8")
        #expect(output.body.contains("ErrorReportFixture.LookupError: no record for <plain>\n"))
        #expect(output.body.contains("Backtrace (where CGI.run caught the error"))
    }

    @Test func aFailureAfterTheHeadAppendsAMarkerInDevelopment() throws {
        let folder = try ReportFolder()
        defer { withExtendedLifetime(folder) {} }
        let output = try script.run(query: "mode=half-throw", ["CGI_DEBUG": "1", "CGI_ERROR_LOG_DIR": folder.path])
        #expect(output.head == "Status: 200 OK\r\nContent-Type: text/html; charset=utf-8")
        let reference = try #require(output.reference)
        #expect(
            output.body.hasPrefix(
                "<p>first half</p>\n</script></style></textarea></pre>\n<div class=\"cgi-error-marker\""))
        #expect(output.body.contains("The script failed after sending part of this response (reference \(reference))."))
        #expect(output.body.contains("no record for &lt;half&gt;"))
        #expect(try folder.report("\(reference).txt").contains("Part of the response had already been sent.\n"))
    }

    @Test func aFailureAfterTheHeadIsOnlyLoggedInProduction() throws {
        let output = try script.run(query: "mode=half-throw")
        #expect(output.head == "Status: 200 OK\r\nContent-Type: text/html; charset=utf-8")
        #expect(output.body == "<p>first half</p>\n")
        #expect(output.stderr.contains("ErrorReportFixture.LookupError: no record for <half>"))
    }

    @Test func aRejectedRequestGetsItsClientErrorStatus() throws {
        let output = try script.run(query: "", method: "POST", ["CONTENT_LENGTH": "12abc"])
        #expect(output.head.hasPrefix("Status: 400 Bad Request\r\n"))
        #expect(output.body.contains("CONTENT_LENGTH &quot;12abc&quot; is not a non-negative whole number"))
        #expect(output.stderr.contains("CGI request rejected (400)"))
    }

    @Test func aBodyOverTheLimitIs413() throws {
        let output = try script.run(
            query: "", method: "POST",
            ["CONTENT_TYPE": "application/x-www-form-urlencoded", "CONTENT_LENGTH": "5000000000"])
        #expect(output.head.hasPrefix("Status: 413 Content Too Large\r\n"))
        #expect(output.body.contains("The request was not accepted: the request body is larger than the limit"))
        #expect(output.stderr.contains("CGI request rejected (413)"))
    }

    @Test func anAsynchronousHandlerIsReportedToo() throws {
        let script = FixtureScript(name: "AsyncErrorReportFixture")
        let output = try script.run(query: "mode=throw", ["CGI_DEBUG": "text"])
        #expect(output.head.hasPrefix("Status: 500 Internal Server Error\r\n"))
        #expect(output.body.contains("AsyncErrorReportFixture.AsyncFailure: AsyncFailure()\n"))
        let line = try script.line(of: "ReportableError(AsyncFailure")
        #expect(output.body.contains("Thrown at AsyncErrorReportFixture/main.swift:\(line)"))
    }

    /// A plain error thrown after a suspension point (so possibly on another thread) is reported
    /// where it was thrown, from the runtime's throw hook and the line tables.
    @Test func anAsynchronousHandlersPlainErrorIsReportedWhereItWasThrown() throws {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let symbolizer = try #require(
            path.split(separator: ":").map { "\($0)/llvm-symbolizer" }.first { FileManager.default.isExecutableFile(atPath: $0) })
        let script = FixtureScript(name: "AsyncErrorReportFixture")
        let output = try script.run(query: "mode=throw-plain", ["CGI_DEBUG": "text", "CGI_SYMBOLIZER": symbolizer])
        let line = try script.line(of: "throw AsyncFailure()")
        #expect(output.head.hasPrefix("Status: 500 Internal Server Error\r\n"))
        #expect(output.body.contains("AsyncErrorReportFixture.AsyncFailure: AsyncFailure()\nThrown at main.swift:\(line) in "))
        #expect(output.body.contains("=> \(line)      throw AsyncFailure()\n"))
    }
}
