import Foundation
import TestSupport
import Testing

/// The `cgi` executable built next to this test bundle.
let cgiTool = productsDirectory.appendingPathComponent("cgi")

let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures").path

/// What one `cgi run` printed and how it exited.
struct Run {
    let status: Int32
    let output: String
    let errors: String
}

/// Runs `cgi run ARGUMENTS` (no shell) with an environment that holds a secret the script must not see.
func cgiRun(_ arguments: [String], input: Data = Data(), environment: [String: String] = [:]) throws -> Run {
    let result = try runProcess(
        cgiTool.path, ["run"] + arguments,
        environment: ["PATH": "/usr/bin:/bin", "SERVER_SECRET": "s3cr3t"].merging(environment) { $1 }, input: input, within: 600)
    return Run(status: result.exitStatus, output: result.output, errors: result.errors)
}

func probe(_ query: String) -> [String] {
    [fixtures + "/probe.py", "--query", query]
}

func raw(_ output: String) -> [String] {
    probe("raw=" + base64URL(output))
}

/// The SHA-256 of `data` in hex, from coreutils' sha256sum.
func sha256(_ data: Data) throws -> String {
    String(try runProcess("/usr/bin/sha256sum", input: data).output.prefix(64))
}

@Suite struct RunCommandTests {
    /// The test's scratch folder, removed when the test ends.
    let scratch: TemporaryDirectory

    init() throws {
        scratch = try TemporaryDirectory(prefix: "cgi-run-tests")
    }

    /// Writes `contents` to a file `name` in a fresh folder of the test's own; its path.
    func temporaryFile(_ contents: Data, name: String) throws -> String {
        let file = try scratch.newFolder() + "/" + name
        try contents.write(to: URL(fileURLWithPath: file))
        return file
    }

    /// A header value given with bytes that are not UTF-8 reaches the script as given, as it
    /// does through cgi-server (the arguments are bytes, so python3 starts `cgi`, without a shell).
    @Test func headerBytesThatAreNotUTF8ReachTheScriptAsGiven() throws {
        let start = """
            import os, sys
            tool, script = sys.argv[1].encode(), sys.argv[2].encode()
            os.execv(tool, [tool, b"run", script, b"--query", b"envhex=HTTP_X_TEST", b"-H", b"X-Test: caf\\xe9",
                            b"--header=X-Test: \\xff\\xfe", b"-H", b"X-Test: \\xc3\\xa9t\\xc3\\xa9"])
            """
        let result = try runProcess(
            "/usr/bin/python3", ["-c", start, cgiTool.path, fixtures + "/probe.py"], environment: ["PATH": "/usr/bin:/bin"],
            within: 600)
        #expect(result.exitStatus == 0, "\(result.errors)")
        #expect(result.output.hasSuffix("\r\n\r\n636166e92c20fffe2c20c3a974c3a9"))
    }

    @Test func printsAValidResponseAsTheServerWould() throws {
        let run = try cgiRun(probe("env=REQUEST_METHOD"))
        #expect(run.status == 0)
        #expect(run.output.hasPrefix("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Test-Header: X-Test-Value\r\n"))
        #expect(run.output.hasSuffix("Content-Length: 3\r\n\r\nGET"))
        #expect(run.errors.isEmpty)
    }

