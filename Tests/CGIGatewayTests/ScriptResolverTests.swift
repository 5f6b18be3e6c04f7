import Foundation
import Glibc
import TestSupport
import Testing

@testable import CGIGateway

/// A `cgi-bin` folder with good scripts and every kind of bad one, next to a script outside it.
struct ScriptTree {
    /// The site folder, removed when the test that made it ends.
    let folder: TemporaryDirectory
    var site: String { folder.path }
    var root: String { site + "/cgi-bin" }

    init() throws {
        folder = try TemporaryDirectory(prefix: "cgi-gateway-tests")
        let root = site + "/cgi-bin"
        let manager = FileManager.default
        for folder in ["cgi-bin", "cgi-bin/sub", "cgi-bin/dir.cgi", "cgi-bin/wwdir"] {
            try manager.createDirectory(atPath: site + "/" + folder, withIntermediateDirectories: false)
            chmod(site + "/" + folder, 0o755)
        }
        try installFixture("probe.py", in: site, as: "secret.cgi")
        try installFixture("probe.py", in: root)
        try installFixture("probe.py", in: root + "/sub")
        try installFixture("probe.py", in: root, as: "noexec.py", mode: 0o644)
        try installFixture("probe.py", in: root, as: "ww.py", mode: 0o777)
        try installFixture("probe.py", in: root, as: "gw.py", mode: 0o775)
        try installFixture("probe.py", in: root, as: "suid.py", mode: 0o4755)
        try installFixture("probe.py", in: root + "/wwdir")
        chmod(root + "/wwdir", 0o777)
        mkfifo(root + "/fifo", 0o755)
        try manager.createSymbolicLink(atPath: root + "/escape.cgi", withDestinationPath: "/usr/bin/id")
        try manager.createSymbolicLink(atPath: root + "/outside.cgi", withDestinationPath: "../secret.cgi")
        try manager.createSymbolicLink(atPath: root + "/linkdir", withDestinationPath: "/")
        try manager.createSymbolicLink(atPath: root + "/alias.py", withDestinationPath: "sub/probe.py")
        try manager.createSymbolicLink(atPath: root + "/subalias", withDestinationPath: "sub")
        try manager.createSymbolicLink(atPath: root + "/wwalias", withDestinationPath: "wwdir")
        try manager.createSymbolicLink(atPath: site + "/current", withDestinationPath: "cgi-bin")
    }
}

@Suite struct ScriptResolverTests {
    let tree: ScriptTree

    init() throws {
        tree = try ScriptTree()
    }
    var resolver: ScriptResolver { ScriptResolver(root: tree.root) }

    @Test(arguments: [
        ("/cgi-bin/probe.py", "/cgi-bin/probe.py", "", "probe.py"),
        ("/cgi-bin/probe.py/extra/path", "/cgi-bin/probe.py", "/extra/path", "probe.py"),
        ("/cgi-bin/probe.py/a%20b/c%3Bd", "/cgi-bin/probe.py", "/a b/c;d", "probe.py"),
        ("/cgi-bin/probe.py/", "/cgi-bin/probe.py", "/", "probe.py"),
        ("/cgi-bin/probe.py/x/", "/cgi-bin/probe.py", "/x/", "probe.py"),
        ("/cgi-bin/sub/probe.py/x", "/cgi-bin/sub/probe.py", "/x", "sub/probe.py"),
        ("/cgi-bin//probe.py", "/cgi-bin/probe.py", "", "probe.py"),
        ("/cgi-bin/./probe.py", "/cgi-bin/probe.py", "", "probe.py"),
        ("/cgi-bin/sub/../probe.py", "/cgi-bin/probe.py", "", "probe.py"),
        ("/cgi-bin/%70robe.py", "/cgi-bin/probe.py", "", "probe.py"),
        ("/cgi-bin/probe.py/..", "/cgi-bin", "", ""),
        ("/cgi-bin/alias.py/y", "/cgi-bin/alias.py", "/y", "sub/probe.py"),
        ("/cgi-bin/subalias/probe.py/z", "/cgi-bin/subalias/probe.py", "/z", "sub/probe.py"),
    ])
    func findsScripts(path: String, scriptName: String, pathInfo: String, file: String) throws {
        if file.isEmpty {
            #expect(throws: ScriptResolverError.self) { try resolver.resolve(path: path) }
            return
        }
        let location = try resolver.resolve(path: path)
        #expect(location == ScriptLocation(scriptPath: tree.root + "/" + file, scriptName: scriptName, pathInfo: pathInfo))
    }

