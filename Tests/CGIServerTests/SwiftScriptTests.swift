import Foundation
import TestSupport
import Testing

/// `.swift` scripts through the real server: compiled on the first request, cached after.
@Suite(.serialized) struct SwiftScriptTests {
    static func greeting(_ word: String) -> String {
        """
        import CGI
        CGI.run { request in
            Response(contentType: "text/plain", body: "\(word), \\(request.form["name"] ?? "world")!\\n")
        }
        """
    }

    func server(dev: Bool = false) throws -> TestServer {
        let site = try TestSite()
        let options = ["--swift-cache", site.root.appending(path: "cache").path, "--swiftc", swiftc] + (dev ? ["--dev"] : [])
        return try TestServer(site: site, options: options)
    }

    func compileCount(_ server: TestServer, _ script: String) -> Int {
        server.errorText.components(separatedBy: "compiled \(server.site.cgiBin.path)/\(script) in").count - 1
    }

    @Test func compilesOnceThenRunsFromTheCacheUnderBothURLs() throws {
        let server = try server()
        try server.site.script("greet.swift", contents: Self.greeting("Hello"), mode: 0o644)
        let first = try curl([server.url("/cgi-bin/greet.swift?name=a")], timeout: 120)
        #expect(first.status == 200)
        #expect(first.text == "Hello, a!\n")
        let second = try curl([server.url("/cgi-bin/greet/extra?name=b")])
        #expect(second.text == "Hello, b!\n")
        #expect(compileCount(server, "greet.swift") == 1)
    }

    @Test func editRecompiles() throws {
        let server = try server()
        try server.site.script("greet.swift", contents: Self.greeting("Hello"), mode: 0o644)
        #expect(try curl([server.url("/cgi-bin/greet")], timeout: 120).text == "Hello, world!\n")
        try server.site.script("greet.swift", contents: Self.greeting("Goodbye"), mode: 0o644)
        #expect(try curl([server.url("/cgi-bin/greet")], timeout: 120).text == "Goodbye, world!\n")
        #expect(compileCount(server, "greet.swift") == 2)
    }

    @Test func concurrentFirstRequestsCompileOnce() throws {
        let server = try server()
        try server.site.script("greet.swift", contents: Self.greeting("Hi"), mode: 0o644)
        let results = try curlAll((0..<4).map { [server.url("/cgi-bin/greet?name=\($0)")] }, timeout: 120)
        #expect(results.map { $0?.text } == (0..<4).map { "Hi, \($0)!\n" })
        #expect(compileCount(server, "greet.swift") == 1)
    }

    @Test func startingLeavesNothingBehindInTMPDIR() throws {
        let site = try TestSite()
        let temporary = site.root.appending(path: "tmp")
        let cache = site.root.appending(path: "cache")
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
        let server = try TestServer(
            site: site, options: ["--swift-cache", cache.path, "--swiftc", swiftc], environment: ["TMPDIR": temporary.path])
        #expect(!server.errorText.contains("cannot be compiled"), "the compiler was found and asked for its version")
        #expect(try FileManager.default.contentsOfDirectory(atPath: temporary.path) == [])
        #expect(try FileManager.default.contentsOfDirectory(atPath: cache.path).filter { !$0.hasPrefix("startup-order-") } == [])
    }

    @Test func cacheKeepsItsLimitDroppingTheLeastRecentlyUsed() throws {
        let site = try TestSite()
        let cache = site.root.appending(path: "cache")
        for name in ["alpha", "beta", "gamma"] {
            try site.script("\(name).swift", contents: Self.greeting(name), mode: 0o644)
        }
        func entries() -> [String: Int] {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: cache.path)) ?? []
            var sizes: [String: Int] = [:]
            for name in names where name.count > 65 && !name.contains(".") {
                var info = stat()
                guard stat(cache.appending(path: name).path, &info) == 0 else { continue }
                sizes[String(name.prefix(name.count - 65))] = Int(info.st_blocks) * 512
            }
            return sizes
        }
        let first = try TestServer(site: site, options: ["--swift-cache", cache.path, "--swiftc", swiftc])
        #expect(try curl([first.url("/cgi-bin/alpha")], timeout: 120).text == "alpha, world!\n")
        #expect(try curl([first.url("/cgi-bin/beta")], timeout: 120).text == "beta, world!\n")
        #expect(first.stop() == 0)
        defer { withExtendedLifetime(first) {} }  // its site, shared with the second server, goes with it
        let size = try #require(entries()["alpha"])

        // Room for two and a half: the third compile removes the one used longest ago, beta.
        let second = try TestServer(
            site: site, options: ["--swift-cache", cache.path, "--swiftc", swiftc, "--swift-cache-max", "\(size * 5 / 2)"])
        #expect(try curl([second.url("/cgi-bin/alpha")], timeout: 120).text == "alpha, world!\n")
        #expect(compileCount(second, "alpha.swift") == 0)
        #expect(try curl([second.url("/cgi-bin/gamma")], timeout: 120).text == "gamma, world!\n")
        #expect(Set(entries().keys) == ["alpha", "gamma"])
        #expect(entries().values.reduce(0, +) <= size * 5 / 2)
    }

    @Test func compileErrorShowsTheCompilersMessageInDevelopmentMode() throws {
        let server = try server(dev: true)
        try server.site.script("broken.swift", contents: "import CGI\nlet x: Int = \"<text>\"\n", mode: 0o644)
        let result = try curl([server.url("/cgi-bin/broken")], timeout: 120)
        #expect(result.status == 500)
        #expect(result.text.contains("broken.swift:2:"))
        #expect(result.text.contains("&quot;&lt;text&gt;&quot;"))
        #expect(!result.text.contains("\"<text>\""))
    }

    @Test func compileErrorIsOnlyLoggedOtherwise() throws {
        let server = try server()
        try server.site.script("broken.swift", contents: "import CGI\nlet x: Int = \"text\"\n", mode: 0o644)
        let result = try curl([server.url("/cgi-bin/broken.swift")], timeout: 120)
        #expect(result.status == 500)
        #expect(!result.text.contains("broken.swift:2:"))
        #expect(result.text.contains("Reference"))
        #expect(eventually { server.errorText.contains("broken.swift:2:") })
    }
}

/// The `swiftc` on this process's PATH (the server under test runs with a minimal PATH).
let swiftc: String = {
    let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
    let found = folders.map { "\($0)/swiftc" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    return found ?? "swiftc"
}()
