import Foundation
import Glibc
import TestSupport
import Testing

@testable import CGIGateway

@Suite struct ResourceLimitTests {
    /// The test's folder, removed with whatever still runs in it when the test ends.
    let scratch: TemporaryDirectory

    init() throws {
        scratch = try TemporaryDirectory(prefix: "cgi-limits")
    }

    /// Starts a shell script from the test's folder with `limits`.
    func spawn(_ body: String, limits: [ResourceLimit]) throws -> ScriptProcess {
        let folder = scratch.path
        let path = folder + "/script.sh"
        try ("#!/bin/sh\n" + body).write(toFile: path, atomically: false, encoding: .utf8)
        chmod(path, 0o755)
        return try ScriptProcess.spawn(
            executable: path, environment: ["PATH": "/usr/bin:/bin"], workingDirectory: folder, standardInput: .pipe,
            limits: limits)
    }

    @Test func everyLimitIsSetOnTheScript() throws {
        let limits = try ["cpu=7", "memory=1073741824", "files=64", "processes=500", "file-size=65536"].map {
            try ResourceLimit(parsing: $0)
        }
        // The script reads its limits once told to (spawn has returned, so they are set).
        let process = try spawn("read go\ncat /proc/$$/limits\n", limits: limits)
        let input = try #require(process.standardInput)
        _ = "go\n".withCString { write(input, $0, 3) }
        close(input)
        let text = String(decoding: readToEnd(process.standardOutput), as: UTF8.self)
        close(process.standardError)
        #expect(process.wait() == .exited(0))
        func limit(_ name: String) -> [String] {
            let line = text.split(separator: "\n").first { $0.hasPrefix(name) } ?? ""
            return line.dropFirst(name.count).split(separator: " ").prefix(2).map(String.init)
        }
        #expect(limit("Max cpu time") == ["7", "8"])
        #expect(limit("Max address space") == ["1073741824", "1073741824"])
        #expect(limit("Max open files") == ["64", "64"])
        #expect(limit("Max processes") == ["500", "500"])
        #expect(limit("Max file size") == ["65536", "65536"])
    }

    @Test func aScriptOverItsCPULimitDiesOfSIGXCPU() throws {
        let process = try spawn("while :; do :; done\n", limits: [ResourceLimit(.cpu, 1)])
        close(try #require(process.standardInput))
        let status = process.wait()
        close(process.standardOutput)
        close(process.standardError)
        #expect(status == .signaled(SIGXCPU))
        #expect(status.description.contains("CPU time limit exceeded"))
    }

    @Test func badLimitsAreRejectedWithTheNames() throws {
        for text in ["cpu", "cpu=", "cpu=-1", "cpu=1.5", "stack=1", "=5"] {
            #expect(throws: ResourceLimit.ParseError.self) { try ResourceLimit(parsing: text) }
        }
        #expect(ResourceLimit.ParseError(text: "x").description.contains("cpu, memory, files, processes, file-size"))
        #expect(try ResourceLimit(parsing: "file-size=10") == ResourceLimit(.fileSize, 10))
    }
}
