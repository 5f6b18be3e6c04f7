import Testing

@testable import CGIGateway

/// The exchange's rules as tables: events in, actions out, no processes.
@Suite struct ScriptExchangeTests {
    /// What happens to a script exchange, in order.
    enum Event: CustomStringConvertible {
        case output(String)
        /// The output ended, the script having exited with status 0.
        case outputEnded
        /// The output ended; the script has not exited yet.
        case outputEndedWhileRunning
        /// The script was reaped (nil: still running after the host's wait).
        case exited(CGIGateway.ExitStatus?)
        case idle(scriptHasExited: Bool)
        case clientGone
        case scriptFailed(ScriptFailure)

        var description: String {
            switch self {
            case .output(let text): "output(\(text.debugDescription))"
            case .outputEnded: "outputEnded"
            case .outputEndedWhileRunning: "outputEndedWhileRunning"
            case .exited(let status): "exited(\(status.map(\.description) ?? "still running"))"
            case .idle(let exited): "idle(exited: \(exited))"
            case .clientGone: "clientGone"
            case .scriptFailed(let failure): "scriptFailed(\(failure))"
            }
        }
    }

    /// Feeds `events` to a new exchange and returns its actions.
    static func actions(
        _ events: [Event], method: String = "GET", nph: Bool = false, redirects: Int = 0
    ) -> [ScriptExchange.Action] {
        var exchange = ScriptExchange(method: method, isNonParsedHeader: nph, redirects: redirects)
        return events.map { event in
            switch event {
            case .output(let text): exchange.outputReceived(Array(text.utf8))
            case .outputEnded: exchange.outputEnded(exitStatus: .exited(0))
            case .outputEndedWhileRunning: exchange.outputEnded(exitStatus: nil)
            case .exited(let status): exchange.processExited(status)
            case .idle(let exited): exchange.idleTimeout(scriptHasExited: exited)
            case .clientGone: exchange.clientGone()
            case .scriptFailed(let failure): exchange.scriptFailed(failure)
            }
        }
    }

    static let html = HeaderField(name: "Content-Type", value: "text/html")
    static func document(_ status: Int = 200, _ reason: String = "OK", _ headers: [HeaderField] = [html]) -> ResponseHead {
        ResponseHead(kind: .document, status: status, reason: reason, headers: headers)
    }