    @Test(arguments: [
        // Traversal, decoded once.
        ("/cgi-bin/../secret.cgi", 404),
        ("/cgi-bin/./../secret.cgi", 404),
        ("/cgi-bin/../../../../bin/id", 400),
        ("/cgi-bin/%2e%2e/secret.cgi", 404),
        ("/cgi-bin/%2e%2e/%2e%2e/%2e%2e/bin/id", 400),
        ("/cgi-bin/%252e%252e/secret.cgi", 404),
        // Encoded separators.
        ("/cgi-bin%2Fprobe.py", 404),
        ("/cgi-bin/sub%2Fprobe.py", 404),
        ("/cgi-bin/sub%2fprobe.py", 404),
        ("/cgi-bin/sub%5Cprobe.py", 404),
        ("/cgi-bin/sub\\probe.py", 404),
        ("/cgi-bin/probe.py/a%2Fb", 404),
        ("/cgi-bin/..%2f..%2fsecret.cgi", 404),
        // NUL and control characters.
        ("/cgi-bin/probe.py%00", 400),
        ("/cgi-bin/probe.py%00.txt", 400),
        ("/cgi-bin/probe.py%0a", 400),
        ("/cgi-bin/probe.py/%0d%0aX", 400),
        ("/cgi-bin/%zz", 400),
        ("cgi-bin/probe.py", 400),
        // Alternate spellings name no file (no source disclosure through them).
        ("/cgi-bin/probe.py.", 404),
        ("/cgi-bin/probe.py%20", 404),
        ("/cgi-bin/PROBE.PY", 404),
        ("/CGI-BIN/probe.py", 404),
        ("/cgi-bin/probe.py::$DATA", 404),
        // Missing, or outside the prefix.
        ("/cgi-bin/missing.py", 404),
        ("/cgi-bin/sub/missing.py/x", 404),
        ("/cgi-binx/probe.py", 404),
        ("/static/probe.py", 404),
        ("/", 404),
        // Folders and files that are not scripts.
        ("/cgi-bin", 403),
        ("/cgi-bin/", 403),
        ("/cgi-bin/sub", 403),
        ("/cgi-bin/sub/", 403),
        ("/cgi-bin/dir.cgi", 403),
        ("/cgi-bin/fifo", 403),
        ("/cgi-bin/noexec.py", 403),
        // Unsafe permissions.
        ("/cgi-bin/ww.py", 403),
        ("/cgi-bin/gw.py", 403),
        ("/cgi-bin/suid.py", 403),
        ("/cgi-bin/wwdir/probe.py", 403),
        ("/cgi-bin/wwalias/probe.py", 403),
        // Symbolic links out of the folder.
        ("/cgi-bin/escape.cgi", 403),
        ("/cgi-bin/outside.cgi", 403),
        ("/cgi-bin/linkdir/usr/bin/id", 403),
        ("/cgi-bin/linkdir/bin/id", 403),
    ])
    func refuses(path: String, status: Int) {
        #expect {
            try resolver.resolve(path: path)
        } throws: { error in
            (error as? ScriptResolverError)?.httpStatus == status
        }
    }

    @Test func claimsOnlyItsPrefix() throws {
        #expect(resolver.claims(try RequestPath(percentEncoded: "/cgi-bin/x")))
        #expect(resolver.claims(try RequestPath(percentEncoded: "/static/../cgi-bin/x")))
        #expect(!resolver.claims(try RequestPath(percentEncoded: "/cgi-bin/../static/x")))
        #expect(!resolver.claims(try RequestPath(percentEncoded: "/cgi-binx")))
    }

    @Test func mountsAtOtherPrefixes() throws {
        let nested = ScriptResolver(root: tree.root, urlPrefix: "/app/scripts/")
        let location = try nested.resolve(path: "/app/scripts/sub/probe.py/p")
        #expect(location.scriptName == "/app/scripts/sub/probe.py")
        #expect(location.pathInfo == "/p")
        #expect(throws: ScriptResolverError.notFound) { try nested.resolve(path: "/cgi-bin/probe.py") }
    }

    @Test func reasonsNameTheProblem() {
        #expect(throws: ScriptResolverError.forbidden("\(tree.root)/ww.py is writable by group or others")) {
            try resolver.resolve(path: "/cgi-bin/ww.py")
        }
        #expect(throws: ScriptResolverError.forbidden("\(tree.root)/noexec.py is not executable")) {
            try resolver.resolve(path: "/cgi-bin/noexec.py")
        }
        #expect(ScriptResolverError.notFound.description == "no script at this path")
    }

    @Test func rootMayBeALink() throws {
        // A site deployed as `current -> release`: scripts are found, at their real paths.
        let linked = ScriptResolver(root: tree.site + "/current")
        #expect(try linked.resolve(path: "/cgi-bin/sub/probe.py").scriptPath == tree.root + "/sub/probe.py")
        #expect(throws: ScriptResolverError.forbidden("\(tree.root)/ww.py is writable by group or others")) {
            try linked.resolve(path: "/cgi-bin/ww.py")
        }
    }

    @Test func missingRootFindsNothing() {
        let missing = ScriptResolver(root: tree.site + "/no-such-folder")
        #expect(throws: ScriptResolverError.notFound) { try missing.resolve(path: "/cgi-bin/probe.py") }
    }

    @Test func directoryIsTheScriptsFolder() {
        #expect(ScriptLocation(scriptPath: "/srv/cgi-bin/a/b.sh", scriptName: "/cgi-bin/a/b.sh").directory == "/srv/cgi-bin/a")
        #expect(ScriptLocation(scriptPath: "/b.sh", scriptName: "/cgi-bin/b.sh").directory == "/")
    }
}
