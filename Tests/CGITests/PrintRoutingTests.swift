import Testing

/// Under `CGI.run`, `print` goes to standard error (the server's error log) and never into
/// the response, before, during or after it; `log` writes a line there too.
@Suite struct PrintRoutingTests {
    let script = FixtureScript(name: "ErrorReportFixture")

    @Test func printedLinesReachStandardErrorInOrderAndNeverTheResponse() throws {
        let output = try script.run(query: "mode=print")
        #expect(output.status == 0 && !output.signaled)
        #expect(output.stdout == "Status: 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>first</p>\n<p>second</p>\n")
        let expected = [
            "printed before CGI.run", "printed in the handler", "printed while the body streams", "logged 42",
            "printed after CGI.run",
        ]
        let lines = output.stderr.split(separator: "\n").map(String.init)
        #expect(lines.filter { expected.contains($0) } == expected)
    }
}