    @Test func documentStreamsItsBodyAndFinishes() {
        #expect(
            Self.actions([.output("Content-Type: text/html\n"), .output("\nhel"), .output("lo"), .outputEnded]) == [
                .wait, .sendHead(Self.document(), bodyStart: 1), .sendBody, .finish(unframed: false),
            ])
    }

    @Test func headEndingExactlyAtTheChunksEndHasNoBodyStart() {
        #expect(
            Self.actions([.output("Content-Type: text/html\r\n\r\n"), .output("x")]) == [
                .sendHead(Self.document(), bodyStart: nil), .sendBody,
            ])
    }

    @Test(arguments: [
        ("HEAD", "Content-Type: text/html\n\nbody"),
        ("GET", "Status: 204 No Content\nContent-Type: text/html\n\nbody"),
        ("GET", "Status: 304 Not Modified\nContent-Type: text/html\n\nbody"),
    ])
    func responsesWithoutABodyDropTheScriptsBody(method: String, output: String) {
        let actions = Self.actions([.output(output), .output("more"), .outputEnded], method: method)
        guard case .sendHead(_, let bodyStart) = actions[0] else { Issue.record("\(actions)"); return }
        #expect(bodyStart == nil)
        #expect(Array(actions.dropFirst()) == [.discard, .finish(unframed: false)])
    }

    @Test func localRedirectIsFollowedUpToTheLimitThenIs500() {
        let redirect = Event.output("Location: /next?a=1\n\n")
        #expect(Self.actions([redirect], redirects: 9) == [.followLocalRedirect("/next?a=1")])
        #expect(Self.actions([redirect, .output("late")], redirects: 10) == [.fail(.tooManyRedirects(limit: 10)), .discard])
        #expect(ScriptFailure.tooManyRedirects(limit: 10).status == 500)
    }

    @Test func clientRedirectGetsTheServersPageAndTheScriptMayFinish() {
        let head = ResponseHead(
            kind: .clientRedirect, status: 302, reason: "Found", headers: [HeaderField(name: "Location", value: "http://a.test/")]
        )
        #expect(
            Self.actions([.output("Location: http://a.test/\n\nignored"), .output("more"), .outputEnded]) == [
                .sendRedirectPage(head), .discard, .wait,
            ])
        // Silent after its page: the client has its response, only the script is stopped.
        #expect(
            Self.actions([.output("Location: http://a.test/\n\n"), .idle(scriptHasExited: false)]) == [
                .sendRedirectPage(head), .stopScript,
            ])
    }

    @Test(arguments: [
        ("Content-Type: text/plain\nGARBAGE\n\n", 502),
        ("Content-Length: 5\n\nhello", 500),
        ("\nbody", 500),
        ("Status: abc\nContent-Type: a/b\n\n", 502),
        ("Content-Type: a/b\nTransfer-Encoding: chunked\n\n", 502),
    ])
    func invalidHeadsFailWithTheirStatus(output: String, status: Int) {
        let actions = Self.actions([.output(output)])
        guard case .fail(let failure) = actions[0] else { Issue.record("\(actions)"); return }
        #expect(failure.status == status)
        #expect(failure.logMessage.hasPrefix("invalid response: "))
    }

    @Test func outputEndingBeforeTheHeadIsComplete() {
        #expect(Self.actions([.outputEnded]) == [.fail(.invalidResponse(.noOutput))])
        #expect(Self.actions([.output("Content-Type: a/b\n"), .outputEnded]) == [.wait, .fail(.invalidResponse(.endOfOutput))])
    }

    @Test func silenceBeforeTheHeadIs504() {
        #expect(Self.actions([.output("Content-Type: a/b\n"), .idle(scriptHasExited: false)]) == [.wait, .fail(.timedOut)])
        #expect(ScriptFailure.timedOut.status == 504)
    }

    @Test func silenceDuringTheBody() {
        let head = Event.output("Content-Type: text/html\n\nbody")
        // A script that exited, with a background child holding its output: the response ends normally.
        #expect(Self.actions([head, .idle(scriptHasExited: true)]).last == .finish(unframed: false))
        // A script still running: the response cannot be completed.
        #expect(
            Self.actions([head, .idle(scriptHasExited: false)]).last == .abort("script timed out while writing its response"))
    }

    @Test func aValidContentLengthFramesTheBodyAndHoldsTheScriptToIt() {
        var head = Self.document(200, "OK", [HeaderField(name: "Content-Type", value: "a/b")])
        head.contentLength = 5
        let start = "Content-Type: a/b\nContent-Length: 5\n\n"
        #expect(
            Self.actions([.output(start + "he"), .output("llo"), .outputEnded]) == [
                .sendHead(head, bodyStart: start.utf8.count), .sendBody, .finish(unframed: false),
            ])
        // Fewer bytes: the response cannot be complete.
        #expect(
            Self.actions([.output(start + "he"), .outputEnded]).last
                == .abort("script's output ended 3 bytes short of its Content-Length"))
        // More bytes after the head went out: the connection breaks before they are sent.
        #expect(
            Self.actions([.output(start + "he"), .output("llo!")]).last
                == .abort("script wrote more than the 3 bytes left of its Content-Length"))
        // More bytes with the head: nothing was sent yet, so it is a 502.
        #expect(Self.actions([.output(start + "hello!")]) == [.fail(.bodyLongerThanContentLength(5))])
        #expect(ScriptFailure.bodyLongerThanContentLength(5).status == 502)
    }

    @Test(arguments: [("Content-Length: 5, 5", false), ("Content-Length: x", false), ("Content-Length: 007", true)])
    func onlyOneValidLengthIsUsed(field: String, used: Bool) {
        let actions = Self.actions([.output("Content-Type: a/b\n\(field)\n\n")])
        guard case .sendHead(let head, _) = actions[0] else { Issue.record("\(actions)"); return }
        #expect((head.contentLength != nil) == used)
        #expect(head.droppedHeaders == (used ? [] : ["Content-Length"]))
    }

    @Test func aScriptThatDiesAfterItsHeadLeavesTheResponseIncomplete() {
        let head = Event.output("Content-Type: a/b\n\nbody")
        #expect(
            Self.actions([head, .outputEndedWhileRunning, .exited(.signaled(9))]).suffix(2) == [
                .awaitExit, .abort("script was killed by signal 9 (Killed) after its response began"),
            ])
        #expect(Self.actions([head, .outputEndedWhileRunning, .exited(.exited(0))]).last == .finish(unframed: false))
        #expect(
            Self.actions([head, .outputEndedWhileRunning, .exited(.exited(2))]).last
                == .abort("script ended with exit code 2 after its response began"))
        // Still running: it closed its output to end the response early.
        #expect(Self.actions([head, .outputEndedWhileRunning, .exited(nil)]).last == .finish(unframed: false))
        // A HEAD response is complete with its head.
        #expect(Self.actions([head, .outputEndedWhileRunning], method: "HEAD").last == .finish(unframed: false))
    }

    @Test func nonParsedHeaderOutputPassesThroughUnframed() {
        #expect(
            Self.actions([.output("HTTP/1.1 200 OK\r\n\r\nx"), .output("y"), .outputEnded], nph: true) == [
                .sendRaw, .sendRaw, .finish(unframed: true),
            ])
        #expect(
            Self.actions([.output("x"), .idle(scriptHasExited: true)], nph: true).last
                == .abort("script timed out while writing its response"))
    }

    @Test func clientGoneStopsTheScriptAndDropsTheRest() {
        #expect(
            Self.actions([.output("Content-Type: a/b\n\nx"), .clientGone, .output("y"), .outputEnded]) == [
                .sendHead(Self.document(200, "OK", [HeaderField(name: "Content-Type", value: "a/b")]), bodyStart: 19),
                .stopScript, .discard, .wait,
            ])
    }

    @Test func failuresBeforeTheHeadGetAPageAfterItBreakTheConnection() {
        let unreadable = ScriptFailure.outputUnreadable("EBADF")
        #expect(Self.actions([.scriptFailed(unreadable)]) == [.fail(unreadable)])
        #expect(
            Self.actions([.output("Content-Type: a/b\n\n"), .scriptFailed(unreadable)]).last == .abort(unreadable.logMessage))
    }

    @Test func everyFailureHasAStatusAndMessages() {
        let failures: [(ScriptFailure, Int)] = [
            (.invalidResponse(.noOutput), 502), (.invalidResponse(.missingContentType), 500), (.timedOut, 504),
            (.tooManyRedirects(limit: 10), 500), (.cannotStart(.spawn(executable: "/x", errno: 13)), 500),
            (.cannotCompile(script: "/cgi-bin/a.swift", .compileFailed(script: "a.swift", diagnostics: "a.swift:1: error")), 500),
            (.outputUnreadable("EIO"), 500), (.noScriptSlot, 503), (.requestBodyTooLarge, 413),
            (.requestBodyNotStored("ENOSPC"), 500),
        ]
        for (failure, status) in failures {
            #expect(failure.status == status, "\(failure)")
            #expect(!failure.logMessage.isEmpty && !failure.pageMessage.isEmpty, "\(failure)")
        }
        #expect(failures[5].0.listing == "a.swift:1: error")
        #expect(failures.filter { $0.0.retryAfter != nil }.map(\.0) == [.noScriptSlot], "only a full queue passes")
    }
}
