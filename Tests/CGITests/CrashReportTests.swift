import Foundation
import Testing

/// Scripts that trap inside `CGI.run`, run as real processes: the crash handler must still
/// answer with a 500 (or a marker after a sent head) and leave a report file.
@Suite struct CrashReportTests {
    let script = FixtureScript(name: "ErrorReportFixture")

    /// Each way of trapping, with the message the Swift runtime gives.
    static let traps = [
        (
            "fatal",
            "ErrorReportFixture/main.swift:\(fixtureLine("fatalError(")): Fatal error: the script gave up on fatal"
        ),
        ("unwrap", "Fatal error: Unexpectedly found nil while unwrapping an Optional value"),
        ("index", "Fatal error: Index out of range"),
        (
            "precondition",
            "ErrorReportFixture/main.swift:\(fixtureLine("precondition(")): Precondition failed: the mode must be empty"
        ),
    ]

    /// The line of the fixture's source that contains `text`.
    static func fixtureLine(_ text: String) -> Int {
        (try? FixtureScript(name: "ErrorReportFixture").line(of: text)) ?? 0
    }

    /// Swift traps raise SIGILL on x86-64 and SIGTRAP on arm64.
    func endedByATrap(_ output: FixtureScript.Output) -> Bool {
        output.signaled && (output.status == SIGILL || output.status == SIGTRAP)
    }

    @Test(arguments: traps)
    func productionAnswers500AndLogsTheReport(mode: String, message: String) throws {
        let folder = try ReportFolder()
        defer { withExtendedLifetime(folder) {} }
        let output = try script.run(query: "mode=\(mode)&password=hunter2", ["CGI_ERROR_LOG_DIR": folder.path])
        #expect(endedByATrap(output))
        #expect(output.head == "Status: 500 Internal Server Error\r\nContent-Type: text/html; charset=utf-8")
        let reference = try #require(output.reference)
        #expect(output.body.contains("<code>\(reference)</code>"))
        #expect(!output.body.contains("Fatal error"))
        #expect(output.body.hasSuffix("</html>\n"))

        #expect(try folder.files() == ["\(reference).txt"])
        #expect(try folder.permissions("\(reference).txt") == 0o600)
        let report = try folder.report("\(reference).txt")
        #expect(report.hasPrefix("Crash report \(reference)\n"))
        #expect(report.contains("The script crashed: SIG"))
        #expect(report.contains(message))
        #expect(report.contains("    mode = \"\(mode)\"\n    password = (hidden)\n"))
        #expect(!report.contains("hunter2"))
        #expect(report.contains("Backtrace, symbolicated:\n"))
        #expect(report.contains("ErrorReportFixture.crash(Swift.String) -> Swift.Never"))
        #expect(report.contains("static CGI.CGI.run(reporting:"))
        #expect(output.stderr.contains("CGI crash \(reference): SIG"))
        #expect(output.stderr.contains("report in \(folder.path)/\(reference).txt"))
    }

    @Test(arguments: traps)
    func developmentShowsTheFatalErrorMessage(mode: String, message: String) throws {
        let output = try script.run(query: "mode=\(mode)", ["CGI_DEBUG": "1"])
        #expect(endedByATrap(output))
        #expect(output.head.hasPrefix("Status: 500 Internal Server Error\r\n"))
        #expect(output.body.contains("<pre class=\"cgi-crash\">The script crashed: SIG"))
        #expect(output.body.contains(message))
        // The frame-pointer walk in the handler reaches the script's frames.
        #expect(output.body.contains("\n3  0x"))
        #expect(output.body.contains("ErrorReportFixture.crash(Swift.String) -&gt; Swift.Never"))
        #expect(output.body.hasSuffix("</pre>\n</body>\n</html>\n"))
    }

    @Test(arguments: [("abort", SIGABRT), ("overflow", SIGSEGV)])
    func otherFatalSignalsAreReportedToo(mode: String, signal: Int32) throws {
        let folder = try ReportFolder()
        defer { withExtendedLifetime(folder) {} }
        let output = try script.run(query: "mode=\(mode)", ["CGI_ERROR_LOG_DIR": folder.path])
        #expect(output.signaled && output.status == signal)
        #expect(output.head.hasPrefix("Status: 500 Internal Server Error\r\n"))
        let reference = try #require(output.reference)
        let report = try folder.report("\(reference).txt")
        if mode == "overflow" {
            // The handler ran on its own stack: the overflowed one has no room left.
            #expect(report.contains("SIGSEGV (invalid memory access or stack overflow)"))
            #expect(report.contains("ErrorReportFixture.recurse(Swift.Int) -> Swift.Int"))
        } else {
            #expect(report.contains("SIGABRT (abort"))
            #expect(report.contains("ErrorReportFixture.crash(Swift.String) -> Swift.Never"))
        }
    }

    @Test func aCrashAfterTheHeadAppendsAMarkerInDevelopment() throws {
        let folder = try ReportFolder()
        defer { withExtendedLifetime(folder) {} }
        let output = try script.run(query: "mode=half-trap", ["CGI_DEBUG": "1", "CGI_ERROR_LOG_DIR": folder.path])
        #expect(endedByATrap(output))
        #expect(output.head == "Status: 200 OK\r\nContent-Type: text/html; charset=utf-8")
        let reference = try #require(output.reference)
        #expect(output.body.hasPrefix("<p>first half</p>\n</script></style></textarea></pre>\n"))
        #expect(output.body.contains("(reference \(reference))"))
        #expect(output.body.contains("Fatal error: the script gave up on fatal"))
        #expect(try folder.report("\(reference).txt").contains("Part of the response had already been sent.\n"))
    }

    @Test func aCrashAfterTheHeadIsOnlyLoggedInProduction() throws {
        let folder = try ReportFolder()
        defer { withExtendedLifetime(folder) {} }
        let output = try script.run(query: "mode=half-trap", ["CGI_ERROR_LOG_DIR": folder.path])
        #expect(endedByATrap(output))
        #expect(output.stdout == "Status: 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>first half</p>\n")
        #expect(try folder.files().count == 1)
    }

    @Test func aCrashInAnAsynchronousHandlerIsCaught() throws {
        let folder = try ReportFolder()
        defer { withExtendedLifetime(folder) {} }
        let output = try FixtureScript(name: "AsyncErrorReportFixture").run(
            query: "mode=fatal", ["CGI_ERROR_LOG_DIR": folder.path])
        #expect(endedByATrap(output))
        #expect(output.head.hasPrefix("Status: 500 Internal Server Error\r\n"))
        let reference = try #require(output.reference)
        let report = try folder.report("\(reference).txt")
        #expect(report.contains("Fatal error: asynchronous trap"))
        #expect(report.contains("AsyncErrorReportFixture.giveUp() async -> Swift.Never"))
    }
}
