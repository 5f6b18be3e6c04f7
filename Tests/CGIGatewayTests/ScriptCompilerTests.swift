import CGIGateway
import Foundation
import TestSupport
import Testing

/// Real compiles with the toolchain's `swiftc` against the package's own `CGI` build.
@Suite struct ScriptCompilerTests {
    /// A fresh cache and cgi-bin for each test, removed when the test ends.
    let directory: TemporaryDirectory
    var folder: URL { directory.url }
    let compiler: ScriptCompiler

    init() throws {
        directory = try TemporaryDirectory(prefix: "script-compiler")
        try FileManager.default.createDirectory(
            at: directory.url.appendingPathComponent("cgi-bin"), withIntermediateDirectories: true)
        compiler = try ScriptCompiler(.init(cacheDirectory: directory.appending("cache")))
    }

    static let hello = """
        import CGI
        let form = Form()
        print("Content-Type: text/plain\\r\\n\\r\\nhello, \\(form.count) fields")
        """

    func script(_ name: String, _ source: String) throws -> String {
        let path = folder.appendingPathComponent("cgi-bin/\(name)").path
        try source.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func cachedExecutables() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: compiler.cache.directory)
            .filter { !$0.hasSuffix(".lock") && !$0.hasSuffix(".failed") && !$0.hasPrefix("startup-order-") }.sorted()
    }

    @Test func compiledScriptRunsAndPrintsACGIResponse() throws {
        let compiled = try compiler.compile(script("hello.swift", Self.hello))
        #expect(compiled.compiledNow)
        #expect(compiled.executable.hasPrefix(compiler.cache.directory + "/hello-"))

        #expect(try output(of: compiled.executable) == "Content-Type: text/plain\r\n\r\nhello, 0 fields\n")
    }

    /// What `executable` prints with an empty environment.
    func output(of executable: String, arguments: [String] = []) throws -> String {
        try runProcess(executable, arguments, environment: [:]).output
    }

    @Test func asynchronousHandlersCompileWhileSynchronousScriptsLinkNoConcurrencyRuntime() throws {
        let asynchronous = try compiler.compile(
            script(
                "later.swift",
                """
                import CGI
                await CGI.run { request in
                    try await Task.sleep(for: .milliseconds(1))
                    return Response(contentType: "text/plain", body: "later")
                }
                """))
        #expect(try output(of: asynchronous.executable).hasSuffix("\r\n\r\nlater"))

        let synchronous = try compiler.compile(
            script(
                "now.swift",
                """
                import CGI
                CGI.run { _ in Response(contentType: "text/plain", body: "now") }
                """))
        #expect(try output(of: synchronous.executable).hasSuffix("\r\n\r\nnow"))
        #expect(try output(of: "/usr/bin/nm", arguments: [asynchronous.executable]).contains("libdispatch_init"))
        // The concurrency runtime brings libdispatch, whose initialiser every process would
        // run. Only an optimised library keeps the asynchronous entry points out of its own
        // objects: at -Onone the compiler emits their bodies in the library too.
        if compiler.library.buildDirectory.hasSuffix("release") {
            #expect(!(try output(of: "/usr/bin/nm", arguments: [synchronous.executable])).contains("libdispatch_init"))
        }
    }

    @Test func secondCompileUsesTheCache() throws {
        let path = try script("hello.swift", Self.hello)
        let first = try compiler.compile(path)
        let built = try FileManager.default.attributesOfItem(atPath: first.executable)[.modificationDate] as? Date
        let second = try compiler.compile(path)
        #expect(second.executable == first.executable)
        #expect(!second.compiledNow)
        #expect(try FileManager.default.attributesOfItem(atPath: second.executable)[.modificationDate] as? Date == built)
        #expect(try cachedExecutables() == [first.executable.split(separator: "/").last.map(String.init)!])
    }

    @Test func editRecompiles() throws {
        let path = try script("hello.swift", Self.hello)
        let first = try compiler.compile(path)
        _ = try script("hello.swift", Self.hello.replacingOccurrences(of: "hello,", with: "goodbye,"))
        let edited = try compiler.compile(path)
        #expect(edited.compiledNow)
        #expect(edited.executable != first.executable)
        #expect(try cachedExecutables().count == 2)
    }

    @Test func concurrentFirstCompilesRunTheCompilerOnce() throws {
        let path = try script("hello.swift", Self.hello)
        let results = Results()
        let group = DispatchGroup()
        for _ in 0..<4 {
            group.enter()
            Thread {
                results.append(Result { try compiler.compile(path) })
                group.leave()
            }.start()
        }
        group.wait()
        let compiled = try results.values.map { try $0.get() }
        #expect(compiled.count == 4)
        #expect(compiled.filter(\.compiledNow).count == 1)
        #expect(Set(compiled.map(\.executable)).count == 1)
        #expect(try cachedExecutables().count == 1)
    }

    @Test func syntaxErrorGivesTheCompilersMessage() throws {
        let path = try script("broken.swift", "import CGI\nlet x = (1 +\n")
        #expect {
            try compiler.compile(path)
        } throws: { error in
            guard case .compileFailed(let script, let diagnostics) = error as? ScriptCompilerError else { return false }
            return script == path && diagnostics.contains("broken.swift:2:") && diagnostics.contains("error:")
        }
        #expect(try cachedExecutables().isEmpty)
    }

    @Test func missingSourceIsReported() throws {
        let path = folder.appendingPathComponent("cgi-bin/missing.swift").path
        #expect(throws: ScriptCompilerError.sourceUnreadable(path: path, errno: ENOENT)) {
            try compiler.compile(path)
        }
    }

    @Test func rejectedScriptIsNotCompiledAgainUntilItChanges() throws {
        let fake = folder.appendingPathComponent("failing-swiftc").path
        let runs = folder.appendingPathComponent("runs").path
        try """
        #!/bin/sh
        [ "$1" = --version ] && exec echo fake
        echo run >> \(runs)
        echo 'error: this compiler rejects everything' >&2
        exit 1
        """.write(toFile: fake, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fake)
        let failing = try ScriptCompiler(.init(compilerPath: fake, cacheDirectory: compiler.cache.directory))
        let path = try script("hello.swift", Self.hello)
        let expected = ScriptCompilerError.compileFailed(script: path, diagnostics: "error: this compiler rejects everything\n")
        for _ in 0..<3 {
            #expect(throws: expected) { try failing.compile(path) }
        }
        #expect(try String(contentsOfFile: runs, encoding: .utf8) == "run\n")
        _ = try script("hello.swift", Self.hello + "\n")
        #expect(throws: ScriptCompilerError.self) { try failing.compile(path) }
        #expect(try String(contentsOfFile: runs, encoding: .utf8) == "run\nrun\n")
    }

    @Test func compilerThatHangsIsStoppedAfterTheTimeout() throws {
        let fake = folder.appendingPathComponent("slow-swiftc").path
        try "#!/bin/sh\n[ \"$1\" = --version ] && exec echo fake\nexec sleep 300\n".write(
            toFile: fake, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fake)
        let slow = try ScriptCompiler(.init(compilerPath: fake, cacheDirectory: compiler.cache.directory, timeout: .seconds(1)))
        let path = try script("hello.swift", Self.hello)
        let start = Date()
        #expect(throws: ScriptCompilerError.compileTimedOut(script: path, seconds: 1)) {
            try slow.compile(path)
        }
        // The timeout firing is the behaviour: after its 1 s, not the compiler's 300 s.
        #expect(Date().timeIntervalSince(start) < 120)
        #expect(try cachedExecutables().isEmpty)
    }

    @Test func missingCompilerIsReported() throws {
        let path = folder.appendingPathComponent("no-swiftc").path
        #expect {
            try ScriptCompiler(.init(compilerPath: path, cacheDirectory: folder.path))
        } throws: { error in
            guard case .compilerUnusable(let reported, _) = error as? ScriptCompilerError else { return false }
            return reported == path
        }
    }
}

/// Results collected from several threads.
private final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var collected: [Result<ScriptCompiler.CompiledScript, any Error>] = []

    func append(_ result: Result<ScriptCompiler.CompiledScript, any Error>) {
        lock.withLock { collected.append(result) }
    }

    var values: [Result<ScriptCompiler.CompiledScript, any Error>] {
        lock.withLock { collected }
    }
}
