import CGICore
import Glibc
import SystemPackage

/// Where the compiled `CGI` library lives, so that a `.swift` script can `import CGI`:
/// the module interface (`Modules/CGI.swiftmodule`) and the object files of its sources
/// (`CGI.build/NAME.swift.o`), both inside one SwiftPM build folder such as `.build/release`.
///
/// SwiftPM writes the list of the target's current sources to `CGI.build/sources`; the
/// objects are taken from that list rather than from the folder, so an object left behind by
/// a deleted source is never linked in. The library's C parts (`CSHA256`, the SHA-256 blocks on
/// the SHA extensions; `CThrowSites`, the throw hooks) get no such list, so their objects are named here
/// (``cObjectFiles``); CGI imports them implementation-only, so scripts need their objects but
/// not its headers.
public struct CGILibraryLocation: Sendable, Equatable {
    /// The SwiftPM build folder (`.build/debug`, `.build/release`, …).
    public let buildDirectory: String
    /// The folder holding `CGI.swiftmodule` (passed to the compiler with `-I`).
    public let modulesDirectory: String
    /// The library's object files, linked into every script.
    public let objectFiles: [String]

    /// Finds the library's build products in `buildDirectory`.
    /// - Throws: ``ScriptCompilerError/libraryNotFound(buildDirectory:reason:)`` when the
    ///   module or an object file is missing (the package was not built there).
    public init(buildDirectory: String) throws(ScriptCompilerError) {
        let modules = buildDirectory + "/Modules"
        var objects: [String] = []
        for target in Self.swiftTargets {
            guard (try? FilePath(modules + "/\(target).swiftmodule").stat()) != nil else {
                throw .libraryNotFound(buildDirectory: buildDirectory, reason: "no Modules/\(target).swiftmodule")
            }
            let folder = buildDirectory + "/\(target).build"
            guard let list = try? WholeFile.read(folder + "/sources") else {
                throw .libraryNotFound(buildDirectory: buildDirectory, reason: "no \(target).build/sources")
            }
            let sources = String(decoding: list, as: UTF8.self).split(separator: "\n")
            objects += sources.map { folder + "/" + $0.split(separator: "/").last! + ".o" }
        }
        objects += Self.cObjectFiles.map { buildDirectory + "/" + $0 }
        if let missing = objects.first(where: { (try? FilePath($0).stat()) == nil }) {
            throw .libraryNotFound(buildDirectory: buildDirectory, reason: "no \(missing)")
        }
        self.buildDirectory = buildDirectory
        self.modulesDirectory = modules
        self.objectFiles = objects
    }

    /// The Swift targets a script links: `CGI` and the shared pieces it re-exports.
    public static let swiftTargets = ["CGICore", "CGI"]

    /// The objects of the C targets CGI depends on, relative to the build folder: one per
    /// `.c` file in `Sources/CSHA256` and `Sources/CThrowSites` (SwiftPM writes no list of a
    /// C target's sources).
    public static let cObjectFiles = ["CSHA256.build/sha256_shani.c.o", "CThrowSites.build/throw_sites.c.o"]

    /// The build folder of the running executable (`cgi-server` and `cgi` sit next to the
    /// library they were built with), found through `/proc/self/exe`.
    public static func nextToExecutable() throws(ScriptCompilerError) -> CGILibraryLocation {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else {
            throw .libraryNotFound(buildDirectory: "/proc/self/exe", reason: "the executable's path is unknown")
        }
        let executable = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let folder = executable.split(separator: "/", omittingEmptySubsequences: false).dropLast()
        return try CGILibraryLocation(buildDirectory: folder.joined(separator: "/"))
    }

    /// A fingerprint of the library as built: the paths, sizes and modification times of the
    /// module and the objects. A rebuilt library gives a new fingerprint, so scripts compiled
    /// against the old one are not reused.
    public var fingerprint: String {
        (Self.swiftTargets.map { modulesDirectory + "/\($0).swiftmodule" } + objectFiles).map { path in
            guard let status = try? FilePath(path).stat() else { return "\(path) missing" }
            return "\(path) \(status.size) \(status.st_mtim.tv_sec).\(status.st_mtim.tv_nsec)"
        }.joined(separator: "\n")
    }
}
