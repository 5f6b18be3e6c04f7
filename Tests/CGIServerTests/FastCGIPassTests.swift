import Foundation
import TestSupport
import Testing

/// Debian's PHP-FPM (8.2) behind `cgi-server --fastcgi-pass .php=unix:…`, started as root with a
/// generated configuration (`-F -R -y`): forms, a 10 MiB upload, redirects, statuses, streaming,
/// PHP's log lines in the server's error log, a timeout, recycled workers, and a backend that is down.
@Suite(
    "FastCGI pass to PHP-FPM", .serialized,
    .enabled(if: PHPFPM.binary != nil, "php-fpm is not installed (apt-get install php-fpm)"))
struct FastCGIPassTests {
    let fpm: PHPFPM
    let server: TestServer

    init() throws {
        fpm = try PHPFPM()
        server = try Self.server(passingTo: fpm.socket)
    }

    /// A server passing `.php` files to `socket`, with the fixture as htdocs/app.php.
    static func server(passingTo socket: String, options: [String] = []) throws -> TestServer {
        let site = try TestSite()
        try FileManager.default.copyItem(
            at: PHPFPM.fixtures.appending(path: "app.php"), to: site.htdocs.appending(path: "app.php"))
        try site.file("htdocs/elsewhere.html", "<p>elsewhere</p>\n")
        return try TestServer(
            site: site,
            options: ["--fastcgi-pass", ".php=unix:\(socket)", "--max-body", "\(64 << 20)", "--threads", "2"] + options)
    }

