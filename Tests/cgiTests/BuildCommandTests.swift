import Foundation
import TestSupport
import Testing

/// `cgi build` run as a process on a real cgi-bin folder.
@Suite struct BuildCommandTests {
    /// The test's folder, removed when the test ends.
    let directory: TemporaryDirectory
    var folder: String { directory.path }

    init() throws {
        directory = try TemporaryDirectory(prefix: "cgi-build")
        try FileManager.default.createDirectory(atPath: folder + "/site/cgi-bin/tools", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: folder + "/tmp", withIntermediateDirectories: false)
        try "import CGI\nprint(\"Content-Type: text/plain\\r\\n\\r\\n\\(Form().count) fields\")\n"
            .write(toFile: folder + "/site/cgi-bin/count.swift", atomically: true, encoding: .utf8)
        try "print(\"Content-Type: text/plain\\r\\n\\r\\nnested\")\n"
            .write(toFile: folder + "/site/cgi-bin/tools/nested.swift", atomically: true, encoding: .utf8)
        try "#!/bin/sh\necho not swift\n".write(toFile: folder + "/site/cgi-bin/other.sh", atomically: true, encoding: .utf8)
    }

    /// Starts `cgi build` with `arguments` (and the test's cache unless they name one), in the
    /// test's folder; `finish` waits for its exit status and standard output.
    func startBuild(_ arguments: [String]) throws -> ChildProcess {
        try ChildProcess(
            cgiTool.path,
            ["build"] + arguments + (arguments.contains("--swift-cache") ? [] : ["--swift-cache", folder + "/cache"]),
            // swiftc leaves a folder in TMPDIR when it links a static executable: it goes with the test's folder.
            environment: ProcessInfo.processInfo.environment.merging(["TMPDIR": folder + "/tmp"]) { $1 }, workingDirectory: folder
        )
    }

    func finish(_ started: ChildProcess) throws -> (status: Int32, output: String) {
        let result = try started.finish(within: 600)
        return (result.exitStatus, result.output)
    }

    func build(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try finish(try startBuild(arguments))
    }

    func run(_ executable: String) throws -> String {
        try runProcess(executable, environment: [:]).output
    }

    @Test func buildsEverySwiftScriptThenFindsThemUpToDate() throws {
        let first = try build([folder + "/site"])
        #expect(first.status == 0)
        let lines = first.output.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.first?.hasPrefix("built count.swift in ") == true)
        #expect(lines.last?.hasPrefix("built tools/nested.swift in ") == true)

        let second = try build([folder + "/site/cgi-bin"])
        #expect(second.status == 0)
        #expect(second.output == "up to date count.swift\nup to date tools/nested.swift\n")
    }

    @Test func twoProcessesBuildingTheSameCacheCompileEachScriptOnce() throws {
        let first = try startBuild([folder + "/site"])
        let second = try startBuild([folder + "/site"])
        let outputs = [try finish(first), try finish(second)]
        #expect(outputs.allSatisfy { $0.status == 0 })
        let lines = outputs.flatMap { $0.output.split(separator: "\n") }
        #expect(lines.filter { $0.hasPrefix("built count.swift") }.count == 1)
        #expect(lines.filter { $0 == "up to date count.swift" }.count == 1)
        #expect(lines.filter { $0.hasPrefix("built tools/nested.swift") }.count == 1)
    }

    @Test func outputFolderGetsRunnableExecutables() throws {
        let result = try build([folder + "/site", "--output", folder + "/out"])
        #expect(result.status == 0)
        #expect(result.output.contains("-> \(folder)/out/tools/nested\n"))
        #expect(try run(folder + "/out/count") == "Content-Type: text/plain\r\n\r\n0 fields\n")
        #expect(try run(folder + "/out/tools/nested") == "Content-Type: text/plain\r\n\r\nnested\n")
    }

    @Test func compileErrorIsPrintedAndExitsOne() throws {
        try "let broken = (\n".write(toFile: folder + "/site/cgi-bin/broken.swift", atomically: true, encoding: .utf8)
        let result = try build([folder + "/site"])
        #expect(result.status == 1)
        #expect(result.output.contains("error: \(folder)/site/cgi-bin/broken.swift does not compile:"))
        #expect(result.output.contains("broken.swift:1:"))
        #expect(result.output.contains("built count.swift"))
    }

    @Test func relativePathsAreTakenFromTheWorkingDirectory() throws {
        let result = try build(["site", "--swift-cache", "relative-cache", "--output", "out"])
        #expect(result.status == 0, "\(result.output)")
        #expect(try run(folder + "/out/count") == "Content-Type: text/plain\r\n\r\n0 fields\n")
        #expect(FileManager.default.fileExists(atPath: folder + "/relative-cache"))
    }
}
