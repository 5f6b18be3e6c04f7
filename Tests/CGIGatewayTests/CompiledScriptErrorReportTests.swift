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

        func pick(_ sizes: [Int], _ index: Int) -> Int {
            sizes[index]
        }

        CGI.run { request in
            switch request.form["kind"] {
            case "fatal": fatalError("stock <empty>")
            case "unwrap": return Response(body: "\\(quantity(request.form["n"] ?? "many"))")
            case "index": return Response(body: "\\(pick([36, 38, 40], Int(request.form["n"] ?? "") ?? 7))")
            default: throw ReportableError(OrderError())
            }
        }
        """

    /// The line of ``source`` that contains `text`.
    static func line(of text: String) throws -> Int {
        try #require(source.components(separatedBy: "\n").firstIndex { $0.contains(text) }) + 1
    }

    /// Runs `executable` as a CGI script, with `symbolizer` for the line tables (or none);
    /// returns standard output and the report file's text.
    func run(_ executable: String, query: String, symbolizer: String? = nil) throws -> (stdout: String, report: String) {
        try withTemporaryDirectory("reports") { reports in
            // No PATH: the script finds no symbolizer there.
            var environment = [
                "REQUEST_METHOD": "GET", "QUERY_STRING": query, "CGI_ERROR_LOG_DIR": reports.path, "PATH": "/nonexistent",
            ]
            if let symbolizer { environment["CGI_SYMBOLIZER"] = symbolizer }
            let stdout = try runProcess(executable, environment: environment).output
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
        let symbolizer = URL(fileURLWithPath: compiler.compilerPath).deletingLastPathComponent()
            .appendingPathComponent("llvm-symbolizer").path

        let thrown = try run(executable, query: "kind=throw")
        #expect(thrown.stdout.hasPrefix("Status: 500 Internal Server Error\r\n"))
        #expect(thrown.report.contains("Script.OrderError: OrderError()\nThrown at Script/order.swift:"))
        #expect(thrown.report.contains("static CGI.CGI.run(reporting:"))

        let fatal = try run(executable, query: "kind=fatal")
        #expect(fatal.stdout.hasPrefix("Status: 500 Internal Server Error\r\n"))
        #expect(fatal.report.contains("Fatal error: stock <empty>"))
        #expect(fatal.report.contains("Backtrace, symbolicated:\n"))
        #expect(fatal.report.contains("closure #1 (CGI.Request) throws -> CGI.Response in Script"))

        let unwrap = try run(executable, query: "kind=unwrap", symbolizer: symbolizer)
        #expect(unwrap.stdout.hasPrefix("Status: 500 Internal Server Error\r\n"))
        #expect(unwrap.report.contains("The check that failed: Unexpectedly found nil while unwrapping an Optional value\n"))
        #expect(
            unwrap.report.contains(
                "At \(path):\(try Self.line(of: "Int(text)!")) in Script.quantity(Swift.String) -> Swift.Int\n"))
    }

    @Test func aTrapInOptimizedCodeIsReportedWithItsCheckFileLineAndSource() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("compiled-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("sizes.swift").path
        try Self.source.write(toFile: path, atomically: true, encoding: .utf8)
        let compiler = try ScriptCompiler(.init(cacheDirectory: folder.appendingPathComponent("cache").path))
        let executable = try compiler.compile(path).executable
        let symbolizer = URL(fileURLWithPath: compiler.compilerPath).deletingLastPathComponent()
            .appendingPathComponent("llvm-symbolizer").path
        let line = try Self.line(of: "sizes[index]")

        let index = try run(executable, query: "kind=index&n=3", symbolizer: symbolizer)
        #expect(index.stdout.hasPrefix("Status: 500 Internal Server Error\r\n"))
        #expect(index.report.contains("The check that failed: Index out of range\n"))
        #expect(index.report.contains("At \(path):\(line) in Script.pick(Swift.Array<Swift.Int>, Swift.Int) -> Swift.Int\n"))
        #expect(index.report.contains("=> \(line)      sizes[index]\n"))
        #expect(index.report.contains("      at \(path):\(try Self.line(of: "case \"index\"")) in closure #1"))

        // Without a symbolizer the report still has the raw and the named frames.
        let unnamed = try run(executable, query: "kind=index&n=3")
        #expect(unnamed.report.contains("Backtrace, symbolicated:\n"))
        #expect(!unnamed.report.contains("Index out of range"))
    }
}