    /// The JSON the fixture answers `describe` with.
    static func json(_ result: HTTPResult) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: result.body) as? [String: Any], "\(result.text)")
    }

    @Test func getWithAQueryHasTheMetaVariablesNginxSets() throws {
        let result = try curl(["-H", "X-Probe: yes", server.url("/app.php?a=1&b=two%20words")])
        #expect(result.status == 200)
        #expect(result.header("Content-Type") == "application/json")
        let json = try Self.json(result)
        let variables = try #require(json["server"] as? [String: Any])
        let htdocs = try #require(variables["DOCUMENT_ROOT"] as? String)
        #expect(variables["SCRIPT_FILENAME"] as? String == htdocs + "/app.php")
        #expect(FileManager.default.fileExists(atPath: htdocs + "/app.php"))
        #expect(variables["SCRIPT_NAME"] as? String == "/app.php")
        #expect(variables["REQUEST_URI"] as? String == "/app.php?a=1&b=two%20words")
        #expect(variables["QUERY_STRING"] as? String == "a=1&b=two%20words")
        #expect(variables["REQUEST_METHOD"] as? String == "GET")
        #expect(variables["GATEWAY_INTERFACE"] as? String == "CGI/1.1")
        #expect(variables["HTTP_X_PROBE"] as? String == "yes")
        #expect(variables["REMOTE_ADDR"] as? String == "127.0.0.1")
        #expect(json["get"] as? [String: String] == ["a": "1", "b": "two words"])
    }

    @Test func postedFormReachesPHP() throws {
        let result = try curl(["--data-urlencode", "name=Ada Lovelace", "-d", "city=London", server.url("/app.php")])
        let json = try Self.json(result)
        #expect(json["post"] as? [String: String] == ["name": "Ada Lovelace", "city": "London"])
        let variables = try #require(json["server"] as? [String: Any])
        #expect(variables["REQUEST_METHOD"] as? String == "POST")
        #expect(variables["CONTENT_TYPE"] as? String == "application/x-www-form-urlencoded")
    }

    @Test(arguments: [false, true])
    func tenMebibyteUploadStreamsThroughStdin(chunked: Bool) throws {
        let folder = try TemporaryDirectory(prefix: "fastcgi-upload")
        var generator = SeededGenerator(seed: 14)
        let block = Data((0..<(64 << 10)).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let body = Data((0..<160).flatMap { index in block.map { $0 &+ UInt8(truncatingIfNeeded: index) } })
        let file = folder.appending("body")
        try body.write(to: URL(fileURLWithPath: file))
        let result = try curl(
            ["-H", "Content-Type: application/octet-stream", "--data-binary", "@\(file)"]
                + (chunked ? ["-H", "Transfer-Encoding: chunked"] : []) + [server.url("/app.php?do=upload")], timeout: 60)
        #expect(result.status == 200)
        let sha1 = try runProcess("/usr/bin/sha1sum", [file]).output.split(separator: " ").first.map(String.init)
        #expect(result.text == "\(body.count) \(sha1 ?? "?")\n")
    }

    @Test func locationIsARedirect() throws {
        let result = try curl([server.url("/app.php?do=redirect")])
        #expect(result.status == 302)
        #expect(result.header("Location") == "/elsewhere.html")
    }

    @Test func statusHeaderSetsTheStatus() throws {
        let result = try curl([server.url("/app.php?do=notfound")])
        #expect(result.status == 404)
        #expect(result.text == "no such thing\n")
        #expect(result.header("Status") == nil)
    }

    @Test func outputStreamsToTheClientAsItArrives() throws {
        let folder = try TemporaryDirectory(prefix: "fastcgi-stream")
        let marker = folder.appending("seen")
        let client = try TestClient(port: server.port)
        #expect(client.send("GET /app.php?do=stream&marker=\(marker) HTTP/1.1\r\nHost: x\r\n\r\n"))
        let first = client.read(until: "first\n", within: 8)
        #expect(first.contains("first\n") && !first.contains("second"))
        #expect(FileManager.default.createFile(atPath: marker, contents: Data()))
        let rest = client.read(until: "second\n", within: 10)
        #expect(rest.contains("second\n"))
    }

    @Test func phpLogLinesGoToTheErrorLogTaggedWithRequestAndScript() throws {
        let id = UUID().uuidString
        let result = try curl([server.url("/app.php?do=log&id=\(id)")])
        #expect(result.text == "logged\n")
        #expect(eventually(within: 10) { server.errorText.contains("fixture-log-line \(id)") })
        let line = server.errorText.split(separator: "\n").first { $0.contains("fixture-log-line \(id)") } ?? ""
        #expect(line.contains("script=/app.php"), "\(line)")
        #expect(line.contains("request="), "\(line)")
    }

    @Test func otherFilesAndMissingScriptsAreNotPassed() throws {
        #expect(try curl([server.url("/elsewhere.html")]).text == "<p>elsewhere</p>\n")
        #expect(try curl([server.url("/missing.php")]).status == 404)
    }

    @Test func silentApplicationGets504() throws {
        let result = try curl([server.url("/app.php?do=sleep&seconds=6")], timeout: 20)
        #expect(result.status == 504)
        // The next requests are served while PHP-FPM finishes the aborted one.
        #expect(try curl([server.url("/app.php?a=after")]).status == 200)
    }

    @Test func keptConnectionsAreReused() throws {
        // PHP-FPM's ends of the connections, seen after each request: kept ones stay open and are
        // seen again; without reuse, each request's connection would be closed by the time it is looked for.
        var seen = Set<String>()
        for index in 0..<20 {
            #expect(try curl([server.url("/app.php?n=\(index)")]).status == 200)
            let open = fpm.acceptedConnections()
            #expect(!open.isEmpty, "no connection kept after request \(index)")
            seen.formUnion(open)
        }
        #expect(!seen.isEmpty && seen.count <= 4, "PHP-FPM saw \(seen.count) connections for 20 requests")
    }

    @Test func badPassesAreRefusedAtStart() throws {
        for pass in ["php", ".php=nowhere", ".php=unix:relative.sock", ".php=127.0.0.1:0", "=127.0.0.1:9000"] {
            let result = try runProcess(TestServer.binary.path, ["--fastcgi-pass", pass, "--port", "0"], within: 30)
            #expect(result.exitStatus != 0, "\(pass)")
            #expect(result.errors.contains("--fastcgi-pass"), "\(pass): \(result.errors)")
        }
    }

    @Test func applicationDownIs502WithALogLine() throws {
        let server = try Self.server(passingTo: fpm.folder.appending("nobody-listens.sock"))
        let result = try curl([server.url("/app.php")])
        #expect(result.status == 502)
        #expect(eventually(within: 5) { server.errorText.contains("cannot connect to the FastCGI application at unix:") })
        #expect(server.errorText.contains("nobody-listens.sock"))
    }

    @Test func recycledWorkersUnderKeptConnectionsGiveNo502() throws {
        let recycling = try PHPFPM(maxRequests: 2)
        let server = try Self.server(passingTo: recycling.socket)
        var statuses: [Int] = []
        var pids = Set<Int>()
        for index in 0..<12 {
            let result = try curl([server.url("/app.php?n=\(index)")])
            statuses.append(result.status)
            if let pid = (try? Self.json(result))?["pid"] as? Int { pids.insert(pid) }
        }
        #expect(statuses == Array(repeating: 200, count: 12))
        #expect(pids.count >= 3, "workers were recycled: \(pids)")
    }
}

