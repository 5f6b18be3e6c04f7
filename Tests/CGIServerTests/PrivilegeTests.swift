import Foundation
import TestSupport
import Testing

/// What a server started as root runs as, and whether its scripts may run as root.
@Suite("Privileges", .serialized, .enabled(if: getuid() == 0, "needs a server started as root"))
struct PrivilegeTests {
    /// Whether other users may reach files at all: on some machines `/` itself is mode 0700.
    static var othersMaySearchTheRoot: Bool {
        var info = stat()
        return stat("/", &info) == 0 && info.st_mode & S_IXOTH != 0
    }

    @Test(.enabled(if: othersMaySearchTheRoot, "nobody cannot reach the test site: / is not searchable by others"))
    func withUserTheServerAndItsScriptsRunAsThatUser() throws {
        let nobody = try #require(getpwnam("nobody")?.pointee)
        let site = try TestSite()
        // Shell built-ins only: the script may not be allowed to run /usr/bin/id.
        try site.script(
            "id.sh",
            contents: "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\n'\n"
                + "while read key value; do case $key in Uid:|Gid:) echo \"$key $value\";; esac; done < /proc/$$/status\n")
        let logs = site.root.appending(path: "logs")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        chown(logs.path, nobody.pw_uid, nobody.pw_gid)
        let server = try TestServer(
            site: site, options: ["--user", "nobody", "--access-log", logs.appending(path: "access.log").path],
            rootScripts: false)
        let ids = try curl([server.url("/cgi-bin/id.sh")])
        #expect(ids.status == 200)
        let (uid, gid) = (nobody.pw_uid, nobody.pw_gid)
        #expect(ids.text == "Uid: \(uid)\t\(uid)\t\(uid)\t\(uid)\nGid: \(gid)\t\(gid)\t\(gid)\t\(gid)\n")
        let status = try String(contentsOfFile: "/proc/\(server.pid)/status", encoding: .utf8)
        let uids = status.split(separator: "\n").first { $0.hasPrefix("Uid:") }?.split(separator: "\t").dropFirst()
        #expect(uids.map(Array.init) == Array(repeating: "\(nobody.pw_uid)", count: 4), "real, effective, saved, file system")
        // The log was opened as the user, so the user can reopen it after a rotation.
        var info = stat()
        #expect(stat(logs.appending(path: "access.log").path, &info) == 0 && info.st_uid == nobody.pw_uid)
    }

    @Test func rootRefusesToRunScriptsUnlessAllowed() throws {
        let site = try TestSite()
        let server = try runProcess(TestServer.binary.path, [site.root.path, "--port", "0"])
        let message = server.errors
        #expect(server.termination != .exited(0))
        #expect(message.contains("refusing to run scripts as root"))
        #expect(message.contains("--user") && message.contains("--allow-root-scripts"))
    }
}
