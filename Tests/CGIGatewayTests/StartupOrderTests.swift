import Foundation
import TestSupport
import Testing

@testable import CGIGateway

/// The start-up layout of compiled scripts, checked on real executables with `nm`.
@Suite struct StartupOrderTests {
    /// The test's folder, removed when the test ends.
    let directory: TemporaryDirectory
    var folder: URL { directory.url }

    init() throws {
        directory = try TemporaryDirectory(prefix: "startup-order")
    }

    static let hello = """
        import CGI
        CGI.run { request in
            Response(contentType: "text/plain; charset=utf-8", body: "Hello, \\(request.form["name"] ?? "world")!\\n")
        }
        """

    /// The symbols of `executable` by name: address, and whether it is a function.
    func symbols(of executable: String) throws -> [String: (address: UInt, isFunction: Bool)] {
        let text = try runProcess("/usr/bin/nm", [executable]).output
        var symbols: [String: (address: UInt, isFunction: Bool)] = [:]
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count == 3, let address = UInt(fields[0], radix: 16) {
                symbols[String(fields[2])] = (address, fields[1].lowercased() == "t")
            }
        }
        return symbols
    }

    /// How many 4 KiB pages the first `count` of `functions` occupy in `symbols`.
    func pages(ofFirst count: Int, of functions: [String], in symbols: [String: (address: UInt, isFunction: Bool)]) -> Int {
        Set(functions.prefix(count).compactMap { symbols[$0].map { $0.address >> 12 } }).count
    }

    @Test func scriptsAreLinkedWithTheirStartUpCodeTogether() throws {
        let source = folder.appendingPathComponent("hello.swift").path
        try Self.hello.write(toFile: source, atomically: true, encoding: .utf8)
        let compiler = try ScriptCompiler(.init(cacheDirectory: folder.appendingPathComponent("cache").path))
        #expect(StartupOrder.linkerAvailable(besides: compiler.compilerPath))
        let ordered = try symbols(of: compiler.compile(source).executable)

        // The same script linked by lld without the order, as a control.
        let control = folder.appendingPathComponent("control").path
        let swiftc = try runProcess(
            compiler.compilerPath,
            ScriptCompiler.flags + ["-use-ld=lld", "-module-name", "Script", "-I", compiler.library.modulesDirectory, source]
                + compiler.library.objectFiles + ["-o", control],
            environment: ProcessInfo.processInfo.environment.merging(["TMPDIR": folder.path]) { $1 },
            workingDirectory: folder.path, within: 600)
        #expect(swiftc.termination == .exited(0), "\(swiftc.errors)")
        let unordered = try symbols(of: control)

        // A list recorded with another toolchain or library loses names: then it is time to
        // run Tools/startup-order.sh again.
        let listed = StartupOrder.symbols.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let present = listed.filter { ordered[$0] != nil }.count
        #expect(present * 10 >= listed.count * 9, "only \(present) of \(listed.count) listed symbols are linked")

        let functions = listed.filter { ordered[$0]?.isFunction == true && unordered[$0]?.isFunction == true }
        let together = pages(ofFirst: 300, of: functions, in: ordered)
        let scattered = pages(ofFirst: 300, of: functions, in: unordered)
        #expect(together * 3 < scattered * 2, "start-up functions on \(together) pages, \(scattered) unordered")
    }

    @Test func theOrderFileIsWrittenOnceAndNamedByItsContent() throws {
        let first = try #require(StartupOrder.file(in: folder.path))
        let second = try #require(StartupOrder.file(in: folder.path))
        #expect(first.path == second.path)
        #expect(try String(contentsOfFile: first.path, encoding: .utf8) == StartupOrder.symbols)
        #expect(first.flags.contains("--symbol-ordering-file=" + first.path))
    }

    @Test func writersRacingForTheOrderFileAllGetIt() throws {
        let paths = Paths()
        DispatchQueue.concurrentPerform(iterations: 16) { _ in paths.append(StartupOrder.file(in: folder.path)?.path) }
        #expect(paths.values.count == 16)
        #expect(Set(paths.values).count == 1)
        #expect(paths.values.allSatisfy { $0 != nil })
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).count == 1)
    }
}

/// Results collected from several threads.
private final class Paths: @unchecked Sendable {
    private let lock = NSLock()
    private var collected: [String?] = []

    func append(_ path: String?) {
        lock.withLock { collected.append(path) }
    }

    var values: [String?] {
        lock.withLock { collected }
    }
}