/// PHP-FPM in the foreground, as root, with a pool on a Unix socket in a temporary folder; the
/// process group is killed when the object goes away.
final class PHPFPM {
    /// The php-fpm executable: `php-fpm` or Debian's versioned `php-fpm8.2`.
    static let binary: String? = {
        let candidates =
            ["/usr/sbin/php-fpm"]
            + ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/sbin")) ?? []).filter { $0.hasPrefix("php-fpm") }
            .sorted().map { "/usr/sbin/" + $0 }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// The PHP fixtures.
    static let fixtures = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appending(path: "Fixtures/php")

    let folder: TemporaryDirectory
    let process: ChildProcess
    var socket: String { folder.appending("php.sock") }

    /// The inodes of the connections PHP-FPM has accepted and not closed (from /proc/net/unix,
    /// where they carry the socket's path; the listening socket is left out).
    func acceptedConnections() -> Set<String> {
        // Read to the end: the kernel hands the table out a page at a time.
        let data = FileHandle(forReadingAtPath: "/proc/net/unix")?.readDataToEndOfFile() ?? Data()
        let table = String(decoding: data, as: UTF8.self)
        let listening = "00010000"
        return Set(
            table.split(separator: "\n").compactMap { line in
                let fields = line.split(separator: " ")
                guard fields.count == 8, fields[7] == socket, fields[3] != listening else { return nil }
                return String(fields[6])
            })
    }

    /// Starts a static pool of 4 workers, each recycled after `maxRequests` requests (0: never).
    init(maxRequests: Int = 0) throws {
        folder = try TemporaryDirectory(prefix: "php-fpm")
        let configuration = """
            [global]
            error_log = \(folder.appending("fpm.log"))
            daemonize = no

            [app]
            user = root
            group = root
            listen = \(folder.appending("php.sock"))
            pm = static
            pm.max_children = 4
            pm.max_requests = \(maxRequests)
            catch_workers_output = yes
            php_admin_value[post_max_size] = 64M
            php_admin_value[output_buffering] = 0
            php_admin_flag[log_errors] = on
            php_admin_flag[display_errors] = off
            """
        let path = folder.appending("php-fpm.conf")
        try configuration.write(toFile: path, atomically: true, encoding: .utf8)
        process = try ChildProcess(try #require(Self.binary), ["-F", "-R", "-y", path])
        let socket = folder.appending("php.sock")
        guard eventually(within: 20, { FileManager.default.fileExists(atPath: socket) }) else {
            throw TestFailure("php-fpm did not start: \(String(decoding: process.standardError, as: UTF8.self))")
        }
    }
}
