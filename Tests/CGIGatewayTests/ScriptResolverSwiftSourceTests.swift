import CGIGateway
import Foundation
import TestSupport
import Testing

/// How the resolver finds `.swift` scripts: by their full name and without `.swift`.
@Suite struct ScriptResolverSwiftSourceTests {
    /// The script folder, removed when the test ends.
    let folder: TemporaryDirectory
    var root: String { folder.path }
    let resolver: ScriptResolver

    init() throws {
        folder = try TemporaryDirectory(prefix: "resolver-swift")
        let root = folder.path
        for (name, mode) in [("hello.swift", 0o644), ("tool", 0o755), ("tool.swift", 0o644), ("notes.txt", 0o644)] {
            _ = FileManager.default.createFile(atPath: "\(root)/\(name)", contents: Data(), attributes: [.posixPermissions: mode])
        }
        resolver = ScriptResolver(root: root)
    }

    @Test(arguments: [
        ("/cgi-bin/hello.swift", "hello.swift", "/cgi-bin/hello.swift", ""),
        ("/cgi-bin/hello", "hello.swift", "/cgi-bin/hello", ""),
        ("/cgi-bin/hello/a/b", "hello.swift", "/cgi-bin/hello", "/a/b"),
        ("/cgi-bin/tool", "tool", "/cgi-bin/tool", ""),
    ])
    func resolves(url: String, file: String, scriptName: String, pathInfo: String) throws {
        let location = try resolver.resolve(path: url)
        #expect(location.scriptPath.hasSuffix("/" + file))
        #expect(location.scriptName == scriptName)
        #expect(location.pathInfo == pathInfo)
        #expect(location.isSwiftSource == file.hasSuffix(".swift"))
    }

    @Test func otherFilesStillNeedTheExecutableBit() throws {
        #expect(throws: ScriptResolverError.self) { try resolver.resolve(path: "/cgi-bin/notes.txt") }
        #expect(throws: ScriptResolverError.notFound) { try resolver.resolve(path: "/cgi-bin/notes") }
    }
}
