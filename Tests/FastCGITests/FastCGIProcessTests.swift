import Foundation
import Glibc
import TestSupport
import Testing

@testable import CGI

/// How a FastCGI process lives beside its requests: SIGTERM in the middle of one, workers
/// sharing a socket, `log` lines, and asynchronous handlers that an ABORT_REQUEST cancels.
@Suite(.timeLimit(.minutes(2))) struct FastCGIProcessTests {
    typealias Client = FastCGIClient

    /// The meta-variables of a POST to the fixture's `stream` action, whose handler sends a
    /// first chunk naming its process and then waits for the body.
    static func streamRequest(bodyLength: Int) -> [String: String] {
        Client.variables(method: "POST", query: "action=stream", contentType: "text/plain", contentLength: bodyLength)
    }

    @Test func sigtermDuringARequestAnswersItCompletelyThenExitsWith0() throws {
        let worker = try FastCGIWorker()
        defer { worker.stop() }
        let client = try worker.connect()
        client.begin()
        client.params(Self.streamRequest(bodyLength: 10))
        _ = try client.read(.stdout, until: "first chunk (process \(worker.pid))\n")
        // The handler now waits for the body, in a read that SIGTERM interrupts.
        try worker.waitUntilBlocked()
        try worker.deliver(SIGTERM)
        let late = try worker.connect()
        late.begin()
        late.params(Client.variables())
        late.stream(.stdin, [])
        client.stream(.stdin, Array("01234".utf8), end: false)
        client.stream(.stdin, Array("56789".utf8))
        let reply = try client.reply()
        #expect(reply.text == "second chunk after 10 bytes\n")
        #expect(reply.stdoutEnded && reply.appStatus == 0)
        let exit = worker.waitForExit()
        #expect(exit.status == 0 && !exit.signaled)
        #expect(try client.isClosedByWorker())
        // The connection made after SIGTERM was never accepted: it ends with the process.
        #expect(try late.nextRecord() == nil)
    }

    /// An asynchronous `CGI.run` ends on SIGTERM while it waits for a request, whichever of
    /// the process's threads the signal interrupts.
    @Test func sigtermEndsAnIdleAsyncWorkerWithStatus0() throws {
        let worker = try FastCGIWorker(fixture: "FastCGIAsyncFixture")
        defer { worker.stop() }
        let client = try worker.connect()
        #expect(try client.request(Client.variables()).body == "process \(worker.pid) async\n")
        kill(worker.pid, SIGTERM)
        #expect(try client.isClosedByWorker())
        let exit = worker.waitForExit()
        #expect(exit.status == 0 && !exit.signaled)
    }

    @Test func sigtermBetweenTheRecordsOfARequestStillAnswersItAndClosesIdleConnections() throws {
        let worker = try FastCGIWorker()
        defer { worker.stop() }
        let idle = try worker.connect()
        #expect(try idle.request(Client.variables()).body.hasSuffix("request 1\n"))
        let client = try worker.connect()
        client.begin()
        let params = FastCGINameValuePairs.encode(Client.variables().sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        client.send(.params, id: 1, Array(params.prefix(20)))
        // The worker has read BEGIN_REQUEST and part of the PARAMS when SIGTERM comes.
        try client.waitUntilReadByWorker()
        try worker.deliver(SIGTERM)
        client.send(.params, id: 1, Array(params.dropFirst(20)))
        client.send(.params, id: 1)
        client.stream(.stdin, [])
        #expect(try client.reply().body == "process \(worker.pid) request 2\n")
        let exit = worker.waitForExit()
        #expect(exit.status == 0 && !exit.signaled)
        #expect(try idle.isClosedByWorker())
    }

    @Test func fcgiMaxRequestsEndsTheProcessAfterThatManyRequests() throws {
        let worker = try FastCGIWorker(environment: ["FCGI_MAX_REQUESTS": "2"])
        defer { worker.stop() }
        let client = try worker.connect()
        #expect(try client.request(Client.variables()).body.hasSuffix("request 1\n"))
        #expect(try client.request(Client.variables()).body.hasSuffix("request 2\n"))
        #expect(try client.isClosedByWorker())
        let exit = worker.waitForExit()
        #expect(exit.status == 0 && !exit.signaled)
    }

    @Test func badManagerVariablesAreIgnoredWithALogLine() throws {
        let worker = try FastCGIWorker(environment: ["FCGI_MAX_REQUESTS": "0", "FCGI_STATUS_FD": "77"])
        defer { worker.stop() }
        let client = try worker.connect()
        for number in 1...3 {
            #expect(try client.request(Client.variables()).body.hasSuffix("request \(number)\n"))
        }
        #expect(worker.log().contains("FCGI_MAX_REQUESTS=0 is not a number of requests; ignored\n"))
        #expect(worker.log().contains("FCGI_STATUS_FD=77 is not an open descriptor; ignored\n"))
    }

    @Test func workersSharingASocketEachTakeOneOfTheConnectionsQueuedAtOnce() throws {
        let socket = try FastCGISocket()
        // Four connections, each with a request, wait in the queue before any worker runs,
        // as a front's kept connections do when it opens them under load.
        let clients = try (0..<4).map { _ in try FastCGIClient(path: socket.path) }
        for client in clients {
            client.begin()
            client.params(Self.streamRequest(bodyLength: 1))
        }
        let workers = try (0..<2).map { _ in try FastCGIWorker(socket: socket) }
        socket.close()
        defer { for worker in workers { worker.stop() } }
        // Each handler holds its worker until its body comes, so the first two connections
        // answer at once only if each worker took one connection.
        let first = try clients[0].read(.stdout, until: ")\n")
        let second = try clients[1].read(.stdout, until: ")\n")
        let pids = Set(workers.map(\.pid))
        func pid(_ text: String) -> Int32? {
            text.split(separator: "(process ").last.flatMap { Int32($0.dropLast(2)) }
        }
        #expect(Set([pid(first), pid(second)]) == Set(pids.map { Optional($0) }), "\(first) \(second)")
        for client in clients { client.stream(.stdin, [UInt8(ascii: "x")]) }
        for client in clients {
            #expect(try client.reply().text.hasSuffix("second chunk after 1 bytes\n"))
        }
    }

    @Test func aStreamOfRequestsOnOpenConnectionsDoesNotKeepANewOneWaiting() throws {
        let worker = try FastCGIWorker()
        defer { worker.stop() }
        let kept = try (0..<2).map { _ in try worker.connect() }
        for client in kept { _ = try client.request(Client.variables()) }
        /// Sends a whole request on `client` without waiting for the answer.
        func send(on client: FastCGIClient) {
            client.begin()
            client.params(Client.variables())
            client.stream(.stdin, [])
        }
        // From here on, a request waits on a kept connection whenever the worker looks.
        for client in kept { send(on: client) }
        let late = try worker.connect()
        send(on: late)
        for _ in 0..<20 {
            for client in kept {
                _ = try client.reply()
                send(on: client)
            }
        }
        for client in kept { _ = try client.reply() }
        // Requests 1 and 2 came first; the late one is answered within a few more, not after
        // the 42 on the kept connections.
        let body = try late.reply().body
        let number = body.split(separator: " ").last.flatMap { Int($0.dropLast()) }
        #expect(number.map { $0 <= 8 } == true, "\(body)")
    }

    @Test func logInAHandlerGoesToTheRequestsStderrAndOutsideARequestToTheProcesssStderr() throws {
        let worker = try FastCGIWorker()
        defer { worker.stop() }
        let reply = try worker.connect().request(Client.variables(query: "action=log"))
        #expect(reply.body == "logged\n")
        #expect(reply.stderr == "a line from the handler of request 1\n")
        let log = worker.log()
        #expect(log.contains("fixture process \(worker.pid) started\n"))
        #expect(!log.contains("a line from the handler"))
    }

    /// The abort watch of asynchronous handlers runs on one thread, which the process starts on
    /// the first watch (not for handlers that return without suspending) and keeps through many
    /// requests and aborts.
    @Test func asyncHandlersShareOneAbortWatchThread() throws {
        let worker = try FastCGIWorker(fixture: "FastCGIAsyncFixture")
        defer { worker.stop() }
        let client = try worker.connect()
        let answer = "process \(worker.pid) async\n"
        /// The worker's threads named as the abort watch names its thread.
        let watchThreads = { () -> Int in
            let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(worker.pid)/task")) ?? []
            return tasks.filter { task in
                let name = (try? String(contentsOfFile: "/proc/\(worker.pid)/task/\(task)/comm", encoding: .utf8)) ?? ""
                return name == "cgi-abort-watch\n"
            }.count
        }
        let abortSleep = {
            client.begin()
            client.params(Client.variables(query: "action=sleep"))
            client.stream(.stdin, [])
            _ = try client.read(.stderr, until: "sleeping\n")
            client.send(.abortRequest, id: 1)
            #expect(try client.reply().stdout.isEmpty)
        }
        for _ in 0..<50 { #expect(try client.request(Client.variables()).body == answer) }
        Thread.sleep(forTimeInterval: 0.2)
        // The handler runs on the caller's actor from the start (no hop to the pool and back),
        // so one that does not suspend has returned before a watch would start.
        #expect(watchThreads() == 0, "a handler that returns without suspending is not watched")
        #expect(try client.request(Client.variables(query: "action=yield")).body == answer)
        // The thread names itself once it runs, which may come after the reply.
        #expect(eventually { watchThreads() == 1 }, "a handler that suspends is watched")
        try abortSleep()
        for index in 0..<300 {
            #expect(try client.request(Client.variables(query: index % 2 == 0 ? "action=yield" : "")).body == answer)
        }
        try abortSleep()
        #expect(try client.request(Client.variables()).body == answer)
        #expect(watchThreads() == 1, "one watching thread after 300 more requests and two aborts")
    }

    /// Both asynchronous entry points: the handler returning a `Response`, and the one writing
    /// through a `ResponseWriter`.
    @Test(arguments: [false, true])
    func anAbortCancelsTheTaskOfAnAsyncHandlerAndEndsTheRequestOnce(writer: Bool) throws {
        let worker = try FastCGIWorker(environment: writer ? ["FIXTURE_WRITER": "1"] : [:], fixture: "FastCGIAsyncFixture")
        defer { worker.stop() }
        let client = try worker.connect()
        client.begin()
        client.params(Client.variables(query: "action=sleep"))
        client.stream(.stdin, [])
        // The handler says it sleeps (30 s) just before it awaits.
        _ = try client.read(.stderr, until: "sleeping\n")
        client.send(.abortRequest, id: 1)
        let reply = try client.reply()
        #expect(reply.stdout.isEmpty && reply.protocolStatus == 0)
        // Whatever the worker sends next is the answer to this, not a second END_REQUEST.
        client.send(.getValues, id: 0, FastCGINameValuePairs.encode([("FCGI_MPXS_CONNS", "")]))
        #expect(try client.nextRecord()?.kind == .getValuesResult)
        #expect(try client.request(Client.variables()).body == "process \(worker.pid) async\n")
        // The line logged once the request was aborted has no request to go with.
        #expect(worker.log().contains("the handler's task was cancelled\n"))
    }
}
