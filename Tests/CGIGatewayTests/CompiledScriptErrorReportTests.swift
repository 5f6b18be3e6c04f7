import CGIGateway
import Foundation
import TestSupport
import Testing

/// Error reports of a `.swift` script compiled the way the server compiles it (optimized,
/// statically linked): the crash handler and the symbol lookup must work there too.
@Suite struct CompiledScriptErrorReportTests {
    static let source = """
        import CGI

        struct OrderError: Error {}

        func quantity(_ text: String) -> Int {
            Int(text)!
        }

        CGI.run { request in
            switch request.form["kind"] {
            case "fatal": fatalError("stock <empty>")
            case "unwrap": return Response(body: "\\(quantity(request.form["n"] ?? "many"))")
            default: throw ReportableError(OrderError())
            }
        }
        """

    /// Runs `executable` as a CGI script; returns standard output and the report file's text.
    func run(_ executable: String, query: String) throws -> (stdout: String, report: String) {
        try withTemporaryDirectory("reports") { reports in
            let stdout = try runProcess(
                executable, environment: ["REQUEST_METHOD": "GET", "QUERY_STRING": query, "CGI_ERROR_LOG_DIR": reports.path]
            ).output
            let files = try FileManager.default.contentsOfDirectory(atPath: reports.path)
            let report = try files.first.map { try String(contentsOfFile: reports.appending($0), encoding: .utf8) }
            return (stdout, report ?? "")
        }
    }

    @Test func reportsThrownErrorsAndTrapsOfAStaticOptimizedScript() throws {
        let folder = try TemporaryDirectory(prefix: "compiled")
        defer { withExtendedLifetime(folder) {} }
        let path = folder.appending("order.swift")
        try Self.source.write(toFile: path, atomically: true, encoding: .utf8)
        let compiler = try ScriptCompiler(.init(cacheDirectory: folder.appending("cache")))
        let executable = try compiler.compile(path).executable

        let thrown = try run(executable, query: "kind=throw")
        #expect(thrown.stdout.hasPrefix("Status: 500 Internal Server Error\r\n"))
        #expect(thrown.report.contains("Script.OrderError: OrderError()\nThrown at Script/order.swift:"))
        #expect(thrown.report.contains("static CGI.CGI.run(reporting:"))

        let fatal = try run(executable, query: "kind=fatal")
        #expect(fatal.stdout.hasPrefix("Status: 500 Internal Server Error\r\n"))
        #expect(fatal.report.contains("Fatal error: stock <empty>"))
        #expect(fatal.report.contains("Backtrace, symbolicated:\n"))
        #expect(fatal.report.contains("closure #1 (CGI.Request) throws -> CGI.Response in Script"))

        let unwrap = try run(executable, query: "kind=unwrap")
        #expect(unwrap.stdout.hasPrefix("Status: 500 Internal Server Error\r\n"))
        #expect(unwrap.report.contains("The Swift runtime printed no message (optimized code traps without one)."))
    }
}
