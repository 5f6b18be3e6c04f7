import Foundation
import TestSupport
import Testing

/// Uploads through a real CGI process (the `UploadFixture` script) reading a pipe: a
/// 256 MiB upload lands in its temporary file byte for byte, and temporary files never
/// outlive the process.
@Suite(.serialized) struct MultipartProcessTests {
    /// The test's scratch folder, removed when the test ends.
    let scratch: TemporaryDirectory

    init() throws {
        scratch = try TemporaryDirectory(prefix: "cgi-test")
    }

    struct Run {
        var stdout: String
        var status: Int32
    }

    /// Runs `pipeline` (a shell command whose output is the request body) piped into the
    /// fixture, with CGI variables and `extra` in the environment.
    static func run(body pipeline: String, contentType: String, contentLength: Int?, _ extra: [String: String]) throws -> Run {
        let fixture = productsDirectory.appendingPathComponent("UploadFixture")
        var environment = [
            "FIXTURE": fixture.path, "REQUEST_METHOD": "POST", "CONTENT_TYPE": contentType, "PATH": "/usr/bin:/bin",
        ]
        if let contentLength { environment["CONTENT_LENGTH"] = String(contentLength) }
        let result = try runProcess(
            "/bin/sh", ["-c", "\(pipeline) | \"$FIXTURE\""], environment: environment.merging(extra) { $1 }, within: 600)
        return Run(stdout: result.output, status: result.exitStatus)
    }

    static let head =
        "--BOUND\r\nContent-Disposition: form-data; name=\"big\"; filename=\"big.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    static let tail = "\r\n--BOUND\r\nContent-Disposition: form-data; name=\"after\"\r\n\r\nok\r\n--BOUND--\r\n"

    /// Writes `mebibytes` MiB of pseudo-random data, each MiB stamped with its number so a
    /// misplaced block shows, and returns the file's path.
    static func payload(mebibytes: Int, in directory: String) throws -> String {
        var random = SeededGenerator(seed: 7)
        var block = Data((0..<(1 << 20)).map { _ in UInt8.random(in: 0...255, using: &random) })
        let path = directory + "/payload"
        try #require(FileManager.default.createFile(atPath: path, contents: nil))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        for index in 0..<mebibytes {
            block.replaceSubrange(0..<8, with: withUnsafeBytes(of: UInt64(index)) { Data($0) })
            block[100] = UInt8(ascii: "\r")
            block[101] = UInt8(ascii: "\n")
            block[102] = UInt8(ascii: "-")
            block[103] = UInt8(ascii: "-")
            try handle.write(contentsOf: block)
        }
        try handle.close()
        return path
    }

    /// A shell command printing `count` letters x.
    static func xs(_ count: Int) -> String { "head -c \(count) /dev/zero | tr '\\0' x" }

    @Test func upload256MiBLandsInItsTemporaryFileByteForByte() throws {
        let work = try scratch.newFolder()
        let spool = work + "/spool"
        let moved = work + "/moved"
        try FileManager.default.createDirectory(atPath: spool, withIntermediateDirectories: false)
        try FileManager.default.createDirectory(atPath: moved, withIntermediateDirectories: false)
        let payload = try Self.payload(mebibytes: 256, in: work)
        let length = Self.head.utf8.count + (256 << 20) + Self.tail.utf8.count
        let run = try Self.run(
            body: "{ printf '%s' \"$HEAD\"; cat \(payload); printf '%s' \"$TAIL\"; }",
            contentType: "multipart/form-data; boundary=BOUND", contentLength: length,
            ["HEAD": Self.head, "TAIL": Self.tail, "TMPDIR": spool, "UPLOAD_MOVE_DIR": moved])
        #expect(run.status == 0)
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        #expect(lines.first?.hasPrefix("file big big.bin \(256 << 20) \(spool)/cgi-upload-") == true, "\(lines)")
        #expect(lines.last == "text after ok")
        let compare = try runProcess("/usr/bin/cmp", [payload, moved + "/0"])
        #expect(compare.termination == .exited(0), "the upload differs from what was sent: \(compare.output)")
        #expect(try MultipartHarness.contents(of: spool).isEmpty)
    }

    @Test func exitWhileHoldingUploadsRemovesTheirTemporaryFiles() throws {
        let spool = try scratch.newFolder()
        let run = try Self.run(
            body: "{ printf '%s' \"$HEAD\"; \(Self.xs(300_000)); printf '%s' \"$TAIL\"; }",
            contentType: "multipart/form-data; boundary=BOUND",
            contentLength: Self.head.utf8.count + 300_000 + Self.tail.utf8.count,
            ["HEAD": Self.head, "TAIL": Self.tail, "TMPDIR": spool, "UPLOAD_EXIT_EARLY": "1"])
        #expect(run.status == 0)
        #expect(run.stdout.hasPrefix("file big big.bin 300000 \(spool)/cgi-upload-"), "\(run.stdout)")
        #expect(try MultipartHarness.contents(of: spool).isEmpty)
    }

    @Test func truncatedUploadFailsAndLeavesNoFile() throws {
        let spool = try scratch.newFolder()
        let run = try Self.run(
            body: "{ printf '%s' \"$HEAD\"; \(Self.xs(300_000)); }", contentType: "multipart/form-data; boundary=BOUND",
            contentLength: Self.head.utf8.count + 300_100, ["HEAD": Self.head, "TMPDIR": spool])
        #expect(run.status == 2)
        #expect(run.stdout == "error truncated\n")
        #expect(try MultipartHarness.contents(of: spool).isEmpty)
    }
}
