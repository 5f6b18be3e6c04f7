import Testing

@testable import CGI

/// Rendering of `ErrorReport` without a process around it.
@Suite struct ErrorReportTests {
    struct MultilineError: Error, CustomStringConvertible {
        var description: String { "first line\r\nCGI error forged: second line" }
    }

    func report(_ error: any Error) -> ErrorReport {
        ErrorReport(
            error: error, id: ReportID(time: 1_767_225_600, process: 1, random: 0xABCDEF),
            request: RequestSummary(environment: ["REQUEST_METHOD": "POST"], reporting: .production),
            responseStarted: false, reporting: .production)
    }

    @Test func theLogLineCannotBeSplitByTheMessage() {
        #expect(
            report(MultilineError()).summary
                == "CGI error 20260101-000000-1-abcdef: CGITests.ErrorReportTests.MultilineError: "
                + "first line\\r\\nCGI error forged: second line")
    }

    @Test func aPlainErrorHasNoLocationAndSaysHowToGetOne() {
        let text = report(MultilineError()).text
        #expect(text.hasPrefix("Error report 20260101-000000-1-abcdef\n"))
        #expect(!text.contains("Thrown at"))
        #expect(text.contains("wrap it in ReportableError to record where it was thrown"))
        #expect(text.contains("Request:\n  POST \n  Fields: not read\n"))
    }

    @Test func htmlEscapesTheMessage() {
        let html = report(MultilineError()).html
        #expect(html.contains("<p class=\"message\">first line\r\nCGI error forged: second line</p>"))
        #expect(report(CGIError.malformed("<tag>")).html.contains("malformed request body: &lt;tag&gt;"))
    }
}
