import Foundation
import Testing

/// `cgi run` with a script that fails inside `CGI.run`: the tool shows what the server would
/// send (the error page) and the script's line for the error log.
@Suite struct RunErrorReportTests {
    /// The fixture script, built next to the `cgi` tool.
    let script = cgiTool.deletingLastPathComponent().appendingPathComponent("ErrorReportFixture").path

    /// The report reference in `text`.
    func reference(in text: String) throws -> String {
        let range = try #require(text.range(of: #"\d{8}-\d{6}-\d+-[0-9a-f]{6}"#, options: .regularExpression))
        return String(text[range])
    }

    @Test func aThrownErrorIsA500WithTheReferenceInPageAndLog() throws {
        let run = try cgiRun(["--query", "mode=throw&password=hunter2", script])
        #expect(run.status == 0)
        #expect(run.output.hasPrefix("HTTP/1.1 500 Internal Server Error\r\n"))
        let reference = try reference(in: run.output)
        #expect(run.output.contains("<code>\(reference)</code>"))
        #expect(run.output.contains("--- stderr ---\nCGI error \(reference): ErrorReportFixture.LookupError"))
        #expect(!run.output.contains("hunter2"))
        #expect(run.errors.contains("cgi run: request id \(reference) (the script's UNIQUE_ID"))
    }

    @Test func theScriptGetsTheRequestIDAsUniqueID() throws {
        let first = try cgiRun(["--query", "mode=throw", script])
        let second = try cgiRun(["--query", "mode=throw", script])
        #expect(try reference(in: first.errors) == reference(in: first.output))
        #expect(try reference(in: first.errors) != reference(in: second.errors), "one id per run")
    }

    @Test func aTrapIsA500WithTheDetailsInDevelopment() throws {
        let run = try cgiRun(["--query", "mode=index", "--env", "CGI_DEBUG=1", script])
        #expect(run.status == 1, "a crashed script is a failed run, even with its 500 page out")
        #expect(run.output.hasPrefix("HTTP/1.1 500 Internal Server Error\r\n"))
        #expect(run.output.contains("Fatal error: Index out of range"))
        #expect(run.output.contains("ErrorReportFixture.crash(Swift.String) -&gt; Swift.Never"))
        #expect(run.output.contains("CGI crash \(try reference(in: run.output)): SIG"))
        #expect(run.errors.contains("cgi run: the script was killed by signal 4 (SIGILL: a Swift runtime trap"))
    }

    @Test func devShowsTheReportAsCGIDebugDoes() throws {
        let dev = try cgiRun(["--dev", "--query", "mode=throw", script])
        #expect(dev.output.hasPrefix("HTTP/1.1 500 Internal Server Error\r\n"))
        #expect(dev.output.contains("<section class=\"cgi-error-report\">"))
        let plain = try cgiRun(["--query", "mode=throw", script])
        #expect(!plain.output.contains("cgi-error-report"))
        let help = try cgiRun(["--help"])
        #expect(help.output.contains("--dev"))
        #expect(help.output.contains("CGI_DEBUG=1"))
    }
}
