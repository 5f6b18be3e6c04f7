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

        enum StockError: Error { case short(Int) }

        func findOrder(_ id: String) throws -> Int {
            guard let number = Int(id) else { throw OrderError() }
            return number
        }

        func checkout(_ id: String) throws -> Int {
            try findOrder(id) + 1
        }

        func reserve(_ count: Int) throws(StockError) -> Int {
            if count > 3 { throw .short(count) }
            return count
        }

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
            case "nested": return Response(body: "\\(try checkout(request.form["id"] ?? "x"))")
            case "typed": return Response(body: "\\(try reserve(Int(request.form["n"] ?? "") ?? 9))")
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
    func run(
        _ executable: String, query: String, symbolizer: String? = nil, display: String? = nil
    ) throws -> (stdout: String, report: String) {
        try withTemporaryDirectory("reports") { reports in
            // No PATH: the script finds no symbolizer there.
            var environment = [
                "REQUEST_METHOD": "GET", "QUERY_STRING": query, "CGI_ERROR_LOG_DIR": reports.path, "PATH": "/nonexistent",
            ]
            if let symbolizer { environment["CGI_SYMBOLIZER"] = symbolizer }
            if let display { environment["CGI_DEBUG"] = display }
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

    /// The runtime's throw hooks tell where a plain error was thrown, in a nested function of
    /// optimized code, with `throws` and with `throws(E)`; in development only.
    @Test func aPlainErrorIsReportedWhereItWasThrown() throws {
        let folder = try TemporaryDirectory(prefix: "compiled")
        defer { withExtendedLifetime(folder) {} }
        let path = folder.appending("shop.swift")
        try Self.source.write(toFile: path, atomically: true, encoding: .utf8)
        let compiler = try ScriptCompiler(.init(cacheDirectory: folder.appending("cache")))
        let executable = try compiler.compile(path).executable
        let symbolizer = URL(fileURLWithPath: compiler.compilerPath).deletingLastPathComponent()
            .appendingPathComponent("llvm-symbolizer").path

        let line = try Self.line(of: "throw OrderError()")
        let nested = try run(executable, query: "kind=nested&id=x", symbolizer: symbolizer, display: "text")
        #expect(nested.stdout.hasPrefix("Status: 500 Internal Server Error\r\n"))
        #expect(nested.stdout.contains("Script.OrderError: OrderError()\nThrown at shop.swift:\(line) in Script.findOrder("))
        #expect(nested.stdout.contains("=> \(line)      guard let number = Int(id) else { throw OrderError() }\n"))
        #expect(nested.report.contains("Thrown at shop.swift:\(line) in Script.findOrder("))
        #expect(nested.report.contains("Backtrace (where CGI.run caught the error):"))

        let typedLine = try Self.line(of: "throw .short(count)")
        let typed = try run(executable, query: "kind=typed&n=5", symbolizer: symbolizer, display: "text")
        #expect(typed.stdout.contains("Script.StockError: short(5)\nThrown at shop.swift:\(typedLine) in Script.reserve("))

        // Without a symbolizer, and in production, the report is as before: where it was caught.
        let unnamed = try run(executable, query: "kind=nested&id=x", display: "text")
        #expect(unnamed.stdout.contains("Script.OrderError: OrderError()\n"))
        #expect(!unnamed.stdout.contains("Thrown at"))
        let production = try run(executable, query: "kind=nested&id=x", symbolizer: symbolizer)
        #expect(!production.report.contains("Thrown at"))
        #expect(production.report.contains("wrap it in ReportableError to record where it was thrown"))
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
