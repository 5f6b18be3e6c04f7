import Foundation
import Glibc
import TestSupport
import Testing

/// The tests' temporary folders: removed whole, and nothing outside them touched on the way.
@Suite struct TemporaryDirectoryTests {
    /// Tests link to `/`, `/etc` and `/usr/bin/id` to check that the server does not follow
    /// such links; removing the test's folder must not change what the links point to.
    @Test func removalOpensLockedFoldersButNeverWhatALinkPointsTo() throws {
        let outside = try TemporaryDirectory(prefix: "cgi-tests-outside")
        let file = outside.appending("file")
        #expect(FileManager.default.createFile(atPath: file, contents: Data("kept".utf8)))
        #expect(chmod(outside.path, 0o751) == 0 && chmod(file, 0o644) == 0)

        var inside: TemporaryDirectory? = try TemporaryDirectory()
        let removed = try #require(inside).path
        let locked = removed + "/locked"
        try FileManager.default.createDirectory(atPath: locked + "/deeper", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: removed + "/folder-link", withDestinationPath: outside.path)
        try FileManager.default.createSymbolicLink(atPath: locked + "/file-link", withDestinationPath: file)
        #expect(chmod(locked + "/deeper", 0) == 0 && chmod(locked, 0) == 0)
        inside = nil

        #expect(!FileManager.default.fileExists(atPath: removed), "the locked folders were opened and removed")
        var info = stat()
        #expect(stat(outside.path, &info) == 0 && info.st_mode & 0o7777 == 0o751)
        #expect(stat(file, &info) == 0 && info.st_mode & 0o7777 == 0o644)
        #expect(FileManager.default.contents(atPath: file) == Data("kept".utf8))
    }
}
