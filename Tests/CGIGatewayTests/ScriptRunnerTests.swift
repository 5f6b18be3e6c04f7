import Foundation
import Glibc
import TestSupport
import Testing

@testable import CGIGateway

@Suite struct ScriptRunnerTests {
    /// The test's folder: scripts run in it, and whatever still runs there when the test ends is killed.
    let folder: TemporaryDirectory

    init() throws {
        folder = try TemporaryDirectory(prefix: "cgi-gateway-tests")
    }

    /// Runs probe.py, installed as `name` in a fresh subfolder of the test's folder.
    func run(
        _ query: String, body: [UInt8] = [], environment: [String: String] = [:],
        runner: ScriptRunner = .init(idleTimeout: .seconds(10)),
        name: String = "probe.py"
    ) throws -> ScriptResult {
        let subfolder = folder.appending(UUID().uuidString)
        try FileManager.default.createDirectory(atPath: subfolder, withIntermediateDirectories: false)
        let script = try installFixture("probe.py", in: subfolder, as: name)
        let location = ScriptLocation(scriptPath: script, scriptName: "/cgi-bin/" + name)
        return try runner.run(
            location, environment: environment.merging(["QUERY_STRING": query]) { $1 }.mapValues { Array($0.utf8) }, body: body)
    }

    @Test func collectsHeadBodyAndErrors() throws {
        let result = try run("env=QUERY_STRING&stderr=3&exit=4")
        // Exiting with 4 after the head went out leaves the response incomplete.
        guard case .aborted(let head?, let reason) = result.outcome else { Issue.record("\(result.outcome)"); return }
        #expect(reason == "script ended with exit code 4 after its response began")
        #expect(head.status == 200)
        #expect(head.value(of: "X-Test-Header") == "X-Test-Value")
        #expect(result.body == Array("env=QUERY_STRING&stderr=3&exit=4".utf8))
        #expect(result.standardError == Array("xxx".utf8))
        #expect(result.exitStatus == .exited(4))
    }

    @Test func deliversALargeBodyWhileReadingOutput() throws {
        let body = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let result = try run("echo=1", body: body, environment: ["CONTENT_LENGTH": String(body.count)])
        #expect(result.outcome.isResponse)
        #expect(result.body == Array("len=1048576\n".utf8) + body)
        #expect(result.exitStatus == .exited(0))
    }

    @Test func survivesAScriptThatNeverReadsItsBody() throws {
        let result = try run("big=1048576", body: [UInt8](repeating: 1, count: 1 << 20))
        #expect(result.outcome.isResponse)
        #expect(result.body.count == 1 << 20)
        #expect(result.exitStatus == .exited(0))
    }

    @Test func keepsErrorsUpToTheLimit() throws {
        let whole = try run("stderr=200000")
        #expect(whole.standardError.count == 200_000)
        #expect(whole.outcome.isResponse)
        let cut = try run("stderr=200000", runner: ScriptRunner(maxStandardErrorBytes: 1000))
        #expect(cut.standardError.count == 1000)
        #expect(cut.outcome.isResponse)
    }

    @Test(arguments: [
        (
            "Content-Type: text/plain\r\nGARBAGE\r\n\r\nbody",
            ResponseHeadError.malformedLine(number: 2, reason: "no colon", excerpt: "GARBAGE")
        ),
        ("Content-Length: 6\n\nHello\n", .missingContentType),
        ("Content-Type: text/plain\n", .endOfOutput),
        ("", .noOutput),
    ])
    func reportsInvalidResponses(output: String, error: ResponseHeadError) throws {
        let result = try run("raw=" + base64URL(output))
        #expect(result.outcome == .failed(.invalidResponse(error)))
        #expect(result.body.isEmpty)
    }

    @Test func stopsAScriptWhoseHeadHasNoEnd() throws {
        let result = try run("headers=10000000")
        #expect(result.outcome == .failed(.invalidResponse(.tooManyHeaders(limit: 100))))
        // Stopped as cgi-server stops it: SIGTERM first (the script writing headers dies of it).
        #expect(result.exitStatus == .signaled(SIGTERM))
        #expect(result.wasStopped)
    }

    @Test func dropsTheBodyOfAClientRedirect() throws {
        let result = try run("raw=" + base64URL("Location: http://x.test/\n\nIGNORED"))
        #expect(
            result.outcome
                == .response(
                    ResponseHead(
                        kind: .clientRedirect, status: 302, reason: "Found",
                        headers: [.init(name: "Location", value: "http://x.test/")])))
        #expect(result.body.isEmpty)
    }

    @Test func passesNonParsedHeaderOutputThrough() throws {
        let output = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nok\n"
        let result = try run("raw=" + base64URL(output), name: "nph-probe.py")
        #expect(result.outcome == .nonParsedHeader)
        #expect(result.body == Array(output.utf8))
        let parsed = try run("raw=" + base64URL(output), name: "probe-nph.py")
        #expect(
            parsed.outcome == .failed(.invalidResponse(.malformedLine(number: 1, reason: "no colon", excerpt: "HTTP/1.0 200 OK")))
        )
    }

    @Test(arguments: [
        ("/cgi-bin/nph-x.sh", true), ("/cgi-bin/sub/nph-", true), ("/cgi-bin/nph-dir/x.sh", false), ("/cgi-bin/x-nph-.sh", false),
    ])
    func recognizesNonParsedHeaderScripts(scriptName: String, isNPH: Bool) {
        #expect(ScriptLocation(scriptPath: "/s" + scriptName, scriptName: scriptName).isNonParsedHeader == isNPH)
    }

    @Test func stopsASilentScriptAndItsGroup() throws {
        let started = ContinuousClock.now
        let result = try run("grandchild=1&sleep_before=120", runner: ScriptRunner(idleTimeout: .seconds(2)))
        #expect(result.outcome == .failed(.timedOut))
        #expect(result.exitStatus == .signaled(SIGTERM))
        // The timeout firing is the behaviour: after the 2 s idle limit, not the script's 120 s sleep.
        #expect(ContinuousClock.now - started < .seconds(60))
        let grandchild = try #require(
            pid_t(String(decoding: result.standardError, as: UTF8.self).dropFirst("grandchild=".count).dropLast()))
        #expect(eventually { ProcessSweep.isGone(grandchild) })
    }

    @Test func doesNotWaitForAGrandchildHoldingOutput() throws {
        let started = ContinuousClock.now
        let result = try run("grandchild=1", runner: ScriptRunner(idleTimeout: .seconds(600)))
        #expect(result.outcome.isResponse)
        #expect(result.exitStatus == .exited(0))
        // The grandchild holds the output for 300 s and the idle limit is 600 s: returning well
        // before either means the runner ended at the script's exit.
        #expect(ContinuousClock.now - started < .seconds(120))
        let grandchild = try #require(
            pid_t(String(decoding: result.standardError, as: UTF8.self).dropFirst("grandchild=".count).dropLast()))
        #expect(eventually { ProcessSweep.isGone(grandchild) })
    }

    @Test func reportsAScriptThatCannotStart() {
        let location = ScriptLocation(scriptPath: "/no/such/script", scriptName: "/cgi-bin/script")
        #expect(throws: ScriptSpawnError.spawn(executable: "/no/such/script", errno: ENOENT)) {
            try ScriptRunner().run(location, environment: [:], body: [])
        }
    }
}

extension ScriptResult.Outcome {
    var isResponse: Bool {
        if case .response = self { true } else { false }
    }
}
