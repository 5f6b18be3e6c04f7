import CGIGateway
import Foundation
import TestSupport
import Testing

@Suite struct CGILibraryLocationTests {
    /// The test's folder, removed when the test ends.
    let directory: TemporaryDirectory

    init() throws {
        directory = try TemporaryDirectory(prefix: "cgi-library")
    }

    /// A fake build folder with the given `CGI` sources listed and the given object files present;
    /// `CGICore` has one source, `HTML.swift`, and its object.
    func buildFolder(listing sources: [String], objects: [String]) throws -> String {
        let folder = directory.appending("build")
        try FileManager.default.createDirectory(atPath: folder + "/Modules", withIntermediateDirectories: true)
        let targets = [("CGICore", ["HTML.swift"], ["HTML.swift.o"]), ("CGI", sources, objects)]
        for (target, sources, objects) in targets {
            try FileManager.default.createDirectory(atPath: folder + "/\(target).build", withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: folder + "/Modules/\(target).swiftmodule", contents: Data())
            let list = sources.map { "/src/Sources/\(target)/Folder/\($0)\n" }.joined()
            try list.write(toFile: folder + "/\(target).build/sources", atomically: true, encoding: .utf8)
            for object in objects {
                _ = FileManager.default.createFile(atPath: folder + "/\(target).build/" + object, contents: Data())
            }
        }
        for object in CGILibraryLocation.cObjectFiles {
            let path = folder + "/" + object
            try FileManager.default.createDirectory(
                atPath: String(path[..<path.lastIndex(of: "/")!]), withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: path, contents: Data())
        }
        return folder
    }

    @Test func objectsComeFromTheSourceListNotTheFolder() throws {
        let folder = try buildFolder(
            listing: ["Form.swift", "Request.swift"], objects: ["Form.swift.o", "Request.swift.o", "Deleted.swift.o"])
        let library = try CGILibraryLocation(buildDirectory: folder)
        #expect(library.modulesDirectory == folder + "/Modules")
        #expect(
            library.objectFiles == [
                folder + "/CGICore.build/HTML.swift.o", folder + "/CGI.build/Form.swift.o", folder + "/CGI.build/Request.swift.o",
                folder + "/CSHA256.build/sha256_shani.c.o", folder + "/CThrowSites.build/throw_sites.c.o",
            ])
    }

    @Test func missingObjectIsReported() throws {
        let folder = try buildFolder(listing: ["Form.swift", "Request.swift"], objects: ["Form.swift.o"])
        #expect(
            throws: ScriptCompilerError.libraryNotFound(buildDirectory: folder, reason: "no \(folder)/CGI.build/Request.swift.o")
        ) {
            try CGILibraryLocation(buildDirectory: folder)
        }
    }

    @Test func fingerprintChangesWhenTheLibraryIsRebuilt() throws {
        let folder = try buildFolder(listing: ["Form.swift"], objects: ["Form.swift.o"])
        let library = try CGILibraryLocation(buildDirectory: folder)
        let before = library.fingerprint
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: folder + "/CGI.build/Form.swift.o"))
        #expect(library.fingerprint != before)
    }

    @Test func theTestRunnersBuildFolderHoldsTheLibrary() throws {
        let library = try CGILibraryLocation.nextToExecutable()
        #expect(library.objectFiles.contains { $0.hasSuffix("/CGI.build/Form.swift.o") })
        #expect(library.objectFiles.contains { $0.hasSuffix("/CGICore.build/HTML.swift.o") })
        #expect(library.objectFiles.contains { $0.hasSuffix("/CSHA256.build/sha256_shani.c.o") })
        #expect(library.objectFiles.contains { $0.hasSuffix("/CThrowSites.build/throw_sites.c.o") })
    }
}