    @Test func buildsTheEnvironmentLikeTheServer() throws {
        let run = try cgiRun([
            fixtures + "/probe.py", "--query", "x=1", "--path-info", "/a b/c", "-H", "X-Custom: v",
            "-H", "Proxy: http://evil.test", "-H", "Authorization: Basic dTpw", "-b", "c=1", "-b", "d=2",
            "--env", "FOO=bar",
        ])
        #expect(run.status == 0)
        let lines = Set((run.output.components(separatedBy: "\r\n\r\n").last ?? "").split(separator: "\n").map(String.init))
        for expected in [
            "env-GATEWAY_INTERFACE=CGI/1.1", "env-REQUEST_METHOD=GET", "env-QUERY_STRING=x=1", "env-PATH_INFO=/a b/c",
            "env-SCRIPT_NAME=/cgi-bin/probe.py", "env-SCRIPT_FILENAME=\(fixtures)/probe.py",
            "env-REQUEST_URI=/cgi-bin/probe.py/a%20b/c?x=1", "env-SERVER_NAME=localhost", "env-SERVER_PORT=8080",
            "env-REMOTE_ADDR=127.0.0.1", "env-HTTP_HOST=localhost:8080", "env-HTTP_X_CUSTOM=v", "env-HTTP_COOKIE=c=1; d=2",
            "env-FOO=bar", "env-PATH=/usr/local/bin:/usr/bin:/bin", "cwd=\(fixtures)", "argc=1",
        ] {
            #expect(lines.contains(expected), "\(expected)")
        }
        #expect(!run.output.contains("HTTP_PROXY"))
        #expect(!run.output.contains("HTTP_AUTHORIZATION"))
        #expect(!run.output.contains("SERVER_SECRET"))
        #expect(!run.output.contains("CONTENT_LENGTH"))
        let passed = try cgiRun(probe("env=SERVER_SECRET") + ["--pass-env", "SERVER_SECRET"])
        #expect(passed.output.hasSuffix("\r\n\r\ns3cr3t"))
    }

    /// A site folder with `htdocs/` and `cgi-bin/sub/probe.py`; returns the site's real path.
    func makeSite() throws -> String {
        let site = URL(fileURLWithPath: try scratch.newFolder())
        let manager = FileManager.default
        try manager.createDirectory(at: site.appendingPathComponent("htdocs"), withIntermediateDirectories: true)
        try manager.createDirectory(at: site.appendingPathComponent("cgi-bin/sub"), withIntermediateDirectories: true)
        try manager.copyItem(atPath: fixtures + "/probe.py", toPath: site.appendingPathComponent("cgi-bin/sub/probe.py").path)
        return site.resolvingSymlinksInPath().path
    }

    @Test func findsTheDocumentRootOfASite() throws {
        let site = try makeSite()
        let run = try cgiRun([site + "/cgi-bin/sub/probe.py", "--path-info", "/x/y"])
        let lines = Set((run.output.components(separatedBy: "\r\n\r\n").last ?? "").split(separator: "\n").map(String.init))
        #expect(lines.contains("env-DOCUMENT_ROOT=\(site)/htdocs"))
        #expect(lines.contains("env-PATH_TRANSLATED=\(site)/htdocs/x/y"))
        #expect(lines.contains("env-SCRIPT_NAME=/cgi-bin/sub/probe.py"))
        let plain = try cgiRun(probe(""))
        #expect(!plain.output.contains("DOCUMENT_ROOT"))
    }

    @Test(arguments: [
        (
            "Content-Type: text/plain\r\nGARBAGE\r\n\r\nbody",
            "cgi-server would answer 502: malformed header line 2: no colon: \"GARBAGE\""
        ),
        ("Content-Length: 6\n\nbody\n", "cgi-server would answer 500: script's response has no Content-Type or Location"),
        ("\nbody", "cgi-server would answer 500: script's response starts with a blank line: no header fields"),
        (
            "Status: abc\nContent-Type: a/b\n\nbody",
            "cgi-server would answer 502: script's Status is not a code 200-599 with a reason: \"abc\""
        ),
        ("Content-Type: text/plain\nX-A: a\rb\n\nbody", "502: malformed header line 2: the value contains a control character"),
        (
            "Content-Type: text/plain\nTransfer-Encoding: chunked\n\nbody",
            "502: script's response has Transfer-Encoding \"chunked\""
        ),
        (
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nbody",
            "502: malformed header line 1: no colon: \"HTTP/1.1 200 OK\""
        ),
        ("Content-Type: text/plain\n", "502: script's output ended before the blank line that ends the header"),
        ("", "502: script wrote no output"),
    ])
    func rejectsInvalidResponses(output: String, message: String) throws {
        let run = try cgiRun(raw(output))
        #expect(run.status == 1)
        #expect(run.errors.contains("cgi run: invalid response, "))
        #expect(run.errors.contains(message), "\(run.errors)")
        #expect(!run.output.contains("body"))
    }

