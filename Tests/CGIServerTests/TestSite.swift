import Foundation
import TestSupport

/// A throw-away site folder (htdocs/, cgi-bin/, a state folder for the probe) for one server
/// under test, removed when the last test or server holding it ends.
struct TestSite {
    private let directory: TemporaryDirectory
    var root: URL { directory.url }
    var htdocs: URL { root.appending(path: "htdocs") }
    var cgiBin: URL { root.appending(path: "cgi-bin") }
    /// Where the probe records pids, markers and grandchildren (`PROBE_STATE`).
    var state: URL { root.appending(path: "state") }
    /// The server's `TMPDIR`: what the compiler leaves there goes with the site.
    var temporary: URL { root.appending(path: "tmp") }

    /// The folder of fixture scripts next to this file.
    static let fixtures = URL(filePath: #filePath).deletingLastPathComponent().appending(path: "Fixtures")

    /// Creates the folders, the probe scripts and a few static files.
    init() throws {
        directory = try TemporaryDirectory(prefix: "cgi-server-test")
        let manager = FileManager.default
        for folder in [htdocs, cgiBin, state, temporary, htdocs.appending(path: "dir"), htdocs.appending(path: "empty")] {
            try manager.createDirectory(at: folder, withIntermediateDirectories: true)
        }
        try chmod(root, 0o755)
        try chmod(cgiBin, 0o755)
        try script("probe.cgi", contents: try String(contentsOf: Self.fixtures.appending(path: "probe.cgi"), encoding: .utf8))
        try script("hello.sh", contents: "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\nhello\\n'\n")
        try script(
            "nph-raw.cgi", contents: "#!/bin/sh\nprintf 'HTTP/1.0 200 OK\\r\\nContent-Type: text/plain\\r\\n\\r\\nraw\\n'\n")
        try file("htdocs/hello.txt", "hello\n")
        try file("htdocs/dir/index.html", "<h1>index</h1>\n")
        try file("htdocs/page.html", "<p>page</p>\n")
    }

    /// Writes an executable script into cgi-bin/ (mode 0755 unless told otherwise).
    func script(_ name: String, contents: String, mode: Int16 = 0o755) throws {
        let url = cgiBin.appending(path: name)
        try contents.write(to: url, atomically: false, encoding: .utf8)
        try chmod(url, mode)
    }

    /// Writes a file at a path relative to the site root.
    func file(_ path: String, _ contents: String) throws {
        let url = root.appending(path: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(contents.utf8).write(to: url)
    }

    /// Writes `count` random bytes to a path relative to the site root and returns them.
    @discardableResult
    func randomFile(_ path: String, count: Int) throws -> Data {
        var generator = SystemRandomNumberGenerator()
        let data = Data((0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) })
        try data.write(to: root.appending(path: path))
        return data
    }

    /// Pids the probe recorded so far.
    func recordedPids() -> [Int32] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: state.appending(path: "pids").path)) ?? []
        return names.compactMap { Int32($0) }
    }

    /// Whether the probe touched `ran-NAME`.
    func ran(_ marker: String) -> Bool {
        FileManager.default.fileExists(atPath: state.appending(path: "ran-\(marker)").path)
    }

    private func chmod(_ url: URL, _ mode: Int16) throws {
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: url.path)
    }
}
