import Foundation
import TestSupport
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
    func run(
        query: String, method: String = "GET", body: String = "", _ extra: [String: String] = [:]
    ) throws
        -> Output
    {
        let environment = [
            "GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": method, "QUERY_STRING": query,
            "SCRIPT_NAME": "/cgi-bin/\(name)", "SERVER_NAME": "localhost", "SERVER_PORT": "8080",
            "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
        ].merging(extra) { $1 }
        let result = try runProcess(
            productsDirectory.appendingPathComponent(name).path, environment: environment, input: Data(body.utf8))
        switch result.termination {
        case .exited(let code): return Output(stdout: result.output, stderr: result.errors, status: code, signaled: false)
        case .signaled(let signal): return Output(stdout: result.output, stderr: result.errors, status: signal, signaled: true)
        }
    }
}

/// A temporary report folder, removed when the test that made it ends.
struct ReportFolder {
    private let directory: TemporaryDirectory
    /// The folder's path.
    var path: String { directory.path }

    /// Creates an empty folder.
    init() throws {
        directory = try TemporaryDirectory(prefix: "reports")
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
}
