import Foundation
import Testing

/// A fixture executable (built next to the test bundle) run as a CGI script in a real
/// process, with a clean CGI environment.
struct FixtureScript {
    /// What one run produced.
    struct Output {
        /// Everything written to standard output.
        var stdout: String
        /// Everything written to standard error.
        var stderr: String
        /// The exit status, or the signal number when ``signaled``.
        var status: Int32
        /// Whether the process ended by a signal.
        var signaled: Bool

        /// The CGI response head (before the first blank line).
        var head: String {
            stdout.components(separatedBy: "\r\n\r\n").first ?? ""
        }

        /// The CGI response body (after the first blank line).
        var body: String {
            stdout.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n")
        }

        /// The report reference the page quotes.
        var reference: String? {
            guard let range = stdout.range(of: #"\d{8}-\d{6}-\d+-[0-9a-f]{6}"#, options: .regularExpression)
            else { return nil }
            return String(stdout[range])
        }
    }

    /// The fixture's product name.
    var name: String

    /// The number of the first line of the fixture's source that contains `text`.
    func line(of text: String, testFile: String = #filePath) throws -> Int {
        let source = URL(fileURLWithPath: testFile).deletingLastPathComponent()
            .appendingPathComponent("../Fixtures/\(name)/main.swift")
        let lines = try String(contentsOf: source, encoding: .utf8).components(separatedBy: "\n")
        return try #require(lines.firstIndex { $0.contains(text) }) + 1
    }

    /// Runs the fixture with the query string `query`, `body` on standard input, standard CGI
    /// variables and `extra`.
    func run(query: String, method: String = "GET", body: String = "", _ extra: [String: String] = [:]) throws
        -> Output
    {
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let process = Process()
        process.executableURL = directory.appendingPathComponent(name)
        process.environment = [
            "GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": method, "QUERY_STRING": query,
            "SCRIPT_NAME": "/cgi-bin/\(name)", "SERVER_NAME": "localhost", "SERVER_PORT": "8080",
            "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
        ].merging(extra) { $1 }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let input = scratch.appendingPathComponent("in")
        try Data(body.utf8).write(to: input)
        let out = scratch.appendingPathComponent("out")
        let err = scratch.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardInput = try FileHandle(forReadingFrom: input)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        process.waitUntilExit()
        return Output(
            stdout: try String(contentsOf: out, encoding: .utf8), stderr: try String(contentsOf: err, encoding: .utf8),
            status: process.terminationStatus, signaled: process.terminationReason == .uncaughtSignal)
    }
}

/// A temporary report folder, removed by ``remove()``.
struct ReportFolder {
    /// The folder's path.
    let path: String

    /// Creates an empty folder.
    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("reports-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    }

    /// The names of the files in the folder.
    func files() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: path).sorted()
    }

    /// The content of the report `name`.
    func report(_ name: String) throws -> String {
        try String(contentsOfFile: path + "/" + name, encoding: .utf8)
    }

    /// The permission bits of the file `name`.
    func permissions(_ name: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path + "/" + name)[.posixPermissions] as? Int) ?? -1
    }

    /// Deletes the folder and its content.
    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