    @Test func sendsTheScriptsStatusAndLengthWithoutUntrustedHeaders() throws {
        let run = try cgiRun(
            raw("Status: 404 Not Found\nContent-Type: text/plain\nContent-Length: 8\nConnection: close\n\nsend404\n"))
        #expect(run.status == 0)
        #expect(run.output == "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 8\r\n\r\nsend404\n")
        #expect(!run.errors.contains("Content-Length"))
        #expect(run.errors.contains("dropped the script's Connection header"))
    }

    @Test func aBodyShorterThanItsContentLengthIsIncomplete() throws {
        let run = try cgiRun(raw("Content-Type: text/plain\nContent-Length: 100\n\nsend404\n"))
        #expect(run.status == 1)
        #expect(run.output == "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\nsend404\n")
        #expect(
            run.errors.contains(
                "cgi-server would break the connection after the response began: script's output ended 92 bytes short of its Content-Length"
            ))
    }

    @Test func redirectsWithoutTheScriptsBody() throws {
        let client = try cgiRun(raw("Location: http://x.test/\n\nIGNORED"))
        #expect(client.status == 0)
        #expect(client.output == "HTTP/1.1 302 Found\r\nLocation: http://x.test/\r\nContent-Length: 0\r\n\r\n")
        let local = try cgiRun(raw("Location: /cgi-bin/other?x=1\n\n"))
        #expect(local.status == 0)
        #expect(local.output.isEmpty)
        #expect(local.errors.contains("local redirect to /cgi-bin/other?x=1"))
    }

    @Test func passesNonParsedHeaderOutputThrough() throws {
        let script = try temporaryFile(try Data(contentsOf: URL(fileURLWithPath: fixtures + "/probe.py")), name: "nph-probe.py")
        chmod(script, 0o755)
        let output = "HTTP/1.0 299 Raw\r\nX: y\r\n\r\nraw"
        let run = try cgiRun([script] + Array(raw(output).dropFirst()))
        #expect(run.status == 0)
        #expect(run.output == output)
        #expect(run.errors.contains("nph- script"))
    }

    @Test func compilesAndRunsSwiftScripts() throws {
        // swiftc leaves a folder in TMPDIR when it links a static executable: it goes with the scratch folder.
        let compiler = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "XDG_CACHE_HOME": scratch.appending("cache"), "TMPDIR": try scratch.newFolder(),
        ]
        let script = try temporaryFile(
            Data(
                """
                import CGI
                print("Content-Type: text/plain\\n\\nswift \\(try Request().method)", terminator: "")
                """.utf8), name: "hello.swift")
        let run = try cgiRun([script, "-X", "PUT"], environment: compiler)
        #expect(run.status == 0, "\(run.errors)")
        #expect(run.output == "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 9\r\n\r\nswift PUT")
        let broken = try temporaryFile(Data("let x: Int = \"no\"\n".utf8), name: "broken.swift")
        let failed = try cgiRun([broken], environment: compiler)
        #expect(failed.status == 1)
        #expect(failed.errors.hasPrefix("cgi run: cgi-server would answer 500: \(broken) does not compile:"))
        #expect(failed.errors.contains("cannot convert value of type 'String' to specified type 'Int'"))
    }

    @Test func followsLocalRedirectsToScriptsLikeTheServer() throws {
        let site = try makeSite()
        let target = "Location: /cgi-bin/sub/probe.py/extra?env=REQUEST_METHOD\n\n"
        let run = try cgiRun([site + "/cgi-bin/sub/probe.py", "-d", "a=1"] + Array(raw(target).dropFirst()))
        #expect(run.status == 0, "\(run.errors)")
        #expect(run.output.hasSuffix("Content-Length: 3\r\n\r\nGET"))
        #expect(
            run.errors.contains(
                "local redirect to /cgi-bin/sub/probe.py/extra?env=REQUEST_METHOD: running /cgi-bin/sub/probe.py with GET"))

        try "#!/bin/sh\nprintf 'Location: /cgi-bin/loop.sh\\n\\n'\n".write(
            toFile: site + "/cgi-bin/loop.sh", atomically: true, encoding: .utf8)
        chmod(site + "/cgi-bin/loop.sh", 0o755)
        let loop = try cgiRun([site + "/cgi-bin/loop.sh"])
        #expect(loop.status == 1)
        #expect(loop.errors.contains("cgi-server would answer 500: more than 10 local redirects"))

        let page = try cgiRun([site + "/cgi-bin/sub/probe.py"] + Array(raw("Location: /index.html\n\n").dropFirst()))
        #expect(page.status == 0)
        #expect(page.output.isEmpty)
        #expect(page.errors.contains("local redirect to /index.html: cgi-server would serve that path as a new GET request"))
    }

    @Test func marksTheScriptsStandardError() throws {
        let run = try cgiRun(probe("env=X&stderr=5&exit=3"))
        #expect(run.output.hasSuffix("\r\n\r\n[X not found]\n--- stderr ---\nxxxxx"))
        // Exiting with 3 after its response began leaves that response incomplete.
        #expect(run.status == 1)
        #expect(run.errors.contains("script ended with exit code 3 after its response began"))
    }

    @Test func stopsASilentScript() throws {
        let started = Date()
        let run = try cgiRun(probe("sleep_before=300") + ["--timeout", "0.5"])
        #expect(run.status == 1)
        #expect(run.errors.contains("wrote nothing for 0.5 seconds and was stopped; cgi-server would answer 504"))
        // The timeout firing is the behaviour: after its 0.5 s, not the script's 300 s.
        #expect(Date().timeIntervalSince(started) < 120)
    }

    @Test func headShowsNoBody() throws {
        let run = try cgiRun(probe("env=REQUEST_METHOD") + ["-X", "HEAD"])
        #expect(run.status == 0)
        #expect(run.output.hasSuffix("\r\n\r\n"))
    }

    @Test func uploadsFilesIntact() throws {
        let binary = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) })
        let file = try temporaryFile(binary, name: "data.bin")
        let text = Data("hello\r\n--not-a-boundary\r\n".utf8)
        let textFile = try temporaryFile(text, name: "note.txt")
        let run = try cgiRun([
            fixtures + "/form.py", "-F", "title=Hello world", "-F", "upload=@\(file);type=application/x-test",
            "-F", "note=@\(textFile)",
        ])
        #expect(run.status == 0, "\(run.errors)")
        let body = run.output.components(separatedBy: "\r\n\r\n").last ?? ""
        #expect(
            body == """
                name=title value=Hello world
                name=upload filename=data.bin type=application/x-test size=300000 sha256=\(try sha256(binary))
                name=note filename=note.txt type=text/plain size=\(text.count) sha256=\(try sha256(text))

                """)
    }

    /// The parts as curl 7.88 sends them for the same options (checked against its requests).
    @Test func readsCurlsTypeAndFilenameParametersAsCurlDoes() throws {
        let file = try temporaryFile(Data("png bytes".utf8), name: "a.png")
        let run = try cgiRun([
            fixtures + "/form.py", "-F", "f=@\(file);filename=../x.png", "-F", "g=@\(file);type=image/x-test;filename=x.png",
            "-F", "h=@\"\(file)\";filename=\"semi;colon.txt\";type=image/png", "-F", "i=@\(file);filename=y.bin",
            "-F", "j=@\(file);filename=Z.JPG", "-F", "k=@\(file);filename=",
        ])
        #expect(run.status == 0, "\(run.errors)")
        let digest = try sha256(Data("png bytes".utf8))
        #expect(
            run.output.components(separatedBy: "\r\n\r\n").last == """
                name=f filename=../x.png type=image/png size=9 sha256=\(digest)
                name=g filename=x.png type=image/x-test size=9 sha256=\(digest)
                name=h filename=semi;colon.txt type=image/png size=9 sha256=\(digest)
                name=i filename=y.bin type=image/png size=9 sha256=\(digest)
                name=j filename=Z.JPG type=image/jpeg size=9 sha256=\(digest)
                name=k filename= type=image/png size=9 sha256=\(digest)

                """)
    }

    @Test func postsUrlencodedDataIntact() throws {
        let big = String(repeating: "Zz9", count: 100_000)
        let file = try temporaryFile(Data("c=3&big=\(big)".utf8), name: "form.txt")
        let run = try cgiRun([fixtures + "/form.py", "-d", "a=1&b=x%20y", "-d", "@\(file)", "--query", "q=0"])
        #expect(run.status == 0, "\(run.errors)")
        let body = run.output.components(separatedBy: "\r\n\r\n").last ?? ""
        #expect(
            body == """
                name=a value=1
                name=b value=x y
                name=c value=3
                name=big size=300000 sha256=\(try sha256(Data(big.utf8)))
                name=q value=0

                """)
        let piped = try cgiRun([fixtures + "/form.py", "-d", "@-", "-d", "z=9"], input: Data("p=1&q=2".utf8))
        #expect(piped.output.hasSuffix("\r\n\r\nname=p value=1\nname=q value=2\nname=z value=9\n"))
        let method = try cgiRun(probe("env=REQUEST_METHOD") + ["-d", "a=1"])
        #expect(method.output.hasSuffix("\r\n\r\nPOST"))
        let put = try cgiRun(probe("echo=1") + ["-X", "PUT", "-d", "data"])
        #expect(put.output.hasSuffix("\r\n\r\nlen=4\ndata"))
    }

    @Test(arguments: [
        (["/no/such/script.py"], "no such script: /no/such/script.py"),
        (["/tmp"], "not a script file: /tmp"),
        (["NOEXEC"], "script is not executable"),
        (["PROBE", "-d", "a=1", "-F", "b=2"], "-d and -F cannot be combined"),
        (["PROBE", "-H", "No colon"], "-H wants 'Name: value', got 'No colon'"),
        (["PROBE", "-H", "Bad Name: x"], "-H wants 'Name: value'"),
        (["PROBE", "-F", "novalue"], "-F wants name=value or name=@file[;type=mime][;filename=name], got 'novalue'"),
        (["PROBE", "-F", "f=@/etc/hostname;size=3"], "got 'f=@/etc/hostname;size=3'"),
        (["PROBE", "-F", "f=@\"/etc/hostname"], "-F wants name=value"),
        (["PROBE", "-F", "f=@/no/such/file"], "cannot read /no/such/file: No such file or directory"),
        (["PROBE", "-d", "@/no/such/file"], "cannot read /no/such/file"),
        (["PROBE", "--env", "=x"], "--env wants NAME=VALUE, got '=x'"),
        (["PROBE", "--path-info", "x"], "--path-info must be empty or start with /, got 'x'"),
        (["PROBE", "--bogus"], "Unknown option '--bogus'"),
        (["PROBE", "--timeout", "soon"], "--timeout"),
        (["PROBE", "--timeout", "0"], "--timeout must be a positive number of seconds, got 0.0"),
        ([], "Missing expected argument"),
    ])
    func refusesBadOptions(arguments: [String], message: String) throws {
        let folder = try temporaryFile(Data("#!/bin/sh\n".utf8), name: "noexec.sh")
        let replaced = arguments.map { $0 == "PROBE" ? fixtures + "/probe.py" : $0 == "NOEXEC" ? folder : $0 }
        let run = try cgiRun(replaced)
        #expect(run.status == 2)
        #expect(run.errors.contains(message), "\(run.errors)")
        #expect(run.output.isEmpty)
    }
}
